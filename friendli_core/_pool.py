"""The transports of the pools the core creates: at most `max_connections` requests enter them.

httpcore's pool keeps the requests waiting for a connection in a list it scans, with every
connection, each time a request arrives or a response closes; with many requests waiting,
that scan costs more than the requests. A request that finds every connection busy can also
be handed a connection another one was just given, and then makes the pool close an idle
connection and open a new one. So requests wait here instead, on a semaphore with one slot
per connection, taken before the request is sent and given back when its response is closed
(read to the end, or closed early): the pool always has a free connection for a request that
enters it, never holds more than `max_connections`, and keeps them all (keep-alive equals the
limit; httpx still closes a connection left idle for its keep-alive expiry, 5 s).

Public httpx API only: a transport wrapping `httpx.HTTPTransport` / `AsyncHTTPTransport`, and the
response's byte stream wrapped so that closing it gives the slot back. The stream is iterated
as the inner one is (no layer per chunk). The wait for a slot is bounded by the request's
pool timeout, raised as httpx's `PoolTimeout` as the pool itself would.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, cast

import httpx

if TYPE_CHECKING:
    import asyncio

__all__ = ["BoundedAsyncTransport", "BoundedTransport", "pool_limits"]


def pool_limits(max_connections: int) -> httpx.Limits:
    """The limits of a pool the package creates: every connection it opens is kept alive.

    A smaller keep-alive than the limit makes httpcore close a connection that was just
    released while other requests wait for one, and open a new one for them (encode/httpcore
    issue 1110): under load, close to one connection per request.
    """
    return httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)


def _pool_timeout(request: httpx.Request) -> float | None:
    timeout: dict[str, float | None] = request.extensions.get("timeout", {})
    return timeout.get("pool")


def _pool_timeout_error(request: httpx.Request) -> httpx.PoolTimeout:
    msg = "Timed out waiting for a free connection of the pool (max_connections)."
    return httpx.PoolTimeout(msg, request=request)


class _Release:
    """Gives a slot back once, however many times the response is closed."""

    __slots__ = ("_release",)

    def __init__(self, release: Callable[[], None]) -> None:
        self._release: Callable[[], None] | None = release

    def __call__(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


class _SyncStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, release: _Release) -> None:
        self._inner = inner
        self._release = release

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._inner)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            self._release()


class _AsyncStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, release: _Release) -> None:
        self._inner = inner
        self._release = release

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._inner.__aiter__()

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._release()


class BoundedTransport(httpx.BaseTransport):
    """`httpx.HTTPTransport` entered by at most `max_connections` requests at once."""

    def __init__(self, max_connections: int) -> None:
        """Create the pool (every connection kept alive) and its slots."""
        self._inner = httpx.HTTPTransport(limits=pool_limits(max_connections))
        self._slots = threading.BoundedSemaphore(max_connections)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send once a slot is free; the slot is given back when the response is closed."""
        timeout = _pool_timeout(request)
        if not self._slots.acquire(timeout=timeout):
            raise _pool_timeout_error(request)
        release = _Release(self._slots.release)
        try:
            response = self._inner.handle_request(request)
        except BaseException:
            release()
            raise
        response.stream = _SyncStream(cast("httpx.SyncByteStream", response.stream), release)
        return response

    def close(self) -> None:
        """Close the pool's connections."""
        self._inner.close()


class BoundedAsyncTransport(httpx.AsyncBaseTransport):
    """`httpx.AsyncHTTPTransport` entered by at most `max_connections` requests at once."""

    def __init__(self, max_connections: int) -> None:
        """Create the pool (every connection kept alive); its slots are made on first use."""
        self._inner = httpx.AsyncHTTPTransport(limits=pool_limits(max_connections))
        self._max = max_connections
        self._slots: asyncio.Semaphore | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send once a slot is free; the slot is given back when the response is closed."""
        import asyncio  # noqa: PLC0415 - only async users pay for importing asyncio

        slots = self._slots
        if slots is None:
            slots = self._slots = asyncio.Semaphore(self._max)
        if slots.locked():
            try:
                async with asyncio.timeout(_pool_timeout(request)):
                    await slots.acquire()
            except TimeoutError:
                raise _pool_timeout_error(request) from None
        else:
            await slots.acquire()  # free: returns at once
        release = _Release(slots.release)
        try:
            response = await self._inner.handle_async_request(request)
        except BaseException:
            release()
            raise
        response.stream = _AsyncStream(cast("httpx.AsyncByteStream", response.stream), release)
        return response

    async def aclose(self) -> None:
        """Close the pool's connections."""
        await self._inner.aclose()
