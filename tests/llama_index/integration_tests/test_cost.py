"""`FriendliCostHandler` against the local server: each FriendliLLM call counted once, priced."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from llama_index.core import Document, VectorStoreIndex
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import ChatMessage, ChatResponse
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.tools import FunctionTool

from friendli_core.pricing import UsageCounts
from friendli_core.testing import RequestLog
from friendli_core.testing._tokens import count_tokens, render_chat
from langchain_friendli import ChatFriendli, get_friendli_callback
from llama_index_friendli import FriendliCostHandler, FriendliLLM
from tests.pricing_helpers import expected_cost, long_system_prompt, priced_model, unpriced_model

pytestmark = [
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince20"),
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince211"),
]


@pytest.fixture
def cost() -> Iterator[FriendliCostHandler]:
    handler = FriendliCostHandler()
    root = get_dispatcher()
    root.add_event_handler(handler)
    try:
        yield handler
    finally:
        root.event_handlers.remove(handler)


def _counts(response: ChatResponse) -> UsageCounts:
    raw = response.raw
    usage = raw["usage"] if isinstance(raw, dict) else raw.usage.model_dump()
    return UsageCounts.from_usage(usage)


def _messages(system: str, text: str) -> list[ChatMessage]:
    return [ChatMessage(role="system", content=system), ChatMessage(role="user", content=text)]


def _check(cost: FriendliCostHandler, usages: list[UsageCounts]) -> None:
    info = priced_model()
    assert cost.successful_requests == len(usages)
    assert cost.unpriced_requests == 0
    assert cost.prompt_tokens == sum(u.prompt_tokens for u in usages)
    assert cost.completion_tokens == sum(u.completion_tokens for u in usages)
    assert cost.prompt_tokens_cached == sum(u.cached_tokens for u in usages) > 0
    assert cost.cost == expected_cost(info, usages)
    assert cost.total_cost == float(cost.cost) > 0
    assert list(cost.per_model) == [info.id]


def test_chat_and_stream_are_each_counted_once(
    make_llm: Callable[..., FriendliLLM], cost: FriendliCostHandler
) -> None:
    llm, system = make_llm(model=priced_model().id, max_tokens=8), long_system_prompt()
    first = llm.chat(_messages(system, "one"))
    last: Any = None
    for last in llm.stream_chat(_messages(system, "two")):  # noqa: B007 - the final response
        pass
    completion = llm.complete("three " + system)
    usages = [_counts(first), _counts(last), UsageCounts.from_usage(completion.raw["usage"])]
    assert usages[1].cached_tokens > 0
    _check(cost, usages)


async def test_async_chat_stream_and_fifty_concurrent_calls(
    make_llm: Callable[..., FriendliLLM], cost: FriendliCostHandler
) -> None:
    llm, system = make_llm(model=priced_model().id, max_tokens=8), long_system_prompt()
    first = await llm.achat(_messages(system, "warm"))
    last: Any = None
    async for last in await llm.astream_chat(_messages(system, "stream")):  # noqa: B007
        pass
    many = await asyncio.gather(*(llm.achat(_messages(system, f"q{i}")) for i in range(50)))
    _check(cost, [_counts(r) for r in [first, last, *many]])


def _logged_prompt_tokens(requests: RequestLog) -> list[int]:
    return [
        count_tokens(render_chat(r.body["messages"], r.body.get("tools")))
        for r in requests
        if r.path.endswith("/chat/completions")
    ]


def _check_against_log(cost: FriendliCostHandler, requests: RequestLog) -> None:
    prompts = _logged_prompt_tokens(requests)
    assert cost.successful_requests == len(prompts) > 0
    assert cost.prompt_tokens == sum(prompts)
    totals = UsageCounts(cost.prompt_tokens, cost.completion_tokens, cost.prompt_tokens_cached)
    assert cost.cost == expected_cost(priced_model(), [totals])  # flat prices are linear


@pytest.mark.parametrize("streaming", [False, True])
async def test_a_function_agent_counts_every_model_call(
    make_llm: Callable[..., FriendliLLM],
    cost: FriendliCostHandler,
    friendli_requests: RequestLog,
    streaming: bool,
) -> None:
    def multiply(a: int, b: int) -> int:
        """Multiply two integers and return the product."""
        return a * b

    llm = make_llm(model=priced_model().id, max_tokens=64)
    agent = FunctionAgent(
        tools=[FunctionTool.from_defaults(fn=multiply)],
        llm=llm,
        streaming=streaming,
        system_prompt=long_system_prompt(),
    )
    await agent.run("Use multiply to compute 6 times 7")
    assert len(_logged_prompt_tokens(friendli_requests)) == 2
    _check_against_log(cost, friendli_requests)
    assert cost.prompt_tokens_cached > 0


def test_query_and_chat_engines_count_every_model_call(
    make_llm: Callable[..., FriendliLLM], cost: FriendliCostHandler, friendli_requests: RequestLog
) -> None:
    llm, system = make_llm(model=priced_model().id, max_tokens=16), long_system_prompt()
    documents = [Document(text="Sylvania exports cheese."), Document(text="Otters hold hands.")]
    index = VectorStoreIndex.from_documents(documents, embed_model=MockEmbedding(embed_dim=8))
    index.as_query_engine(llm=llm).query("What does Sylvania export?")
    for _ in index.as_query_engine(llm=llm, streaming=True).query("Otters?").response_gen:
        pass
    engine = SimpleChatEngine.from_defaults(llm=llm, system_prompt=system)
    engine.chat("hello")
    for _ in engine.stream_chat("again").response_gen:
        pass
    _check_against_log(cost, friendli_requests)


def test_a_model_without_prices_is_counted_with_its_cost_unknown(
    make_llm: Callable[..., FriendliLLM], cost: FriendliCostHandler, friendli_server: Any
) -> None:
    make_llm(model=unpriced_model(), max_tokens=4).chat([ChatMessage(role="user", content="hi")])
    for endpoint, url in (
        ("dedicated", friendli_server.dedicated_url),
        ("container", friendli_server.container_url),
    ):
        llm = make_llm(model=priced_model().id, endpoint=endpoint, base_url=url, max_tokens=4)
        llm.chat([ChatMessage(role="user", content="hi")])
    assert (cost.successful_requests, cost.unpriced_requests) == (3, 3)
    assert cost.cost == Decimal(0)
    assert cost.prompt_tokens > 0


def test_failed_calls_are_not_counted(
    make_llm: Callable[..., FriendliLLM], cost: FriendliCostHandler, friendli_server: Any
) -> None:
    llm = make_llm(model=priced_model().id, max_retries=0)
    friendli_server.inject_fault("status:500")
    with pytest.raises(Exception):  # noqa: B017 - any failure; the count is the point
        llm.chat([ChatMessage(role="user", content="hi")])
    assert cost.successful_requests == 0


def test_the_same_requests_give_langchain_and_llamaindex_the_same_totals(
    make_llm: Callable[..., FriendliLLM], cost: FriendliCostHandler, friendli_server: Any
) -> None:
    model, system = priced_model().id, long_system_prompt()
    questions = [f"question {i}" for i in range(5)]
    llm = make_llm(model=model, max_tokens=8)
    chat = ChatFriendli(
        model=model, base_url=friendli_server.serverless_url, api_key=friendli_server.token
    )
    for text in questions:  # warm the cache for both runs alike
        llm.chat(_messages(system, text))
    warm = cost.cost
    before = (cost.prompt_tokens, cost.prompt_tokens_cached, cost.completion_tokens)
    for text in questions:
        llm.chat(_messages(system, text))
    with get_friendli_callback() as cb:
        for text in questions:
            chat.invoke([("system", system), ("user", text)], max_tokens=8)
    after = (cost.prompt_tokens, cost.prompt_tokens_cached, cost.completion_tokens)
    assert tuple(a - b for a, b in zip(after, before, strict=True)) == (
        cb.prompt_tokens,
        cb.prompt_tokens_cached,
        cb.completion_tokens,
    )
    assert cost.cost - warm == cb.cost
