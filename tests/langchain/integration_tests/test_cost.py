"""`get_friendli_callback()` against the local server: each request counted once, priced exactly."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables.config import ContextThreadPoolExecutor
from langchain_core.tools import tool
from pydantic import BaseModel

from friendli_core.pricing import UsageCounts
from langchain_friendli import (
    ChatFriendli,
    FriendliCallbackHandler,
    FriendliInternalServerError,
    get_friendli_callback,
)
from tests.pricing_helpers import expected_cost, long_system_prompt, priced_model, unpriced_model


def _chat(server: Any, model: str, **kwargs: Any) -> ChatFriendli:
    settings = {"base_url": server.serverless_url, "api_key": server.token, "max_tokens": 8}
    return ChatFriendli(model=model, **{**settings, **kwargs})


def _counts(message: BaseMessage) -> UsageCounts:
    assert isinstance(message, AIMessage)
    meta = message.usage_metadata
    assert meta is not None
    cached = (meta.get("input_token_details") or {}).get("cache_read") or 0
    return UsageCounts(meta["input_tokens"], meta["output_tokens"], cached)


def _check(cb: FriendliCallbackHandler, usages: list[UsageCounts], model: str) -> None:
    info = priced_model()
    assert cb.successful_requests == len(usages)
    assert cb.unpriced_requests == 0
    assert cb.prompt_tokens == sum(u.prompt_tokens for u in usages)
    assert cb.completion_tokens == sum(u.completion_tokens for u in usages)
    assert cb.total_tokens == cb.prompt_tokens + cb.completion_tokens
    assert cb.prompt_tokens_cached == sum(u.cached_tokens for u in usages) > 0
    assert cb.cost == expected_cost(info, usages)
    assert cb.total_cost == float(expected_cost(info, usages)) > 0
    assert list(cb.per_model) == [model]
    assert cb.per_model[model].cost == cb.cost


def _messages(system: str, text: str) -> list[BaseMessage]:
    return [SystemMessage(system), HumanMessage(text)]


def test_invoke_and_stream_are_each_counted_once(friendli_server: Any) -> None:
    model = priced_model().id
    chat, system = _chat(friendli_server, model), long_system_prompt()
    with get_friendli_callback() as cb:
        first = chat.invoke(_messages(system, "one"))
        second = chat.invoke(_messages(system, "two"))
        streamed: Any = None
        for chunk in chat.stream(_messages(system, "three")):
            streamed = chunk if streamed is None else streamed + chunk
    usages = [_counts(first), _counts(second), _counts(streamed)]
    assert usages[0].cached_tokens == 0
    assert usages[2].cached_tokens > 0
    _check(cb, usages, model)
    assert "Total Cost (USD): $" in str(cb)


async def test_async_invoke_stream_and_tasks_are_counted(friendli_server: Any) -> None:
    model = priced_model().id
    chat, system = _chat(friendli_server, model), long_system_prompt()
    with get_friendli_callback() as cb:
        first = await chat.ainvoke(_messages(system, "warm"))
        streamed: Any = None
        async for chunk in chat.astream(_messages(system, "stream")):
            streamed = chunk if streamed is None else streamed + chunk
        gathered = await asyncio.gather(
            *(chat.ainvoke(_messages(system, f"task {i}")) for i in range(4))
        )
    _check(cb, [_counts(m) for m in [first, streamed, *gathered]], model)


def test_a_batch_of_fifty_is_fifty_requests(friendli_server: Any) -> None:
    model = priced_model().id
    chat, system = _chat(friendli_server, model), long_system_prompt()
    chat.invoke(_messages(system, "warm the cache"))  # outside the callback: not counted
    with get_friendli_callback() as cb:
        results = chat.batch(
            [_messages(system, f"question {i}") for i in range(50)], {"max_concurrency": 8}
        )
    assert len(results) == 50
    _check(cb, [_counts(m) for m in results], model)
    assert cb.prompt_tokens_cached == sum(_counts(m).cached_tokens for m in results) > 0


def test_a_tool_loop_and_structured_output_count_every_model_call(friendli_server: Any) -> None:
    @tool
    def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        return f"It is sunny in {city}."

    class Answer(BaseModel):
        city: str

    model = priced_model().id
    chat, system = _chat(friendli_server, model, max_tokens=64), long_system_prompt()
    with get_friendli_callback() as cb:
        messages = _messages(system, "What is the weather in 'Paris'?")
        replies = []
        for _ in range(3):
            reply = chat.bind_tools([get_weather]).invoke(messages)
            replies.append(reply)
            messages.append(reply)
            if not reply.tool_calls:
                break
            for call in reply.tool_calls:
                messages.append(
                    ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"])
                )
        structured = chat.with_structured_output(Answer, include_raw=True).invoke(
            _messages(system, "Name a city as JSON.")
        )
    assert len(replies) >= 2  # a tool call, then the answer
    _check(cb, [*(_counts(r) for r in replies), _counts(structured["raw"])], model)


def test_threads_that_carry_the_context_report_to_the_block(friendli_server: Any) -> None:
    model = priced_model().id
    chat, system = _chat(friendli_server, model), long_system_prompt()
    with get_friendli_callback() as cb:
        chat.invoke(_messages(system, "warm"))
        with ContextThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda i: chat.invoke(_messages(system, str(i))), range(8)))
    assert cb.successful_requests == 9
    assert cb.prompt_tokens_cached >= sum(_counts(m).cached_tokens for m in results) > 0


def test_a_model_without_prices_is_counted_with_its_cost_unknown(friendli_server: Any) -> None:
    priced, unpriced = priced_model().id, unpriced_model()
    with get_friendli_callback() as cb:
        a = _chat(friendli_server, unpriced).invoke("hello")
        b = _chat(friendli_server, priced).invoke("hello")
    assert cb.successful_requests == 2
    assert cb.unpriced_requests == 1
    assert cb.per_model[unpriced].unpriced_requests == 1
    assert cb.per_model[unpriced].cost == Decimal(0)
    assert cb.cost == expected_cost(priced_model(), [_counts(b)])
    assert cb.prompt_tokens == _counts(a).prompt_tokens + _counts(b).prompt_tokens


def test_dedicated_and_container_runs_are_counted_unpriced_even_for_a_snapshot_id(
    friendli_server: Any,
) -> None:
    model = priced_model().id
    with get_friendli_callback() as cb:
        for endpoint, url in (
            ("dedicated", friendli_server.dedicated_url),
            ("container", friendli_server.container_url),
        ):
            ChatFriendli(
                model=model, endpoint=endpoint, base_url=url, api_key=friendli_server.token
            ).invoke("hello", max_tokens=4)
    assert (cb.successful_requests, cb.unpriced_requests, cb.cost) == (2, 2, Decimal(0))
    assert cb.prompt_tokens > 0


def test_failed_requests_are_not_counted_and_nothing_leaks_outside(friendli_server: Any) -> None:
    chat = _chat(friendli_server, priced_model().id, max_retries=1)
    friendli_server.inject_fault("status:500", times=2)
    with get_friendli_callback() as cb, pytest.raises(FriendliInternalServerError):
        chat.invoke("hello")
    assert cb.successful_requests == 0
    friendli_server.clear_faults()
    friendli_server.inject_fault("status:503", times=1)
    with get_friendli_callback() as cb:
        chat.invoke("hello")  # the retry is answered: one request
    assert cb.successful_requests == 1
    chat.invoke("after the block")
    assert cb.successful_requests == 1


async def test_a_create_agent_run_counts_each_model_call(friendli_server: Any) -> None:
    from langchain.agents import create_agent

    @tool
    def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        return f"It is sunny in {city}."

    model = priced_model().id
    agent = create_agent(
        _chat(friendli_server, model, max_tokens=64, streaming=True),
        tools=[get_weather],
        system_prompt=long_system_prompt(),
    )
    with get_friendli_callback() as cb:
        state = await agent.ainvoke({"messages": [("user", "What is the weather in 'Paris'?")]})
    replies = [m for m in state["messages"] if isinstance(m, AIMessage)]
    assert len(replies) == 2
    _check(cb, [_counts(m) for m in replies], model)


def test_from_server_prices_from_the_live_catalog(friendli_server: Any) -> None:
    prices = {"input": "0.001", "output": "0.002", "input_cache_read": "0.0001"}
    friendli_server.register_model("cost-test/live-priced", pricing=prices)
    try:
        chat = ChatFriendli.from_server(
            model="cost-test/live-priced",
            base_url=friendli_server.serverless_url,
            api_key=friendli_server.token,
            max_tokens=4,
        )
        with get_friendli_callback() as cb:
            usage = _counts(chat.invoke("hello"))
    finally:
        friendli_server.unregister_model("cost-test/live-priced")
    expected = usage.prompt_tokens * Decimal("0.001") + usage.completion_tokens * Decimal("0.002")
    assert (cb.cost, cb.unpriced_requests) == (expected, 0)


def test_the_completions_llm_is_counted_from_its_token_usage(friendli_server: Any) -> None:
    from langchain_friendli import Friendli

    llm = Friendli(
        model=priced_model().id,
        base_url=friendli_server.serverless_url,
        api_key=friendli_server.token,
        max_tokens=8,
    )
    with get_friendli_callback() as cb:
        result = llm.generate(["Once upon a time", "In a galaxy far away"])
    assert result.llm_output is not None
    usage = UsageCounts.from_usage(result.llm_output["token_usage"])  # both prompts' requests
    assert (cb.successful_requests, cb.unpriced_requests) == (2, 0)
    assert cb.prompt_tokens == usage.prompt_tokens
    assert cb.cost == expected_cost(priced_model(), [usage]) > 0
