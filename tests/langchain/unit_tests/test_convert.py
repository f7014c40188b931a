"""The pure converters, checked against literal Friendli dicts."""

from __future__ import annotations

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.outputs import ChatGenerationChunk

from friendli_core import ChatCompletion, ChatCompletionChunk, InvalidRequestError
from langchain_friendli._convert import (
    _convert_chunk_dump,
    build_chat_params,
    combine_stop,
    convert_chunk_to_generation_chunk,
    convert_dict_to_message,
    create_chat_result,
    create_usage_metadata,
    text_generation_chunk,
)
from langchain_friendli._messages import convert_message_to_dict, convert_messages
from langchain_friendli._structured import format_tools

# --------------------------------------------------------------------------- messages -> dicts


def test_system_human_tool_and_names() -> None:
    assert convert_message_to_dict(SystemMessage("Be brief.")) == {
        "role": "system",
        "content": "Be brief.",
    }
    assert convert_message_to_dict(HumanMessage("hi", name="bob")) == {
        "role": "user",
        "content": "hi",
        "name": "bob",
    }
    assert convert_message_to_dict(ToolMessage("5", tool_call_id="call_1")) == {
        "role": "tool",
        "content": "5",
        "tool_call_id": "call_1",
    }


def test_chat_message_keeps_its_role() -> None:
    assert convert_message_to_dict(ChatMessage(role="system", content="x")) == {
        "role": "system",
        "content": "x",
    }
    assert convert_message_to_dict(
        ChatMessage(role="user", content=[{"type": "text", "text": "a"}])
    ) == {
        "role": "user",
        "content": [{"type": "text", "text": "a"}],
    }


def test_system_list_content_is_joined_text() -> None:
    message = SystemMessage(
        [{"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}}, "b"]
    )
    assert convert_message_to_dict(message) == {"role": "system", "content": "a\nb"}


def test_system_with_image_is_refused() -> None:
    message = SystemMessage([{"type": "image_url", "image_url": {"url": "https://x/y.png"}}])
    with pytest.raises(InvalidRequestError, match="system messages take text only"):
        convert_message_to_dict(message)


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("plain", {"type": "text", "text": "plain"}),
        (
            {"type": "text", "text": "t", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "t"},
        ),
        (
            {"type": "image_url", "image_url": "https://x/a.png"},
            {"type": "image_url", "image_url": {"url": "https://x/a.png"}},
        ),
        (
            {"type": "image_url", "image_url": {"url": "https://x/a.png", "detail": "high"}},
            {"type": "image_url", "image_url": {"url": "https://x/a.png"}},
        ),
        (
            {"type": "image", "url": "https://x/a.png"},
            {"type": "image_url", "image_url": {"url": "https://x/a.png"}},
        ),
        (
            {"type": "image", "base64": "AAAA", "mime_type": "image/png"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        ),
        (
            {"type": "image", "source_type": "base64", "data": "AAAA", "mime_type": "image/jpeg"},
            {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,AAAA"}},
        ),
        (
            {
                "type": "image",
                "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"},
            },
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        ),
        (
            {"type": "audio", "url": "https://x/a.wav"},
            {"type": "audio_url", "audio_url": {"url": "https://x/a.wav"}},
        ),
        (
            {"type": "video", "url": "https://x/a.mp4"},
            {"type": "video_url", "video_url": {"url": "https://x/a.mp4"}},
        ),
        (
            {"type": "audio_url", "audio_url": {"url": "https://x/a.wav"}},
            {"type": "audio_url", "audio_url": {"url": "https://x/a.wav"}},
        ),
        (
            {"type": "video_url", "video_url": {"url": "https://x/a.mp4"}},
            {"type": "video_url", "video_url": {"url": "https://x/a.mp4"}},
        ),
        (
            {"type": "input_audio", "input_audio": {"data": "UklG", "format": "wav"}},
            {"type": "audio_url", "audio_url": {"url": "data:audio/wav;base64,UklG"}},
        ),
    ],
)
def test_user_content_parts(part: object, expected: dict) -> None:
    result = convert_message_to_dict(HumanMessage([part]))  # type: ignore[list-item]
    assert result == {"role": "user", "content": [expected]}


@pytest.mark.parametrize(
    ("part", "match"),
    [
        ({"type": "file", "base64": "JVBE", "mime_type": "application/pdf"}, "'file' part"),
        ({"type": "image", "file_id": "file-1"}, "file IDs are not supported"),
        ({"type": "image", "base64": "AAAA"}, "needs a mime_type"),
    ],
)
def test_unsupported_user_parts_are_refused(part: dict, match: str) -> None:
    with pytest.raises(InvalidRequestError, match=match):
        convert_message_to_dict(HumanMessage([part]))


def test_ai_message_with_tool_calls_and_reasoning() -> None:
    message = AIMessage(
        "",
        tool_calls=[
            {"name": "get_weather", "args": {"city": "서울"}, "id": "call_1", "type": "tool_call"}
        ],
        additional_kwargs={"reasoning_content": "Need the weather."},
    )
    assert convert_message_to_dict(message) == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "서울"}'},
            }
        ],
        "reasoning_content": "Need the weather.",
    }


def test_ai_message_invalid_tool_call_is_sent_back_verbatim() -> None:
    message = AIMessage(
        "",
        invalid_tool_calls=[
            {"name": "f", "args": "{bad", "id": "call_9", "error": "x", "type": "invalid_tool_call"}
        ],
    )
    assert convert_message_to_dict(message)["tool_calls"] == [
        {"id": "call_9", "type": "function", "function": {"name": "f", "arguments": "{bad"}}
    ]


def test_ai_list_content_anthropic_and_v1_blocks() -> None:
    anthropic = AIMessage(
        [
            {"type": "thinking", "thinking": "hmm", "signature": "sig"},
            {"type": "text", "text": "Hi"},
            {"type": "tool_use", "id": "foo", "name": "f", "input": {"a": 1}},
        ],
        tool_calls=[{"name": "f", "args": {"a": 1}, "id": "foo", "type": "tool_call"}],
    )
    assert convert_message_to_dict(anthropic) == {
        "role": "assistant",
        "content": "Hi",
        "tool_calls": [
            {"id": "foo", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
        ],
        "reasoning_content": "hmm",
    }
    v1 = AIMessage(
        [
            {"type": "reasoning", "reasoning": "r"},
            {"type": "text", "text": "A"},
            {"type": "text", "text": "B"},
        ]
    )
    assert convert_message_to_dict(v1) == {
        "role": "assistant",
        "content": "AB",
        "reasoning_content": "r",
    }


def test_tool_message_content_forms() -> None:
    assert (
        convert_message_to_dict(ToolMessage([{"type": "text", "text": "ok"}], tool_call_id="c"))[
            "content"
        ]
        == "ok"
    )
    assert (
        convert_message_to_dict(ToolMessage([{"a": 1}], tool_call_id="c"))["content"]
        == '[{"a": 1}]'
    )
    with pytest.raises(InvalidRequestError, match="tool messages take text only"):
        convert_message_to_dict(
            ToolMessage([{"type": "image_url", "image_url": {"url": "u"}}], tool_call_id="c")
        )


def test_function_message_has_no_friendli_role() -> None:
    with pytest.raises(InvalidRequestError, match="no role for FunctionMessage"):
        convert_message_to_dict(FunctionMessage(name="f", content="x"))


def test_anthropic_tool_result_blocks_become_tool_messages() -> None:
    messages = [
        HumanMessage(
            [
                {
                    "type": "tool_result",
                    "tool_use_id": "foo",
                    "content": [{"type": "text", "text": "green"}],
                },
                {"type": "text", "text": "what colour?"},
            ]
        )
    ]
    assert convert_messages(messages) == [
        {"role": "tool", "tool_call_id": "foo", "content": "green"},
        {"role": "user", "content": [{"type": "text", "text": "what colour?"}]},
    ]


# --------------------------------------------------------------------------- responses -> messages


def test_dict_to_message_with_tool_calls_reasoning_and_extras() -> None:
    message = convert_dict_to_message(
        {
            "role": "assistant",
            "content": None,
            "reasoning_content": "think",
            "reasoning_details": [{"type": "summary"}],
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "f", "arguments": '{"x": 1}'},
                },
                {
                    "id": "c2",
                    "type": "function",
                    "function": {"name": "g", "arguments": "{not json"},
                },
                {"id": "c3", "type": "function", "function": {"name": "h", "arguments": "[1, 2]"}},
                {"id": "c4", "type": "function", "function": {"name": "k", "arguments": ""}},
            ],
        }
    )
    assert message.content == ""
    assert message.tool_calls == [
        {"name": "f", "args": {"x": 1}, "id": "c1", "type": "tool_call"},
        {"name": "k", "args": {}, "id": "c4", "type": "tool_call"},
    ]
    assert [(c["name"], c["args"]) for c in message.invalid_tool_calls] == [
        ("g", "{not json"),
        ("h", "[1, 2]"),
    ]
    assert all(c["error"] for c in message.invalid_tool_calls)
    assert message.additional_kwargs == {
        "reasoning_content": "think",
        "reasoning_details": [{"type": "summary"}],
    }
    assert message.response_metadata == {"model_provider": "friendli"}


def test_usage_metadata() -> None:
    assert create_usage_metadata(
        {"prompt_tokens": 9, "completion_tokens": 11, "total_tokens": 20}
    ) == {
        "input_tokens": 9,
        "output_tokens": 11,
        "total_tokens": 20,
    }
    assert create_usage_metadata(
        {
            "prompt_tokens": 9,
            "completion_tokens": 1,
            "total_tokens": 10,
            "prompt_tokens_details": {"cached_tokens": 4},
        }
    )["input_token_details"] == {"cache_read": 4}


def test_chat_result_with_two_choices_and_logprobs() -> None:
    logprobs = {
        "content": [
            {"token": "Hi", "logprob": -0.1, "top_logprobs": [{"token": "Hi", "logprob": -0.1}]}
        ]
    }
    response = ChatCompletion.model_validate(
        {
            "id": "chatcmpl-9",
            "object": "chat.completion",
            "created": 3,
            "model": "m",
            "system_fingerprint": "fp",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "Hi"},
                    "finish_reason": "stop",
                    "logprobs": logprobs,
                },
                {
                    "index": 1,
                    "message": {"role": "assistant", "content": "Yo"},
                    "finish_reason": "length",
                },
            ],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        }
    )
    result = create_chat_result(response)
    assert [g.message.content for g in result.generations] == ["Hi", "Yo"]
    first = result.generations[0]
    assert first.generation_info == {"finish_reason": "stop", "logprobs": logprobs}
    assert result.generations[1].generation_info == {"finish_reason": "length"}
    assert first.message.response_metadata == {
        "id": "chatcmpl-9",
        "created": 3,
        "system_fingerprint": "fp",
        "model_name": "m",
        "model_provider": "friendli",
    }
    assert first.message.usage_metadata == {
        "input_tokens": 3,
        "output_tokens": 2,
        "total_tokens": 5,
    }
    assert result.llm_output == {
        "token_usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        "model_name": "m",
    }


def test_chat_result_without_model_uses_the_requested_one() -> None:
    response = ChatCompletion.model_validate(
        {
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "x"},
                    "finish_reason": "stop",
                }
            ]
        }
    )
    result = create_chat_result(response, "container-model")
    assert result.generations[0].message.response_metadata["model_name"] == "container-model"
    assert result.generations[0].message.usage_metadata is None


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
    assert "stream_options" not in build_chat_params(
        base, msgs, None, bound, stream=False, stream_usage=True
    )


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
