"""Parsing of replies, errors and retry decisions in the sans-IO protocol."""

from __future__ import annotations

import json
from typing import Any

import pytest

from friendli_core import (
    APIResponseValidationError,
    ChatCompletion,
    Completion,
    NotFoundError,
)
from friendli_core._protocol import (
    RequestSpec,
    decode_json,
    raise_for_status,
)
from friendli_core._replies import parse_model

SPEC = RequestSpec("POST", "https://x/v1/chat/completions", "/v1/chat/completions", {}, b"")


# --------------------------------------------------------------------------- responses


def _chat(payload: dict[str, Any]) -> ChatCompletion:
    return parse_model(ChatCompletion, json.dumps(payload).encode(), SPEC)


def test_parse_n_greater_than_one_with_logprobs_and_cached_tokens() -> None:
    lp = {
        "content": [
            {
                "token": "Hello",
                "logprob": -0.01,
                "bytes": [72, 101, 108, 108, 111],
                "top_logprobs": [
                    {"token": "Hello", "logprob": -0.01, "bytes": [72, 101, 108, 108, 111]},
                    {"token": "Hi", "logprob": -4.7, "bytes": None},
                ],
            }
        ]
    }
    result = _chat(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": "m",
            "created": 1735722153,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "Hello"},
                    "finish_reason": "stop",
                    "logprobs": lp,
                },
                {
                    "index": 1,
                    "message": {"role": "assistant", "content": "Hi"},
                    "finish_reason": "length",
                    "logprobs": None,
                },
            ],
            "usage": {
                "prompt_tokens": 9,
                "completion_tokens": 2,
                "total_tokens": 11,
                "prompt_tokens_details": {"cached_tokens": 8},
            },
        }
    )
    assert [c.message.content for c in result.choices] == ["Hello", "Hi"]
    assert [c.finish_reason for c in result.choices] == ["stop", "length"]
    content = result.choices[0].logprobs.content  # type: ignore[union-attr]
    assert content is not None
    assert content[0].bytes == [72, 101, 108, 108, 111]
    assert [t.token for t in content[0].top_logprobs] == ["Hello", "Hi"]
    assert content[0].top_logprobs[1].bytes is None
    assert result.usage is not None
    assert result.usage.prompt_tokens_details is not None
    assert result.usage.prompt_tokens_details.cached_tokens == 8


def test_parse_tool_calls_and_reasoning() -> None:
    result = _chat(
        {
            "id": "c",
            "object": "chat.completion",
            "created": 1,
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "reasoning_content": "Let me think...",
                        "tool_calls": [
                            {
                                "id": "call_1",
                                "type": "function",
                                "function": {
                                    "name": "get_weather",
                                    "arguments": '{"location": "Paris"}',
                                },
                            },
                            {
                                "id": "call_2",
                                "type": "function",
                                "function": {"name": "get_time", "arguments": "{not json"},
                            },
                        ],
                    },
                    "finish_reason": "tool_calls",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    )
    message = result.choices[0].message
    assert message.reasoning_content == "Let me think..."
    assert message.content is None
    assert message.tool_calls is not None
    assert [(t.id, t.function.name) for t in message.tool_calls] == [
        ("call_1", "get_weather"),
        ("call_2", "get_time"),
    ]
    assert message.tool_calls[1].function.arguments == "{not json"  # kept as the model wrote it


def test_unknown_fields_are_kept_at_every_level() -> None:
    result = _chat(
        {
            "id": "c",
            "system_fingerprint": "fp_1",
            "timings": {"ms": 12},
            "choices": [
                {
                    "index": 0,
                    "stop_reason": 128009,
                    "message": {
                        "role": "assistant",
                        "content": "x",
                        "reasoning_details": [{"t": "r"}],
                    },
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": 1,
                "completion_tokens": 1,
                "total_tokens": 2,
                "completion_tokens_details": {"reasoning_tokens": 0},
            },
        }
    )
    dumped = result.model_dump()
    assert dumped["system_fingerprint"] == "fp_1"
    assert dumped["timings"] == {"ms": 12}
    assert dumped["choices"][0]["stop_reason"] == 128009
    assert dumped["choices"][0]["message"]["reasoning_details"] == [{"t": "r"}]
    assert dumped["usage"]["completion_tokens_details"] == {"reasoning_tokens": 0}


def test_missing_id_model_created_tolerated() -> None:
    """The legacy 2024 shape has no id, object or model."""
    result = _chat(
        {
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "x"},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            "created": 1,
        }
    )
    assert (result.id, result.model) == (None, None)
    assert result.choices[0].message.content == "x"


def test_parse_completion_choices_with_seed_tokens_logprobs() -> None:
    payload = {
        "id": "cmpl-1",
        "object": "text_completion",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "seed": 18446744073709551615,
                "text": "This is",
                "tokens": [2028, 374],
                "finish_reason": "length",
                "logprobs": {
                    "tokens": ["This", " is"],
                    "token_logprobs": [-0.1, -0.3],
                    "text_offset": [0, 4],
                    "top_logprobs": [{"This": -0.1, "That": -2.3}, {" is": -0.3}],
                },
            },
            {
                "index": 1,
                "seed": 7,
                "text": "",
                "tokens": [],
                "finish_reason": "stop",
                "logprobs": None,
            },
        ],
        "usage": {"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9},
    }
    result = parse_model(Completion, json.dumps(payload).encode(), SPEC)
    first = result.choices[0]
    assert first.seed == 18446744073709551615
    assert first.tokens == [2028, 374]
    assert first.logprobs is not None
    assert first.logprobs.top_logprobs == [{"This": -0.1, "That": -2.3}, {" is": -0.3}]
    assert result.choices[1].tokens == []
    assert result.created is None


@pytest.mark.parametrize(
    "content",
    [b"not json", b"", b'{"choices": "x"}', b'{"choices": [{"message": "hi"}]}', b"[1,2]"],
)
def test_unexpected_success_body_is_a_response_validation_error(content: bytes) -> None:
    with pytest.raises(APIResponseValidationError) as info:
        parse_model(ChatCompletion, content, SPEC)
    assert info.value.path == "/v1/chat/completions"


def test_raise_for_status_uses_headers_and_spec() -> None:
    raise_for_status(200, {}, b"", SPEC)
    raise_for_status(204, {}, b"", SPEC)
    with pytest.raises(NotFoundError) as info:
        raise_for_status(404, {"x-request-id": "req-9"}, b'{"message": "no such model"}', SPEC)
    err = info.value
    assert (err.status_code, err.request_id, err.api_message) == (404, "req-9", "no such model")
    assert (err.method, err.path) == ("POST", "/v1/chat/completions")
    assert "no such model" in str(err)
    assert "req-9" in str(err)


def test_decode_json_falls_back_to_text() -> None:
    assert decode_json(b'{"a": 1}') == {"a": 1}
    assert decode_json(b"Bad Gateway") == "Bad Gateway"
    assert decode_json(b"\xff\xfe oops") == "\ufffd\ufffd oops"
