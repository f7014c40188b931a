"""The pure converters, checked against literal Friendli dicts."""

from __future__ import annotations

import pytest
from langchain_core.messages import (
    AIMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from friendli_core import ChatCompletion, InvalidRequestError
from langchain_friendli._convert import (
    convert_dict_to_message,
    create_chat_result,
    create_usage_metadata,
)
from langchain_friendli._messages import convert_message_to_dict, convert_messages

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
