"""Stream chunks to LangChain message chunks, and request parameters."""

from __future__ import annotations

import pytest
from langchain_core.messages import (
    AIMessageChunk,
    HumanMessage,
)
from langchain_core.outputs import ChatGenerationChunk

from friendli_core import ChatCompletionChunk, InvalidRequestError
from friendli_core._protocol import build_chat_request
from friendli_core.config import ClientConfig
from langchain_friendli._convert import (
    _convert_chunk_dump,
    build_chat_params,
    combine_stop,
    convert_chunk_to_generation_chunk,
    text_generation_chunk,
)
from langchain_friendli._structured import format_tools

# --------------------------------------------------------------------------- stream chunks

STREAM = [
    {
        "id": "c",
        "model": "m",
        "choices": [{"index": 0, "delta": {"role": "assistant", "reasoning_content": "th"}}],
    },
    {"id": "c", "model": "m", "choices": [{"index": 0, "delta": {"reasoning_content": "ink"}}]},
    {
        "id": "c",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "delta": {"content": "Hel"},
                "logprobs": {"content": [{"token": "Hel", "logprob": -0.5, "top_logprobs": []}]},
            }
        ],
    },
    {
        "id": "c",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "delta": {"content": "lo"},
                "logprobs": {"content": [{"token": "lo", "logprob": -0.25, "top_logprobs": []}]},
            }
        ],
    },
    {
        "id": "c",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "delta": {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "f", "arguments": ""},
                        }
                    ]
                },
            }
        ],
    },
    {
        "id": "c",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "delta": {
                    "tool_calls": [
                        {"index": 0, "type": "function", "function": {"arguments": '{"x":'}}
                    ]
                },
            }
        ],
    },
    {
        "id": "c",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "delta": {
                    "tool_calls": [
                        {"index": 0, "type": "function", "function": {"arguments": " 1}"}}
                    ]
                },
            }
        ],
    },
    {
        "id": "c",
        "model": "m",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}],
    },
    {
        "id": "c",
        "model": "m",
        "choices": [],
        "usage": {"prompt_tokens": 4, "completion_tokens": 6, "total_tokens": 10},
    },
]


def test_stream_chunks_sum_to_the_folded_message() -> None:
    chunks = [
        convert_chunk_to_generation_chunk(ChatCompletionChunk.model_validate(c)) for c in STREAM
    ]
    assert all(c is not None for c in chunks)
    messages = [c.message for c in chunks if c is not None]
    assert all(isinstance(m, AIMessageChunk) for m in messages)
    last = AIMessageChunk(content="", chunk_position="last")
    total = messages[0]
    for message in [*messages[1:], last]:
        total += message
    assert total.content == "Hello"
    assert total.additional_kwargs == {"reasoning_content": "think"}
    assert total.tool_calls == [
        {"name": "f", "args": {"x": 1}, "id": "call_1", "type": "tool_call"}
    ]
    assert total.usage_metadata == {"input_tokens": 4, "output_tokens": 6, "total_tokens": 10}
    infos = [c.generation_info for c in chunks if c is not None and c.generation_info]
    assert infos[-1] == {
        "finish_reason": "tool_calls",
        "id": "c",
        "model_name": "m",
        "model_provider": "friendli",
    }
    assert [i["logprobs"]["content"][0]["token"] for i in infos if "logprobs" in i] == ["Hel", "lo"]


def test_tool_call_chunk_fields() -> None:
    chunk = convert_chunk_to_generation_chunk(ChatCompletionChunk.model_validate(STREAM[4]))
    assert chunk is not None
    assert chunk.message.tool_call_chunks == [  # type: ignore[attr-defined]
        {"name": "f", "args": "", "id": "call_1", "index": 0, "type": "tool_call_chunk"}
    ]


_EDGE_CHUNKS = [
    {"id": "c", "model": "m", "choices": [{"index": 0, "delta": {"content": "plain"}}]},
    {"choices": [{"delta": {"role": "assistant", "content": ""}}]},
    {"choices": [{"delta": {}}]},
    {"choices": [{"delta": {"content": None, "reasoning_content": ""}}]},
    {"choices": [{"delta": {"content": "a", "reasoning_content": "r"}}]},
    # unknown fields: in the delta, in the choice, at chunk level, None-valued, and a name
    {"choices": [{"delta": {"content": "a", "audio": {"id": "x"}, "nothing": None}}]},
    {"choices": [{"delta": {"content": "a", "name": "bot"}}]},
    {"choices": [{"delta": {"content": "a"}, "stop_reason": 7, "matched": None}]},
    {"id": "c", "system_fingerprint": "fp", "choices": [{"delta": {"content": "a"}}]},
    {"choices": [{"delta": {"content": "a"}, "finish_reason": "length"}], "timings": {"t": 1}},
    {"choices": [{"delta": {"content": "a"}, "logprobs": {"content": []}}]},
    {"choices": [{"delta": {"content": "a"}}], "usage": {"prompt_tokens": 1}},
    {"choices": [{"delta": {"content": "a"}}, {"index": 1, "delta": {"content": "b"}}]},
    {"id": "c", "choices": []},
    {"id": "c", "choices": [], "extra": 1},
    *STREAM,
]


@pytest.mark.parametrize("raw", _EDGE_CHUNKS)
def test_chunk_fast_path_equals_the_general_path(raw: dict) -> None:
    """Every chunk converts as the dump-based general path converts it: nothing is dropped."""
    chunk = ChatCompletionChunk.model_validate(raw)
    fast = convert_chunk_to_generation_chunk(chunk, "requested")
    general = _convert_chunk_dump(chunk.model_dump(exclude_none=True), "requested")
    if general is None:
        assert fast is None
        return
    assert fast is not None
    assert fast.generation_info == general.generation_info
    assert fast.text == general.text
    assert fast.message.model_dump() == general.message.model_dump()
    assert type(fast.message) is type(general.message) is AIMessageChunk
    assert fast == general
    assert fast.message.model_fields_set == general.message.model_fields_set


@pytest.mark.parametrize("reasoning", [None, "", "because"])
@pytest.mark.parametrize("content", ["", " fox", "naïve ✓"])
def test_text_chunks_equal_validated_construction(content: str, reasoning: str | None) -> None:
    """The copied chunks are what validation builds: fields, fields-set, extras, text type.

    Guards the `Prototype` shortcut against a langchain-core upgrade that changes what
    `AIMessageChunk`/`ChatGenerationChunk` validation does.
    """
    extra = {} if reasoning is None else {"additional_kwargs": {"reasoning_content": reasoning}}
    message = AIMessageChunk(content=content, **extra)
    expected = ChatGenerationChunk(message=message)
    fast = text_generation_chunk(content, reasoning)
    assert fast == expected
    assert fast.__dict__.keys() == expected.__dict__.keys()
    assert fast.message.__dict__ == expected.message.__dict__
    assert list(fast.message.__dict__) == list(expected.message.__dict__)  # repr, JSON order
    assert repr(fast) == repr(expected)
    assert fast.message.model_dump_json() == expected.message.model_dump_json()
    assert fast.model_fields_set == expected.model_fields_set
    assert fast.message.model_fields_set == expected.message.model_fields_set
    assert fast.message.__pydantic_extra__ == expected.message.__pydantic_extra__
    assert type(fast.text) is type(expected.text)
    assert fast.message.text == content


def test_text_chunks_share_no_mutable_state() -> None:
    """Each chunk owns its lists and dicts: mutating one (as callbacks may) leaves the next."""
    first = text_generation_chunk("a", "r")
    first.message.response_metadata["x"] = 1
    first.message.additional_kwargs["y"] = 2
    first.message.tool_call_chunks.append({"name": "t", "args": "", "id": "1", "index": 0})  # type: ignore[typeddict-item]
    second = text_generation_chunk("b", "r")
    assert second.message.response_metadata == {}
    assert second.message.additional_kwargs == {"reasoning_content": "r"}
    assert second.message.tool_call_chunks == []
    assert (first + second).message.content == "ab"


def test_unknown_stream_fields_are_kept() -> None:
    delta = {"content": "a", "audio": {"id": "x"}, "name": "bot"}
    raw = {"id": "c", "fp": "x", "choices": [{"delta": delta, "stop_reason": 7}]}
    chunk = convert_chunk_to_generation_chunk(ChatCompletionChunk.model_validate(raw))
    assert chunk is not None
    assert chunk.message.additional_kwargs == {"audio": {"id": "x"}}
    assert chunk.message.name == "bot"
    assert chunk.generation_info == {"stop_reason": 7}
    done = {**raw, "choices": [{"delta": {}, "finish_reason": "stop"}]}
    last = convert_chunk_to_generation_chunk(ChatCompletionChunk.model_validate(done), "m")
    assert last is not None
    assert last.generation_info == {
        "finish_reason": "stop",
        "id": "c",
        "fp": "x",
        "model_name": "m",
        "model_provider": "friendli",
    }


def test_empty_chunk_is_skipped() -> None:
    assert (
        convert_chunk_to_generation_chunk(
            ChatCompletionChunk.model_validate({"id": "c", "choices": []})
        )
        is None
    )


# --------------------------------------------------------------------------- parameters


def test_build_params_overrides_combines_and_filters() -> None:
    params = build_chat_params(
        {"model": "m", "temperature": 0.5, "stop": ["A"], "extra_body": {"x": 1}},
        [HumanMessage("hi")],
        ["B"],
        {
            "temperature": 0.1,
            "stop": ["A", "C"],
            "extra_body": {"y": 2},
            "stream": True,
            "top_k": None,
        },
        stream=False,
        stream_usage=True,
    )
    assert params == {
        "model": "m",
        "temperature": 0.1,
        "top_k": None,  # left out by the core (`_protocol._body`)
        "stop": ["A", "B", "C"],
        "extra_body": {"x": 1, "y": 2},
        "messages": [{"role": "user", "content": "hi"}],
    }


def test_build_params_stream_options() -> None:
    base = {"model": "m"}
    msgs = [HumanMessage("hi")]
    assert build_chat_params(base, msgs, None, {}, stream=True, stream_usage=True)[
        "stream_options"
    ] == {"include_usage": True}
    assert build_chat_params(base, msgs, None, {}, stream=True, stream_usage=False)[
        "stream_options"
    ] == {"include_usage": False}
    per_call = build_chat_params(
        base, msgs, None, {"stream_usage": False}, stream=True, stream_usage=True
    )
    assert per_call["stream_options"] == {"include_usage": False}
    bound = {"stream_options": {"include_usage": True}}
    params = build_chat_params(base, msgs, None, bound, stream=False, stream_usage=True)
    # the core leaves it out of a request that does not stream (decided there, once)
    spec = build_chat_request(ClientConfig(token="t"), params, stream=False)
    assert b"stream_options" not in (spec.content or b"")


def test_streaming_with_n_above_one_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="n > 1 is not supported when streaming"):
        build_chat_params(
            {"model": "m", "n": 2}, [HumanMessage("hi")], None, {}, stream=True, stream_usage=True
        )


def test_combine_stop() -> None:
    assert combine_stop(None, [], None) is None
    assert combine_stop(["a"], "b", ["a", "c"]) == ["a", "b", "c"]


def test_format_tools_sends_function_tools_without_strict() -> None:
    def get_weather(city: str) -> str:
        """Weather of a city."""
        return city

    tool = {"type": "function", "function": {"name": "f", "parameters": {}, "strict": True}}
    assert format_tools([get_weather, tool]) == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Weather of a city.",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                },
            },
        },
        {"type": "function", "function": {"name": "f", "parameters": {}}},
    ]


def test_format_tools_refuses_provider_built_in_tools() -> None:
    with pytest.raises(InvalidRequestError, match="function tools only"):
        format_tools([{"type": "web_search"}])
