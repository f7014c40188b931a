"""The pure converters of `llama_index_friendli._convert`, with literal wire dicts."""

from __future__ import annotations

import base64
import json
import re

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
    ChatCompletionChunk,
    InvalidRequestError,
    fold_chat_stream,
    fold_completion_stream,
)
from friendli_core.types import ChatMessage as FriendliMessage
from friendli_core.types import Completion, CompletionChunk, CompletionLogprobs, ToolCall
from llama_index_friendli._convert import (
    ChatStreamState,
    CompletionStreamState,
    chat_to_completion_response,
    completion_to_chat_response,
    from_friendli_message,
    to_chat_response,
    to_completion_logprobs,
    to_completion_response,
)
from llama_index_friendli._messages import (
    keep_first_tool_call,
    to_friendli_message_dict,
    to_friendli_message_dicts,
    tool_chat_kwargs,
    tool_selections,
)
from tests.llama_index.unit_tests.mock_api import USAGE_CHUNK, chunk, completion, text_completion

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


# --------------------------------------------------------------------------- streams


def _feed(events: list[dict]) -> list[ChatResponse]:
    state = ChatStreamState()
    return [state.feed(ChatCompletionChunk.model_validate(e)) for e in events]


def test_stream_state_accumulates_text_and_reports_usage_at_the_end() -> None:
    responses = _feed(
        [
            chunk({"role": "assistant", "content": "Hel"}),
            chunk({"content": "lo"}),
            chunk({}, "stop"),
            USAGE_CHUNK,
        ]
    )
    assert [r.delta for r in responses] == ["Hel", "lo", "", ""]
    assert [r.message.content for r in responses] == ["Hel", "Hello", "Hello", "Hello"]
    assert [r.additional_kwargs for r in responses[:3]] == [{}, {}, {}]
    assert responses[-1].additional_kwargs == {
        "prompt_tokens": 9,
        "completion_tokens": 3,
        "total_tokens": 12,
    }
    assert all(isinstance(r.raw, ChatCompletionChunk) for r in responses)
    assert responses[1].raw.choices[0].delta.content == "lo"


def test_stream_state_assembles_tool_calls_by_index() -> None:
    responses = _feed(
        [
            chunk(
                {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_a",
                            "type": "function",
                            "function": {"name": "add", "arguments": ""},
                        }
                    ],
                }
            ),
            chunk(
                {
                    "tool_calls": [
                        {"index": 0, "type": "function", "function": {"arguments": '{"a": 1, '}}
                    ]
                }
            ),
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": 1,
                            "id": "call_b",
                            "type": "function",
                            "function": {"name": "mul", "arguments": '{"x": "é"}'},
                        }
                    ]
                }
            ),
            chunk(
                {
                    "tool_calls": [
                        {"index": 0, "type": "function", "function": {"arguments": '"b": 2}'}}
                    ]
                }
            ),
            chunk({}, "tool_calls"),
        ]
    )
    partial = tool_selections(responses[1], error_on_no_tool_call=False)
    assert [(s.tool_id, s.tool_name, s.tool_kwargs) for s in partial] == [
        ("call_a", "add", {"a": 1})
    ]
    final = tool_selections(responses[-1])
    assert [(s.tool_id, s.tool_name, s.tool_kwargs) for s in final] == [
        ("call_a", "add", {"a": 1, "b": 2}),
        ("call_b", "mul", {"x": "é"}),
    ]
    assert [
        c.function.arguments for c in responses[-1].message.additional_kwargs["tool_calls"]
    ] == ['{"a": 1, "b": 2}', '{"x": "é"}']
    assert responses[0].message.content is None


def test_stream_state_reasoning_delta_and_logprobs() -> None:
    lp = {"content": [{"token": "4", "logprob": -0.2, "top_logprobs": []}]}
    responses = _feed(
        [
            chunk({"role": "assistant", "reasoning_content": "2+2"}),
            chunk({"content": "4"}, logprobs=lp),
            chunk({}, "stop"),
        ]
    )
    assert responses[0].additional_kwargs == {"thinking_delta": "2+2"}
    assert "thinking_delta" not in responses[1].additional_kwargs
    thinking = [b.content for b in responses[-1].message.blocks if isinstance(b, ThinkingBlock)]
    assert thinking == ["2+2"]
    assert responses[-1].logprobs == [[LogProb(token="4", logprob=-0.2)]]


def test_stream_state_before_any_choice_gives_an_empty_message() -> None:
    (response,) = _feed([USAGE_CHUNK])
    assert response.message.content == ""
    assert response.delta == ""
    assert response.additional_kwargs["total_tokens"] == 12


def test_completion_stream_state() -> None:
    state = CompletionStreamState()
    events = [
        {
            "id": "c",
            "object": "text_completion",
            "created": 1,
            "choices": [{"index": 0, "text": " such", "token": 5}],
        },
        {
            "id": "c",
            "object": "text_completion",
            "created": 1,
            "choices": [{"index": 0, "text": " as", "token": 6}],
        },
        {
            "id": "c",
            "object": "text_completion",
            "created": 1,
            "choices": [{"index": 0, "text": "", "finish_reason": "stop"}],
        },
        {
            "id": "c",
            "object": "text_completion",
            "created": 1,
            "choices": [],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
        },
    ]
    responses = [state.feed(CompletionChunk.model_validate(e)) for e in events]
    assert [(r.delta, r.text) for r in responses] == [
        (" such", " such"),
        (" as", " such as"),
        ("", " such as"),
        ("", " such as"),
    ]
    assert responses[-1].additional_kwargs == {
        "prompt_tokens": 1,
        "completion_tokens": 2,
        "total_tokens": 3,
    }


def _mixed_chat_stream() -> list[ChatCompletionChunk]:
    """Reasoning, text with logprobs, two interleaved tool calls, a finish and a usage chunk."""

    def lp(token: str) -> dict:
        top = [{"token": token, "logprob": -0.1}, {"token": "?", "logprob": -2.0}]
        return {"content": [{"token": token, "logprob": -0.1, "top_logprobs": top}]}

    def frag(index: int, **fields: object) -> dict:
        return {"tool_calls": [{"index": index, "type": "function", **fields}]}

    events = [
        chunk({"role": "assistant", "reasoning_content": "think "}),
        chunk({"reasoning_content": "more"}),
        *(chunk({"content": t}, logprobs=lp(t)) for t in ["The", " answer", " is"]),
        chunk(frag(0, id="call_a", function={"name": "add", "arguments": '{"a": '})),
        chunk(frag(1, id="call_b", function={"name": "mul", "arguments": "{}"})),
        chunk(frag(0, function={"arguments": "1}"})),
        chunk({}, "tool_calls"),
        USAGE_CHUNK,
    ]
    return [ChatCompletionChunk.model_validate(e) for e in events]


def test_stream_state_last_response_equals_the_folded_completion() -> None:
    chunks = _mixed_chat_stream()
    state = ChatStreamState()
    responses = [state.feed(c) for c in chunks]
    folded = to_chat_response(fold_chat_stream(chunks))
    last = responses[-1]
    assert last.message == folded.message
    assert last.logprobs == folded.logprobs
    assert last.additional_kwargs == folded.additional_kwargs
    assert last.raw is chunks[-1]
    assert [r.raw for r in responses] == chunks
    # every partial response is the fold of the chunks up to it
    for n in range(1, len(chunks)):
        partial = to_chat_response(fold_chat_stream(chunks[:n]))
        assert responses[n - 1].message == partial.message
        assert responses[n - 1].logprobs == partial.logprobs


def test_stream_state_earlier_responses_keep_their_logprobs() -> None:
    state = ChatStreamState()
    responses = [state.feed(c) for c in _mixed_chat_stream()]
    assert responses[1].logprobs is None
    assert [len(r.logprobs or []) for r in responses[2:5]] == [1, 2, 3]
    assert [lp[0].token for lp in responses[2].logprobs or []] == ["The"]
    assert responses[-1].logprobs == responses[4].logprobs


def _validated(response: ChatResponse) -> ChatResponse:
    """The response rebuilt by validation from the same values."""
    message = response.message
    logprobs = {} if response.logprobs is None else {"logprobs": response.logprobs}
    return ChatResponse(
        message=ChatMessage(
            role=message.role,
            blocks=list(message.blocks),
            additional_kwargs=dict(message.additional_kwargs),
        ),
        delta=response.delta,
        raw=response.raw,
        additional_kwargs=dict(response.additional_kwargs),
        **logprobs,
    )


def test_stream_responses_equal_validated_construction() -> None:
    """Streamed responses and their messages are copies of validated prototypes: each equals
    what validation builds from the same values, fields-set included, and owns its containers.

    Guards the `Prototype` shortcut against a llama-index-core upgrade that changes what
    `ChatMessage`/`ChatResponse` validation does.
    """
    chunks = _mixed_chat_stream()
    state = ChatStreamState()
    responses = [state.feed(c) for c in chunks]
    whole = to_chat_response(fold_chat_stream(chunks))  # the non-streaming conversion
    assert whole.message == _validated(whole).message
    assert whole.message.model_fields_set == _validated(whole).message.model_fields_set
    assert any(isinstance(b, ThinkingBlock) for b in responses[0].message.blocks)
    assert any(isinstance(b, ToolCallBlock) for b in responses[-1].message.blocks)
    for response in responses:
        expected = _validated(response)
        assert response == expected
        assert response.__dict__.keys() == expected.__dict__.keys()
        assert response.model_fields_set == expected.model_fields_set
        assert response.message.__dict__ == expected.message.__dict__
        assert list(response.message.__dict__) == list(expected.message.__dict__)
        assert list(response.__dict__) == list(expected.__dict__)
        assert repr(response) == repr(expected)
        assert response.message.model_fields_set == expected.message.model_fields_set
        assert response.message.__pydantic_extra__ == expected.message.__pydantic_extra__
    first, second = responses[2], responses[3]
    assert first.message.blocks is not second.message.blocks
    assert first.message.additional_kwargs is not second.message.additional_kwargs
    assert first.additional_kwargs is not second.additional_kwargs
    assert first.message.model_fields_set is not second.message.model_fields_set


def _largest_container(obj: object, depth: int = 6) -> int:
    """The length of the largest list/dict/tuple reachable from obj's attributes."""
    if isinstance(obj, str | int | float | bool) or obj is None or depth == 0:
        return 0
    if isinstance(obj, list | tuple | dict):
        items = list(obj.values()) if isinstance(obj, dict) else list(obj)
        return max([len(items), *(_largest_container(i, depth - 1) for i in items[:8])])
    names = list(getattr(obj, "__dict__", {})) + list(getattr(type(obj), "__slots__", ()))
    return max([0, *(_largest_container(getattr(obj, n, None), depth - 1) for n in names)])


def test_stream_states_keep_no_per_chunk_objects() -> None:
    """The fold holds running strings, not per-chunk pieces (it used to re-join them all)."""
    n = 300
    chat = ChatStreamState()
    for i in range(n):
        chat.feed(ChatCompletionChunk.model_validate(chunk({"content": f"t{i} "})))
    completions = CompletionStreamState()
    for i in range(n):
        completions.feed(CompletionChunk.model_validate({"choices": [{"text": f"t{i} "}]}))
    assert _largest_container(chat) < 4
    assert _largest_container(completions) < 4
    last = chat.feed(ChatCompletionChunk.model_validate(chunk({}, "stop")))
    assert last.message.content == "".join(f"t{i} " for i in range(n))


def test_completion_stream_state_matches_the_folded_completion_with_logprobs() -> None:
    def event(text: str, **extra: object) -> CompletionChunk:
        return CompletionChunk.model_validate(
            {
                "id": "c",
                "object": "text_completion",
                "choices": [{"index": 0, "text": text}],
                **extra,
            }
        )

    chunks = [
        *(
            event(t, choices=[{"index": 0, "text": t, "logprobs": lp}])
            for t, lp in [
                (
                    " a",
                    {"tokens": [" a"], "token_logprobs": [-0.5], "top_logprobs": [{" a": -0.5}]},
                ),
                (" b", {"tokens": [" b"], "token_logprobs": [-1.0], "top_logprobs": [None]}),
            ]
        ),
        event("", choices=[{"index": 0, "text": "", "finish_reason": "stop"}]),
        event(
            "", choices=[], usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
        ),
    ]
    state = CompletionStreamState()
    responses = [state.feed(c) for c in chunks]
    folded = to_completion_response(fold_completion_stream(chunks))
    assert (responses[-1].text, responses[-1].logprobs, responses[-1].additional_kwargs) == (
        folded.text,
        folded.logprobs,
        folded.additional_kwargs,
    )
    assert [len(r.logprobs or []) for r in responses] == [1, 2, 2, 2]
    assert all(r.raw is c for r, c in zip(responses, chunks, strict=True))


# --------------------------------------------------------------------------- tool selections


def test_tool_selections_error_or_empty_without_calls() -> None:
    response = ChatResponse(message=ChatMessage(role="assistant", content="No tools needed."))
    assert tool_selections(response, error_on_no_tool_call=False) == []
    with pytest.raises(ValueError, match=re.escape("without calling a tool: 'No tools needed.'")):
        tool_selections(response)


def test_tool_selections_from_stored_additional_kwargs_and_bad_json() -> None:
    bad = {**CALL, "id": "call_2", "function": {"name": "f", "arguments": "not json"}}
    message = ChatMessage(
        role="assistant", content="", additional_kwargs={"tool_calls": [CALL, bad]}
    )
    selections = tool_selections(ChatResponse(message=message))
    assert [(s.tool_id, s.tool_name, s.tool_kwargs) for s in selections] == [
        ("call_1", "get_weather", {"city": "Paris"}),
        ("call_2", "f", {}),
    ]


def test_keep_first_tool_call() -> None:
    second = {**CALL, "id": "call_2"}
    response = to_chat_response(
        ChatCompletion.model_validate(completion(None, tool_calls=[CALL, second]))
    )
    keep_first_tool_call(response)
    assert [s.tool_id for s in tool_selections(response)] == ["call_1"]
    assert [c.id for c in response.message.additional_kwargs["tool_calls"]] == ["call_1"]


def test_response_message_survives_json_storage() -> None:
    wire = {"role": "assistant", "content": None, "tool_calls": [CALL], "reasoning_content": "hm"}
    stored = from_friendli_message(FriendliMessage.model_validate(wire)).model_dump(mode="json")
    restored = ChatMessage.model_validate(json.loads(json.dumps(stored)))
    assert to_friendli_message_dict(restored) == wire
    (selection,) = tool_selections(ChatResponse(message=restored))
    assert (selection.tool_name, selection.tool_kwargs) == ("get_weather", {"city": "Paris"})
