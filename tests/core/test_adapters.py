"""The adapters' toolbox (`friendli_core.kit`), checked against literal Friendli dicts."""

from __future__ import annotations

from typing import Any

import pytest

from friendli_core import InvalidRequestError
from friendli_core.kit import (
    CONTENT,
    JSON_OBJECT_FORMAT,
    LOGPROBS,
    REASONING,
    ROLE,
    TOOL_CALLS,
    ChatChoiceFold,
    arguments_json,
    assistant_message,
    data_url,
    function_tool,
    json_schema_format,
    media_part,
    resolve_tool_choice,
    tool_call,
)
from friendli_core.types import ChunkChoice, FunctionCall, LogprobContent, ToolCall

WEATHER = {
    "name": "get_weather",
    "description": "Weather of a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}

# --------------------------------------------------------------------------- tools


def test_function_tool_keeps_the_fields_friendli_defines() -> None:
    tool = {"type": "function", "function": {**WEATHER, "strict": True}}
    assert function_tool(tool) == {"type": "function", "function": WEATHER}


def test_function_tool_drops_a_missing_description_and_keeps_no_parameters_absent() -> None:
    tool = {"type": "function", "function": {"name": "now", "description": None}}
    # the core fills the spec's empty parameters schema when it builds the request
    assert function_tool(tool) == {"type": "function", "function": {"name": "now"}}


@pytest.mark.parametrize(
    "tool",
    [{"type": "web_search"}, {"type": "function"}, {"type": "function", "function": "x"}],
)
def test_function_tool_rejects_other_tools(tool: dict[str, Any]) -> None:
    with pytest.raises(InvalidRequestError, match="function tools only"):
        function_tool(tool)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ('{"city": "Paris"}', '{"city": "Paris"}'),
        ("", ""),
        (None, "{}"),
        ({}, "{}"),
        ({"city": "Séoul"}, '{"city": "Séoul"}'),
    ],
)
def test_arguments_json(arguments: Any, expected: str) -> None:
    assert arguments_json(arguments) == expected


def test_tool_call_dict() -> None:
    assert tool_call("call_1", "get_weather", {"city": "Paris"}) == {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
    }
    assert tool_call(None, None, None) == {
        "id": "",
        "type": "function",
        "function": {"name": "", "arguments": "{}"},
    }


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (None, None),
        ("auto", "auto"),
        ("none", "none"),
        ("any", "required"),
        ("required", "required"),
        (True, "required"),
        (False, "none"),
        ("get_weather", {"type": "function", "function": {"name": "get_weather"}}),
        (
            {"type": "function", "function": {"name": "x"}},
            {"type": "function", "function": {"name": "x"}},
        ),
    ],
)
def test_resolve_tool_choice(choice: Any, expected: object) -> None:
    assert resolve_tool_choice(choice) == expected


def test_resolve_tool_choice_default_applies_to_none_only() -> None:
    assert resolve_tool_choice(None, default="required") == "required"
    assert resolve_tool_choice("none", default="required") == "none"
    given = {"type": "function", "function": {"name": "x"}}
    resolved = resolve_tool_choice(given)
    assert resolved == given
    assert resolved is not given  # a copy: the caller's dict is never sent and then mutated


# --------------------------------------------------------------------------- messages


def test_assistant_message_shapes() -> None:
    call = tool_call("call_1", "f", {})
    assert assistant_message("hi", []) == {"role": "assistant", "content": "hi"}
    assert assistant_message("", []) == {"role": "assistant", "content": ""}
    assert assistant_message("", [call], "thought") == {
        "role": "assistant",
        "content": None,
        "tool_calls": [call],
        "reasoning_content": "thought",
    }
    assert assistant_message("a", [call], "") == {
        "role": "assistant",
        "content": "a",
        "tool_calls": [call],
    }


def test_media_part_and_data_url() -> None:
    assert media_part("image", "https://x/a.png") == {
        "type": "image_url",
        "image_url": {"url": "https://x/a.png"},
    }
    assert media_part("video", "v") == {"type": "video_url", "video_url": {"url": "v"}}
    assert data_url("audio/wav", "AAAA", "audio") == "data:audio/wav;base64,AAAA"


@pytest.mark.parametrize(
    ("mime", "data", "match"),
    [(None, "AAAA", "mime_type"), ("", "AAAA", "mime_type"), ("image/png", None, "base64 string")],
)
def test_data_url_needs_a_mime_type_and_data(mime: object, data: object, match: str) -> None:
    with pytest.raises(InvalidRequestError, match=match):
        data_url(mime, data, "image")


def test_response_formats() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    assert json_schema_format(schema) == {"type": "json_schema", "json_schema": {"schema": schema}}
    assert dict(JSON_OBJECT_FORMAT) == {"type": "json_object"}


# --------------------------------------------------------------------------- ChatChoiceFold


def _fold(*choices: dict[str, Any]) -> ChatChoiceFold:
    fold = ChatChoiceFold()
    for choice in choices:
        fold.feed(ChunkChoice.model_validate(choice))
    return fold


def test_fold_of_an_empty_choice() -> None:
    fold = ChatChoiceFold()
    assert (fold.role, fold.content(), fold.reasoning(), fold.tool_calls()) == (
        "assistant",
        None,
        None,
        [],
    )
    assert fold.finish_reason is None
    assert fold.logprobs is None


def test_fold_text_reasoning_role_and_finish_reason() -> None:
    fold = _fold(
        {"delta": {"role": "assistant", "reasoning_content": "Think"}},
        {"delta": {"reasoning_content": "ing."}},
        {"delta": {"content": "Hel"}},
        {"delta": {"content": ""}},
        {"delta": {"content": "lo"}, "finish_reason": "stop"},
        {"delta": {}},  # a later empty delta keeps the finish_reason
    )
    assert fold.content() == "Hello"
    assert fold.reasoning() == "Thinking."
    assert fold.finish_reason == "stop"


def test_fold_read_between_chunks_gives_the_text_so_far() -> None:
    fold = ChatChoiceFold()
    seen = []
    for piece in ["a", "b", "", "c"]:
        fold.feed(ChunkChoice.model_validate({"delta": {"content": piece}}))
        seen.append(fold.content())
        seen.append(fold.content())  # reading twice changes nothing
    assert seen == ["a", "a", "ab", "ab", "ab", "ab", "abc", "abc"]


def test_fold_assembles_tool_calls_by_index() -> None:
    fold = _fold(
        {
            "delta": {
                "tool_calls": [
                    {"index": 1, "id": "call_b", "type": "function", "function": {"name": "g"}},
                    {"index": 0, "id": "call_a", "function": {"name": "f", "arguments": ""}},
                ]
            }
        },
        {"delta": {"tool_calls": [{"index": 0, "function": {"arguments": '{"x": '}}]}},
        {"delta": {"tool_calls": [{"index": 1, "id": "ignored", "function": {"name": "h"}}]}},
    )
    assert fold.tool_calls() == [
        ToolCall(id="call_a", function=FunctionCall(name="f", arguments='{"x": ')),
        ToolCall(id="call_b", function=FunctionCall(name="g", arguments="")),
    ]
    fold.feed(
        ChunkChoice.model_validate({"delta": {"tool_calls": [{"function": {"arguments": "1}"}}]}})
    )
    assert fold.tool_calls()[0].function.arguments == '{"x": 1}'


def test_fold_collects_logprobs() -> None:
    entry = {"token": "a", "logprob": -0.1, "top_logprobs": []}
    fold = _fold(
        {"delta": {"content": "a"}, "logprobs": {"content": [entry]}},
        {"delta": {"content": "b"}, "logprobs": None},
        {"delta": {"content": "c"}, "logprobs": {"content": [entry, entry]}},
    )
    assert fold.logprobs == [LogprobContent.model_validate(entry)] * 3


def test_fold_reports_what_each_delta_changed() -> None:
    fold = ChatChoiceFold()
    entry = {"token": "a", "logprob": -0.1, "top_logprobs": []}
    deltas = [
        ({"delta": {"role": "assistant", "content": ""}}, ROLE | CONTENT),
        ({"delta": {"reasoning_content": "r"}}, REASONING),
        ({"delta": {"content": "a"}, "logprobs": {"content": [entry]}}, CONTENT | LOGPROBS),
        (
            {"delta": {"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f"}}]}},
            TOOL_CALLS,
        ),
        ({"delta": {}, "finish_reason": "stop"}, 0),
    ]
    assert [fold.feed(ChunkChoice.model_validate(c)) for c, _ in deltas] == [f for _, f in deltas]
