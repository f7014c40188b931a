import pytest

from friendli_core.testing._checks import check_chat, check_completions

USER = {"role": "user", "content": "hi"}
TOOL = {
    "type": "function",
    "function": {"name": "f", "parameters": {"type": "object", "properties": {}}},
}
CALL = {
    "role": "assistant",
    "content": None,
    "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
}


def chat(**extra: object) -> dict:
    return {"model": "m", "messages": [USER], **extra}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            chat(tools=[TOOL], response_format={"type": "json_object"}),
            "`tools` and `response_format`",
        ),
        (chat(tools=[TOOL], min_tokens=3), "`min_tokens` is not supported together with `tools`"),
        (chat(response_format={"type": "text"}, min_tokens=3), "together with `response_format`"),
        (chat(top_logprobs=2), "`top_logprobs` requires `logprobs`"),
        (chat(logprobs=True, top_logprobs=21), "between 0 and 20"),
        (chat(stream_options={"include_usage": True}), "`stream_options` can only be used"),
        (chat(temperature=3), "`temperature` must be between"),
        (chat(n=0), "`n` must be between"),
        (chat(max_tokens=0), "`max_tokens`"),
        (chat(max_tokens=2, min_tokens=5), "must not exceed"),
        (chat(seed=[1, 2]), "`seed` has 2 values"),
        (chat(stop=[""]), "empty string"),
        (chat(tool_choice="any", tools=[TOOL]), "`tool_choice` must be"),
        (chat(tool_choice="required"), "needs `tools`"),
        (
            chat(tool_choice={"type": "function", "function": {"name": "g"}}, tools=[TOOL]),
            "not in `tools`",
        ),
        (
            chat(tools=[{"type": "function", "function": {"name": "bad name", "parameters": {}}}]),
            "must match",
        ),
        (chat(tools=[TOOL, TOOL]), "unique"),
        (chat(response_format={"type": "regex", "schema": "^a$"}), "anchor"),
        ({"model": "m", "messages": []}, "must not be empty"),
        (
            {
                "model": "m",
                "messages": [USER, {"role": "tool", "tool_call_id": "nope", "content": "1"}],
            },
            "does not match any tool call",
        ),
        ({"model": "m", "messages": [{"role": "assistant"}]}, "`content` is required"),
    ],
)
def test_chat_constraint_violations(body: dict, fragment: str) -> None:
    problem = check_chat(body)
    assert problem is not None
    assert fragment in problem


def test_valid_chat_bodies_pass() -> None:
    assert (
        check_chat(
            chat(
                tools=[TOOL],
                tool_choice="auto",
                logprobs=True,
                top_logprobs=3,
                stream=True,
                stream_options={"include_usage": True},
            )
        )
        is None
    )
    assert (
        check_chat(
            {
                "model": "m",
                "messages": [USER, CALL, {"role": "tool", "tool_call_id": "c1", "content": "1"}],
            }
        )
        is None
    )
    assert (
        check_chat(chat(seed=[1, 2], n=2, response_format={"type": "regex", "schema": "(a|b)"}))
        is None
    )


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"prompt": "a", "tokens": [1]}, "exactly one"),
        ({}, "exactly one"),
        ({"prompt": "a", "max_tokens": 1, "max_total_tokens": 9}, "max_total_tokens"),
        ({"prompt": "a", "min_tokens": 1, "min_total_tokens": 9}, "min_total_tokens"),
        ({"prompt": "a", "logprobs": 50}, "`logprobs`"),
        ({"prompt": [], "model": "m"}, "empty list"),
        (
            {"prompt": "a", "response_format": {"type": "json_object"}, "min_tokens": 2},
            "response_format",
        ),
    ],
)
def test_completions_constraint_violations(body: dict, fragment: str) -> None:
    problem = check_completions(body)
    assert problem is not None
    assert fragment in problem


def test_valid_completions_pass() -> None:
    assert check_completions({"prompt": ["a", "b"], "logprobs": 2, "n": 2}) is None
