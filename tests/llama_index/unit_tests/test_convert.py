"""The pure converters of `llama_index_friendli._convert`, with literal wire dicts."""

from __future__ import annotations

import base64

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    DocumentBlock,
    ImageBlock,
    LogProb,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.tools import FunctionTool

from friendli_core import (
    APIResponseValidationError,
    ChatCompletion,
    InvalidRequestError,
)
from friendli_core.types import ChatMessage as FriendliMessage
from friendli_core.types import Completion, CompletionLogprobs, ToolCall
from llama_index_friendli._convert import (
    chat_to_completion_response,
    completion_to_chat_response,
    from_friendli_message,
    to_chat_response,
    to_completion_logprobs,
    to_completion_response,
)
from llama_index_friendli._messages import (
    to_friendli_message_dict,
    to_friendli_message_dicts,
    tool_chat_kwargs,
)
from tests.llama_index.unit_tests.mock_api import completion, text_completion

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
}


# --------------------------------------------------------------------------- messages out


def test_roles_and_text_messages() -> None:
    messages = [
        ChatMessage(role=MessageRole.SYSTEM, content="Be brief."),
        ChatMessage(role=MessageRole.DEVELOPER, content="Use metric units."),
        ChatMessage(role=MessageRole.USER, content="Hi"),
        ChatMessage(role=MessageRole.ASSISTANT, content="Hello!"),
        ChatMessage(
            role=MessageRole.TOOL, content="20C", additional_kwargs={"tool_call_id": "call_1"}
        ),
    ]
    assert to_friendli_message_dicts(messages) == [
        {"role": "system", "content": "Be brief."},
        {"role": "system", "content": "Use metric units."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "tool", "content": "20C", "tool_call_id": "call_1"},
    ]


def test_user_text_blocks_join_like_content() -> None:
    message = ChatMessage(role="user", blocks=[TextBlock(text="a"), TextBlock(text="b")])
    assert to_friendli_message_dict(message) == {"role": "user", "content": "a\nb"}


def test_user_image_url_and_base64_parts() -> None:
    message = ChatMessage(
        role="user",
        blocks=[
            TextBlock(text="What is in these images?"),
            ImageBlock(url="https://example.com/cat.png"),
            ImageBlock(image=PNG, image_mimetype="image/png"),
        ],
    )
    out = to_friendli_message_dict(message)
    assert out == {
        "role": "user",
        "content": [
            {"type": "text", "text": "What is in these images?"},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
            {
                "type": "image_url",
                "image_url": {"url": "data:image/png;base64," + base64.b64encode(PNG).decode()},
            },
        ],
    }


def test_image_outside_user_message_is_rejected() -> None:
    message = ChatMessage(role="system", blocks=[ImageBlock(url="https://example.com/a.png")])
    with pytest.raises(InvalidRequestError, match="only in user messages"):
        to_friendli_message_dict(message)


def test_unsupported_block_is_rejected() -> None:
    message = ChatMessage(role="user", blocks=[DocumentBlock(data=b"%PDF-1.4", title="a.pdf")])
    with pytest.raises(InvalidRequestError, match="DocumentBlock"):
        to_friendli_message_dict(message)


def test_assistant_tool_call_blocks_and_reasoning_are_sent_back() -> None:
    message = ChatMessage(
        role="assistant",
        blocks=[
            ThinkingBlock(content="The user wants weather."),
            ToolCallBlock(
                tool_call_id="call_1", tool_name="get_weather", tool_kwargs={"city": "Zürich"}
            ),
            ToolCallBlock(tool_call_id="call_2", tool_name="get_time", tool_kwargs='{"tz": "CET"}'),
        ],
    )
    assert to_friendli_message_dict(message) == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Zürich"}'},
            },
            {
                "id": "call_2",
                "type": "function",
                "function": {"name": "get_time", "arguments": '{"tz": "CET"}'},
            },
        ],
        "reasoning_content": "The user wants weather.",
    }


def test_assistant_tool_calls_from_additional_kwargs() -> None:
    stored = ChatMessage(role="assistant", content="", additional_kwargs={"tool_calls": [CALL]})
    model = ChatMessage(
        role="assistant",
        content="Checking.",
        additional_kwargs={"tool_calls": [ToolCall.model_validate(CALL)]},
    )
    assert to_friendli_message_dict(stored) == {
        "role": "assistant",
        "content": None,
        "tool_calls": [CALL],
    }
    assert to_friendli_message_dict(model) == {
        "role": "assistant",
        "content": "Checking.",
        "tool_calls": [CALL],
    }


def test_tool_call_id_only_on_tool_messages() -> None:
    message = ChatMessage(
        role="assistant", content="5", additional_kwargs={"tool_call_id": "call_1"}
    )
    assert to_friendli_message_dict(message) == {"role": "assistant", "content": "5"}


def test_response_message_round_trips_to_the_wire_shape() -> None:
    wire = {
        "role": "assistant",
        "content": None,
        "tool_calls": [CALL],
        "reasoning_content": "think",
    }
    message = from_friendli_message(FriendliMessage.model_validate(wire))
    assert to_friendli_message_dict(message) == wire


@pytest.mark.parametrize(
    ("choice", "required", "expected"),
    [
        (None, False, "auto"),
        (None, True, "required"),
        ("none", True, "none"),
        ("any", False, "required"),
        ("get_weather", False, {"type": "function", "function": {"name": "get_weather"}}),
    ],
)
def test_tool_chat_kwargs_tool_choice(choice: str | None, required: bool, expected: object) -> None:
    """A given choice wins (resolved by the core toolbox); else tool_required picks the default."""
    tool = FunctionTool.from_defaults(fn=lambda city: city, name="get_weather")
    kwargs = tool_chat_kwargs(
        [tool], ["hi"], tool_choice=choice, tool_required=required, parallel=False
    )
    assert kwargs["tool_choice"] == expected
    assert kwargs["tools"][0]["function"]["name"] == "get_weather"


# --------------------------------------------------------------------------- responses in


def test_chat_response_text_usage_and_raw_dict() -> None:
    body = completion("Hello there")
    response = to_chat_response(ChatCompletion.model_validate(body))
    assert response.message.role == MessageRole.ASSISTANT
    assert response.message.content == "Hello there"
    assert response.additional_kwargs == {
        "prompt_tokens": 9,
        "completion_tokens": 3,
        "total_tokens": 12,
    }
    assert isinstance(response.raw, dict)
    assert response.raw["id"] == "chatcmpl-1"
    assert response.raw["choices"][0]["message"]["content"] == "Hello there"
    assert response.logprobs is None


def test_chat_response_tool_calls_in_openai_integration_form() -> None:
    response = to_chat_response(
        ChatCompletion.model_validate(
            completion(None, tool_calls=[CALL], finish_reason="tool_calls")
        )
    )
    message = response.message
    assert message.content is None
    blocks = [b for b in message.blocks if isinstance(b, ToolCallBlock)]
    assert [(b.tool_call_id, b.tool_name, b.tool_kwargs) for b in blocks] == [
        ("call_1", "get_weather", '{"city": "Paris"}')
    ]
    (call,) = message.additional_kwargs["tool_calls"]
    assert (call.id, call.function.name, call.function.arguments) == (
        "call_1",
        "get_weather",
        '{"city": "Paris"}',
    )


def test_chat_response_reasoning_is_a_thinking_block() -> None:
    response = to_chat_response(
        ChatCompletion.model_validate(completion("42", reasoning="Six times seven."))
    )
    thinking = [b for b in response.message.blocks if isinstance(b, ThinkingBlock)]
    assert [b.content for b in thinking] == ["Six times seven."]
    assert response.message.content == "42"


def test_chat_logprobs_become_logprob_lists() -> None:
    logprobs = {
        "content": [
            {
                "token": "Hi",
                "logprob": -0.1,
                "bytes": [72, 105],
                "top_logprobs": [
                    {"token": "Hi", "logprob": -0.1, "bytes": [72, 105]},
                    {"token": "Hey", "logprob": -2.5, "bytes": None},
                ],
            },
            {"token": "!", "logprob": -0.3, "bytes": None, "top_logprobs": []},
        ]
    }
    response = to_chat_response(ChatCompletion.model_validate(completion("Hi!", logprobs=logprobs)))
    assert response.logprobs == [
        [
            LogProb(token="Hi", logprob=-0.1, bytes=[72, 105]),
            LogProb(token="Hey", logprob=-2.5, bytes=[]),
        ],
        [LogProb(token="!", logprob=-0.3, bytes=[])],
    ]


def test_response_without_choices_is_an_error() -> None:
    with pytest.raises(APIResponseValidationError, match="no choices"):
        to_chat_response(ChatCompletion.model_validate({"id": "x", "choices": [], "usage": None}))


def test_completion_response_and_integer_logprobs() -> None:
    logprobs = {
        "tokens": [" a", " b"],
        "token_logprobs": [-0.5, -1.0],
        "text_offset": [0, 2],
        "top_logprobs": [{" a": -0.5, " c": -1.5}, None],
    }
    response = to_completion_response(Completion.model_validate(text_completion(" a b", logprobs)))
    assert response.text == " a b"
    assert response.additional_kwargs == {
        "prompt_tokens": 2,
        "completion_tokens": 2,
        "total_tokens": 4,
    }
    assert response.logprobs == [
        [LogProb(token=" a", logprob=-0.5), LogProb(token=" c", logprob=-1.5)],
        [LogProb(token=" b", logprob=-1.0)],
    ]
    assert to_completion_logprobs(None) is None
    assert to_completion_logprobs(CompletionLogprobs()) == []


def test_chat_and_completion_responses_convert_both_ways_keeping_logprobs() -> None:
    lp = [[LogProb(token="x", logprob=-1.0)]]
    chat = ChatResponse(
        message=ChatMessage(role="assistant", content="x"),
        delta="x",
        logprobs=lp,
        additional_kwargs={"total_tokens": 3},
        raw={"id": "1"},
    )
    done = chat_to_completion_response(chat)
    assert (done.text, done.delta, done.logprobs, done.additional_kwargs, done.raw) == (
        "x",
        "x",
        lp,
        {"total_tokens": 3},
        {"id": "1"},
    )
    back = completion_to_chat_response(done)
    assert (back.message.role, back.message.content, back.delta, back.logprobs) == (
        MessageRole.ASSISTANT,
        "x",
        "x",
        lp,
    )
