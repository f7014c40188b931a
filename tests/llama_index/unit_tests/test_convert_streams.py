"""LlamaIndex stream states, and tool selections."""

from __future__ import annotations

import json
import re

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    LogProb,
    ThinkingBlock,
    ToolCallBlock,
)

from friendli_core import (
    ChatCompletion,
    ChatCompletionChunk,
    fold_chat_stream,
    fold_completion_stream,
)
from friendli_core.types import ChatMessage as FriendliMessage
from friendli_core.types import CompletionChunk
from llama_index_friendli._convert import (
    ChatStreamState,
    CompletionStreamState,
    from_friendli_message,
    to_chat_response,
    to_completion_response,
)
from llama_index_friendli._messages import (
    keep_first_tool_call,
    to_friendli_message_dict,
    tool_selections,
)
from tests.llama_index.unit_tests.mock_api import USAGE_CHUNK, chunk, completion

CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
}


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
