"""Tool calling of `FriendliLLM` against the local server: exact arguments, sync and async."""

from __future__ import annotations

import json

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.tools import FunctionTool

from friendli_core.testing import RequestLog
from llama_index_friendli import FriendliLLM


def multiply(a: int, b: int) -> int:
    """Multiply two integers and return the product."""
    return a * b


def get_weather(city: str) -> str:
    """Report the current weather of a city."""
    return f"It is sunny in {city}."


MULTIPLY = FunctionTool.from_defaults(fn=multiply)
WEATHER = FunctionTool.from_defaults(fn=get_weather)
ASK = "Please call multiply(6, 7)"


def _calls(selections: list) -> list[tuple[str, dict]]:
    return [(s.tool_name, s.tool_kwargs) for s in selections]


async def test_chat_with_tools_sync_and_async(
    llm: FriendliLLM, friendli_requests: RequestLog
) -> None:
    for response in (
        llm.chat_with_tools([MULTIPLY, WEATHER], user_msg=ASK),
        await llm.achat_with_tools([MULTIPLY, WEATHER], user_msg=ASK),
    ):
        selections = llm.get_tool_calls_from_response(response)
        assert _calls(selections) == [("multiply", {"a": 6, "b": 7})]
        assert selections[0].tool_id
        assert response.raw["choices"][0]["finish_reason"] == "tool_calls"
    body = friendli_requests.last.body
    assert [t["function"]["name"] for t in body["tools"]] == ["multiply", "get_weather"]
    assert body["tool_choice"] == "auto"
    assert body["parallel_tool_calls"] is False


async def test_stream_chat_with_tools_sync_and_async(
    llm: FriendliLLM, friendli_requests: RequestLog
) -> None:
    full = llm.chat_with_tools([MULTIPLY], user_msg=ASK)
    sync = list(llm.stream_chat_with_tools([MULTIPLY], user_msg=ASK))
    asynchronous = [r async for r in await llm.astream_chat_with_tools([MULTIPLY], user_msg=ASK)]
    expected = _calls(llm.get_tool_calls_from_response(full))
    for responses in (sync, asynchronous):
        partial = [
            llm.get_tool_calls_from_response(r, error_on_no_tool_call=False) for r in responses
        ]
        assert _calls(partial[-1]) == expected == [("multiply", {"a": 6, "b": 7})]
        assert responses[-1].additional_kwargs == full.additional_kwargs
    assert friendli_requests.last.body["stream"] is True


def test_tool_required_and_named_tool_choice(
    llm: FriendliLLM, friendli_requests: RequestLog
) -> None:
    required = llm.chat_with_tools([WEATHER], user_msg="Hello there", tool_required=True)
    assert friendli_requests.last.body["tool_choice"] == "required"
    assert [s.tool_name for s in llm.get_tool_calls_from_response(required)] == ["get_weather"]
    named = llm.chat_with_tools(
        [MULTIPLY, WEATHER], user_msg="What about Paris?", tool_choice="get_weather"
    )
    assert friendli_requests.last.body["tool_choice"] == {
        "type": "function",
        "function": {"name": "get_weather"},
    }
    assert [s.tool_name for s in llm.get_tool_calls_from_response(named)] == ["get_weather"]


def test_no_tool_call(llm: FriendliLLM, friendli_requests: RequestLog) -> None:
    response = llm.chat_with_tools([MULTIPLY], user_msg="Just say hi", tool_choice="none")
    assert friendli_requests.last.body["tool_choice"] == "none"
    assert response.message.content
    assert llm.get_tool_calls_from_response(response, error_on_no_tool_call=False) == []
    with pytest.raises(ValueError, match="Expected at least one tool call"):
        llm.get_tool_calls_from_response(response)


def test_parallel_tool_calls(llm: FriendliLLM, friendli_requests: RequestLog) -> None:
    ask = "Call multiply(2, 3) and get_weather for Oslo"
    both = llm.chat_with_tools([MULTIPLY, WEATHER], user_msg=ask, allow_parallel_tool_calls=True)
    assert friendli_requests.last.body["parallel_tool_calls"] is True
    assert [s.tool_name for s in llm.get_tool_calls_from_response(both)] == [
        "multiply",
        "get_weather",
    ]
    one = llm.chat_with_tools([MULTIPLY, WEATHER], user_msg=ask)
    assert [s.tool_name for s in llm.get_tool_calls_from_response(one)] == ["multiply"]


def test_unicode_arguments(llm: FriendliLLM) -> None:
    response = llm.chat_with_tools(
        [WEATHER], user_msg='Call get_weather for "Zürich, Ελλάδα"', tool_required=True
    )
    (selection,) = llm.get_tool_calls_from_response(response)
    assert selection.tool_kwargs == {"city": "Zürich, Ελλάδα"}


async def test_predict_and_call_sync_and_async(
    llm: FriendliLLM, friendli_requests: RequestLog
) -> None:
    sync = llm.predict_and_call([MULTIPLY], user_msg=ASK)
    asynchronous = await llm.apredict_and_call([MULTIPLY], user_msg=ASK)
    assert sync.response == asynchronous.response == "42"
    assert sync.sources[0].raw_input == {"args": (), "kwargs": {"a": 6, "b": 7}}
    assert len(friendli_requests) == 2


async def test_tool_result_round_trip(llm: FriendliLLM, friendli_requests: RequestLog) -> None:
    first = await llm.achat_with_tools([MULTIPLY], user_msg=ASK)
    (selection,) = llm.get_tool_calls_from_response(first)
    history = [
        ChatMessage(role="user", content=ASK),
        first.message,
        ChatMessage(
            role="tool", content="42", additional_kwargs={"tool_call_id": selection.tool_id}
        ),
    ]
    answer = await llm.achat_with_tools([MULTIPLY], chat_history=history)
    assert "42" in (answer.message.content or "")
    sent = friendli_requests.last.body["messages"]
    assert sent[1]["tool_calls"][0]["id"] == selection.tool_id
    assert json.loads(sent[1]["tool_calls"][0]["function"]["arguments"]) == {"a": 6, "b": 7}
    assert sent[2] == {"role": "tool", "content": "42", "tool_call_id": selection.tool_id}
