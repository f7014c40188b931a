import pytest

from friendli_core.testing._openapi import component_names, validate

MESSAGES = [
    {"role": "system", "content": "s"},
    {"role": "user", "content": "u"},
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "t"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}},
        ],
    },
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        ],
    },
    {"role": "assistant", "content": "a", "reasoning_content": "r"},
    {"role": "tool", "tool_call_id": "c1", "content": "5"},
]
BRANCHES = {
    "system": "SystemMessage",
    "user": "UserMessage",
    "assistant": "AssistantMessage",
    "tool": "ToolMessage",
}


@pytest.mark.parametrize("message", MESSAGES)
def test_message_oneof_matches_exactly_one_branch(message: dict) -> None:
    assert validate("Message", message) == []
    matches = [name for name in BRANCHES.values() if not validate(name, message)]
    assert matches == [BRANCHES[message["role"]]]


@pytest.mark.parametrize(
    "fmt",
    [
        {"type": "text"},
        {"type": "json_object"},
        {
            "type": "json_schema",
            "json_schema": {"schema": {"type": "object"}, "name": "x", "strict": True},
        },
        {"type": "regex", "schema": "(a|b)"},
    ],
)
def test_response_format_oneof_matches_exactly_one_branch(fmt: dict) -> None:
    assert validate("ResponseFormat", fmt) == []
    branches = [
        "ResponseFormatText",
        "ResponseFormatJsonObject",
        "ResponseFormatJsonSchema",
        "ResponseFormatRegex",
    ]
    assert sum(not validate(b, fmt) for b in branches) == 1


def test_discriminated_errors_name_the_branch_problem() -> None:
    body = {
        "model": "m",
        "messages": [{"role": "tool", "content": "x"}, {"role": "bogus", "content": "y"}],
    }
    errors = validate("ServerlessChatCompletionBody", body)
    assert errors == [
        "messages[0]: 'tool_call_id' is a required property",
        'messages[1].role: "bogus" is not one of: assistant, system, tool, user',
    ]


def test_plain_errors_have_paths() -> None:
    errors = validate("ServerlessChatCompletionBody", {"messages": [], "n": "two"})
    assert "<root>: 'model' is a required property" in errors
    assert any(e.startswith("n: ") for e in errors)


def test_container_model_is_optional_and_completions_anyof() -> None:
    assert (
        validate("ContainerChatCompletionBody", {"messages": [{"role": "user", "content": "x"}]})
        == []
    )
    assert validate("ContainerCompletionsBody", {"tokens": [1, 2]}) == []
    assert validate("ContainerCompletionsBody", {"prompt": 3}) != []


def test_unknown_component_raises() -> None:
    with pytest.raises(KeyError):
        validate("NoSuchThing", {})
    assert {
        "ChatResult",
        "StreamedChatData",
        "CompletionsResult",
        "StreamedCompletionData",
    } <= component_names()
