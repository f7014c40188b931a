"""The pool a client creates keeps its connections: `max_connections`, keep-alive equal to it.

Counted by a loopback server (`tests.counting_server`): no timing is asserted. Under httpx's
default pool (20 of 100 connections kept alive) a run like the first one opens about one
connection per request. The pool never holds more than `max_connections` at once, and opens a
few more over a run at most (one being closed as another opens).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from friendli_core import (
    APITimeoutError,
    AsyncFriendliClient,
    ClientConfig,
    FriendliClient,
    InvalidRequestError,
)
from friendli_core._upstream_hooks.httpx_client import SHARD_CONNECTIONS, _Shards
from friendli_core.config import DEFAULT_MAX_CONNECTIONS
from tests.counting_server import REPLY_TEXT, CountingServer

FEW = 5  # connections beyond the limit still allowed (one being closed as another opens)
MESSAGES = [{"role": "user", "content": "hi"}]


async def _send(client: AsyncFriendliClient, requests: int, in_flight: int) -> None:
    left = [requests]

    async def worker() -> None:
        while left[0] > 0:
            left[0] -= 1
            reply = await client.chat(model="m", messages=MESSAGES)
            assert reply.choices[0].message.content == REPLY_TEXT

    await asyncio.gather(*(worker() for _ in range(in_flight)))


@pytest.mark.timeout(120)
async def test_a_thousand_requests_500_in_flight_open_at_most_the_pool() -> None:
    async with CountingServer() as server:
        async with AsyncFriendliClient(token="t", base_url=server.url) as client:
            await _send(client, 1000, 500)
        assert server.requests == 1000
        assert server.most_open <= DEFAULT_MAX_CONNECTIONS
        assert server.accepted <= DEFAULT_MAX_CONNECTIONS + FEW


@pytest.mark.timeout(120)
async def test_the_connections_split_into_small_pools_each_kept_alive() -> None:
    async with CountingServer() as server:
        client = AsyncFriendliClient(token="t", base_url=server.url, max_connections=40)
        await _send(client, 1000, 500)
        transport = client._http._transport  # type: ignore[union-attr]
        pools = [t._pool for t in transport.transports]
        await client.close()
    assert transport.max_connections == 40
    assert [p._max_connections for p in pools] == [SHARD_CONNECTIONS, SHARD_CONNECTIONS, 8]
    assert [p._max_keepalive_connections for p in pools] == [p._max_connections for p in pools]
    assert all(p._ssl_context is transport._ssl for p in pools)  # one TLS context, as verify says
    assert server.requests == 1000
    assert server.most_open <= 40
    assert server.accepted <= 40 + FEW


async def test_a_lightly_used_client_opens_one_pool_and_reuses_its_connection() -> None:
    async with CountingServer() as server:
        async with AsyncFriendliClient(token="t", base_url=server.url) as client:
            await _send(client, 20, 1)
            assert len(client._http._transport.transports) == 1  # type: ignore[union-attr]
        assert server.accepted == 1


def test_shards_fill_the_first_pool_with_a_free_connection() -> None:
    shards = _Shards(2 * SHARD_CONNECTIONS + 3)
    assert shards.sizes == [SHARD_CONNECTIONS, SHARD_CONNECTIONS, 3]
    taken = [shards.take() for _ in range(SHARD_CONNECTIONS + 1)]
    assert taken == [0] * SHARD_CONNECTIONS + [1]
    shards.give(0)
    assert shards.take() == 0  # a freed connection of the first pool is used first
    assert _Shards(1).sizes == [1]
    assert _Shards(SHARD_CONNECTIONS).sizes == [SHARD_CONNECTIONS]
    full = _Shards(2)
    full.take(), full.take()
    with pytest.raises(RuntimeError, match="semaphore"):
        full.take()


async def test_max_connections_bounds_the_pool_and_keeps_it() -> None:
    async with CountingServer(hold=8) as server:
        async with AsyncFriendliClient(token="t", base_url=server.url, max_connections=8) as c:
            await _send(c, 400, 64)
        assert server.requests == 400
        assert server.most_waiting == 8  # the limit is reached, and never passed
        assert not server.held_back
        assert server.most_open <= 8
        assert server.accepted <= 8 + FEW


async def test_a_users_http_client_keeps_its_own_limits() -> None:
    limits = httpx.Limits(max_connections=3, max_keepalive_connections=3)
    async with CountingServer() as server, httpx.AsyncClient(limits=limits) as http:
        client = AsyncFriendliClient(token="t", base_url=server.url, http_client=http)
        await _send(client, 90, 30)
        await client.close()
        assert not http.is_closed  # the user's client is theirs to close
        assert server.most_waiting <= 3
        assert server.most_open <= 3


async def test_the_sync_client_bounds_its_pool_across_threads() -> None:
    async with CountingServer(hold=4) as server:
        client = FriendliClient(token="t", base_url=server.url, max_connections=4)

        def work() -> str | None:
            return client.chat(model="m", messages=MESSAGES).choices[0].message.content

        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(16) as threads:
            texts = await asyncio.gather(*(loop.run_in_executor(threads, work) for _ in range(64)))
        client.close()
    assert texts == [REPLY_TEXT] * 64
    assert server.most_waiting == 4
    assert not server.held_back
    assert server.most_open <= 4
    assert server.accepted <= 4 + FEW
    assert FriendliClient(token="t").config.max_connections == DEFAULT_MAX_CONNECTIONS


@pytest.mark.parametrize("value", [0, -1, 2.5, True, "10"])
def test_max_connections_must_be_a_positive_integer(value: object) -> None:
    with pytest.raises(InvalidRequestError, match="max_connections must be an integer >= 1"):
        ClientConfig(token="t", max_connections=value)  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="max_connections"):
        AsyncFriendliClient(token="t", max_connections=value)  # type: ignore[arg-type]


async def test_a_request_waits_for_a_free_connection_at_most_the_pool_timeout() -> None:
    """Waiting for the pool is bounded by the pool timeout, as httpx's own pool does."""
    async with CountingServer(hold=2, hold_timeout=2.0) as server:
        client = AsyncFriendliClient(
            token="t", base_url=server.url, max_connections=1, max_retries=0
        )
        first = asyncio.create_task(client.chat(model="m", messages=MESSAGES))
        await server.received.wait()  # the first request holds the only connection
        with pytest.raises(APITimeoutError, match="PoolTimeout"):
            await client.chat(model="m", messages=MESSAGES, timeout=httpx.Timeout(30.0, pool=0.05))
        assert server.requests == 1  # the second request was never sent
        assert (await first).choices[0].message.content == REPLY_TEXT
        await client.close()
