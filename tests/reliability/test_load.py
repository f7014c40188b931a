"""Load over real loopback HTTP: concurrency, threads, long streams, cancellation, leaks.

Each request carries a unique marker that the local server echoes back, so an answer delivered
to the wrong caller fails the test. Leaks are measured on the whole process (the local server
runs in a thread of it): open file descriptors from `/proc/self/fd`, Python memory with
tracemalloc, and the connection pool of the client's own httpx transport.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessageChunk
from llama_index.core.base.llms.types import ChatMessage

from friendli_core import AsyncFriendliClient, FriendliClient
from friendli_core.testing import LOCAL_TOKEN, LocalServer, RequestLog
from langchain_friendli import ChatFriendli
from llama_index_friendli import FriendliLLM
from tests.reliability._stack import MODEL

pytestmark = pytest.mark.reliability

REQUESTS = 1000
IN_FLIGHT = 100
FD_SLACK = 4
MEMORY_SLACK = 1_500_000  # bytes; 1000 requests leaking 1.5 KB each would exceed it


def open_fds() -> int:
    return len(list(Path("/proc/self/fd").iterdir()))


async def fds_settle(baseline: int, deadline: float = 5.0) -> int:
    """Wait for the server side to close its ends of the sockets; return the fd count."""
    end = time.monotonic() + deadline
    while (count := open_fds()) > baseline + FD_SLACK and time.monotonic() < end:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    return count


def connections(client: FriendliClient | AsyncFriendliClient) -> list[Any]:
    """The open connections of all the httpcore pools behind a client's bounded transport."""
    transports = client._http._transport.transports
    return [c for t in transports for c in t._pool.connections]


def rss_bytes() -> int:
    resident = Path("/proc/self/statm").read_text(encoding="ascii").split()[1]
    return int(resident) * os.sysconf("SC_PAGE_SIZE")


def messages(marker: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"request {marker}"}]


async def _fire(client: AsyncFriendliClient, count: int) -> tuple[list[str], int]:
    gate = asyncio.Semaphore(IN_FLIGHT)
    in_flight = peak = 0

    async def one(i: int) -> str:
        nonlocal in_flight, peak
        async with gate:
            in_flight += 1
            peak = max(peak, in_flight)
            try:
                reply = await client.chat(model=MODEL, messages=messages(f"#{i}#"))
            finally:
                in_flight -= 1
        return str(reply.choices[0].message.content)

    answers = await asyncio.gather(*(one(i) for i in range(count)))
    return answers, peak


async def test_1000_requests_100_in_flight_through_one_async_client(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    options = {"token": LOCAL_TOKEN, "base_url": friendli_server.serverless_url}
    async with AsyncFriendliClient(**options) as warm:  # imports, caches, pools warmed
        await _fire(warm, IN_FLIGHT)
    friendli_requests.clear()
    gc.collect()
    fds_before = await fds_settle(open_fds())
    tracemalloc.start()
    try:
        memory_before = tracemalloc.get_traced_memory()[0]
        async with AsyncFriendliClient(**options) as client:
            answers, peak = await _fire(client, REQUESTS)
            assert len(connections(client)) <= IN_FLIGHT
        assert len(friendli_requests) == REQUESTS
        friendli_requests.clear()
        fds_after = await fds_settle(fds_before)
        gc.collect()
        memory_after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert peak == IN_FLIGHT
    assert [f"#{i}#" in a for i, a in enumerate(answers)] == [True] * REQUESTS
    assert fds_after <= fds_before + FD_SLACK
    assert connections(client) == []
    assert memory_after - memory_before < MEMORY_SLACK, memory_after - memory_before


async def test_1000_requests_through_chatfriendli_abatch(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    fds_before = await fds_settle(open_fds())
    model = ChatFriendli(model=MODEL, api_key=LOCAL_TOKEN, base_url=friendli_server.serverless_url)
    inputs = [f"batch item #{i}#" for i in range(REQUESTS)]
    replies = await model.abatch(inputs, config={"max_concurrency": IN_FLIGHT})
    assert len(friendli_requests) == REQUESTS
    assert [f"#{i}#" in str(r.content) for i, r in enumerate(replies)] == [True] * REQUESTS
    assert all(r.response_metadata["finish_reason"] == "stop" for r in replies)
    client = model.async_client
    assert len(connections(client)) <= IN_FLIGHT
    await client.close()
    assert connections(client) == []
    assert await fds_settle(fds_before) <= fds_before + FD_SLACK


def test_8_threads_share_one_sync_chatfriendli_for_500_calls(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    model = ChatFriendli(model=MODEL, api_key=LOCAL_TOKEN, base_url=friendli_server.serverless_url)

    def call(i: int) -> bool:
        return f"#{i}#" in str(model.invoke(f"thread call #{i}#").content)

    with ThreadPoolExecutor(max_workers=8) as threads:
        results = list(threads.map(call, range(500)))
    assert results == [True] * 500
    assert len(friendli_requests) == 500
    assert len(connections(model.client)) <= 8
    model.client.close()


def test_100k_token_stream_is_consumed_with_flat_memory(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    """RSS sampled along the stream stays flat after the first 10k tokens.

    Holding the chunks would cost well over 100 MB for 100,000 chunks; 16 MB of slack allows
    for allocator noise only.
    """
    tokens = 100_000
    friendli_server.inject_fault(f"long:{tokens}", times=1)
    samples: list[int] = []
    content = 0
    last = None
    with FriendliClient(token=LOCAL_TOKEN, base_url=friendli_server.serverless_url) as client:
        stream = client.stream_chat(model=MODEL, messages=messages("long"))
        with stream:
            for count, chunk in enumerate(stream):
                if chunk.choices and chunk.choices[0].delta.content:
                    content += 1
                if count % 10_000 == 0 and count >= 10_000:
                    gc.collect()
                    samples.append(rss_bytes())
                last = chunk
    assert content == tokens
    assert last is not None
    assert last.usage is not None
    assert last.usage.completion_tokens == tokens
    assert len(samples) >= 9
    assert max(samples) - samples[0] < 16 * 2**20, samples


# --------------------------------------------------------------------------- cancellation


async def _cancel_after_first(agen_factory: Any, client: Any = None) -> None:
    """Cancel the consuming task after the first chunk (the connection is open by then)."""
    first = asyncio.Event()

    async def consume() -> None:
        async for _ in agen_factory():
            first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 10)
    if client is not None:
        assert len(connections(client)) == 1, "the stream holds its connection"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def _pool_drains(client: AsyncFriendliClient, deadline: float = 2.0) -> list[Any]:
    end = time.monotonic() + deadline
    while (conns := connections(client)) and time.monotonic() < end:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    return list(conns)


SLOW_LONG = "slow:0.02,long:2000"


async def test_cancelling_a_core_async_stream_closes_the_connection(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    friendli_server.inject_fault(SLOW_LONG, times=1)
    async with AsyncFriendliClient(
        token=LOCAL_TOKEN, base_url=friendli_server.serverless_url
    ) as client:

        async def chunks() -> Any:
            stream = await client.stream_chat(model=MODEL, messages=messages("cancel"))
            async with stream:
                async for chunk in stream:
                    yield chunk

        await _cancel_after_first(chunks, client)
        assert await _pool_drains(client) == []
        # the pool is usable afterwards
        reply = await client.chat(model=MODEL, messages=messages("after"))
        assert "after" in str(reply.choices[0].message.content)


async def test_cancelling_chatfriendli_astream_closes_the_connection(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    friendli_server.inject_fault(SLOW_LONG, times=1)
    model = ChatFriendli(model=MODEL, api_key=LOCAL_TOKEN, base_url=friendli_server.serverless_url)
    await _cancel_after_first(lambda: model.astream("cancel me"), model.async_client)
    assert await _pool_drains(model.async_client) == []
    await model.async_client.close()


async def test_closing_chatfriendli_astream_early_closes_the_connection(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    friendli_server.inject_fault(SLOW_LONG, times=1)
    model = ChatFriendli(model=MODEL, api_key=LOCAL_TOKEN, base_url=friendli_server.serverless_url)
    agen = model.astream("stop early")
    first = await anext(agen)
    assert isinstance(first, AIMessageChunk)
    await agen.aclose()
    assert await _pool_drains(model.async_client) == []
    await model.async_client.close()


async def test_cancelling_friendlillm_astream_chat_closes_the_connection(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    friendli_server.inject_fault(SLOW_LONG, times=1)
    llm = FriendliLLM(model=MODEL, api_key=LOCAL_TOKEN, base_url=friendli_server.serverless_url)

    async def responses() -> Any:
        async for response in await llm.astream_chat([ChatMessage(role="user", content="x")]):
            yield response

    client = llm._async_client()
    await _cancel_after_first(responses, client)
    assert await _pool_drains(client) == []
    await llm.aclose()


async def test_user_supplied_async_client_is_not_closed_by_us(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    http = httpx.AsyncClient()
    model = ChatFriendli(
        model=MODEL,
        api_key=LOCAL_TOKEN,
        base_url=friendli_server.serverless_url,
        http_async_client=http,
    )
    assert "mine" in str((await model.ainvoke("mine")).content)
    await model.async_client.close()
    assert not http.is_closed
    await http.aclose()
