"""httpx hooks: the clients the core creates, their pools, and their requests built directly.

See `friendli_core._upstream_hooks` for why they exist and what they rely on.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from http.cookiejar import CookieJar
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import httpx

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "BoundedAsyncTransport",
    "BoundedTransport",
    "DefaultHeaders",
    "OwnedAsyncClient",
    "OwnedClient",
    "build_request",
    "default_headers",
    "environment_mounts",
    "merge_headers",
    "pool_limits",
]

DefaultHeaders = list[tuple[str, str, str]]  # (name, lower-case name, value)
# what httpx's `cookies` setter accepts (httpx names this type only in a private module)
_CookieTypes = httpx.Cookies | CookieJar | dict[str, str] | list[tuple[str, str]]


class _Cookies(httpx.Cookies):
    """A jar that only parses responses which set a cookie."""

    def extract_cookies(self, response: httpx.Response) -> None:
        """Store the cookies `response` sets, if it sets any."""
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:
            super().extract_cookies(response)


class _OwnCookies:
    """Gives an httpx client a `_Cookies` jar (through httpx's public `cookies` property)."""

    _own_cookies: _Cookies

    @property
    def cookies(self) -> httpx.Cookies:
        """The client's cookie jar."""
        return self._own_cookies

    @cookies.setter
    def cookies(self, cookies: _CookieTypes) -> None:
        self._own_cookies = _Cookies(cookies)


class OwnedClient(_OwnCookies, httpx.Client):
    """The `httpx.Client` a `FriendliClient` creates when it is given none."""

    def __init__(self, *, timeout: httpx.Timeout, **options: Any) -> None:
        """Create the client (httpx sets its jar directly, so ours is set after).

        `options` are `httpx.Client` arguments that leave `build_request` alone (`limits`,
        `event_hooks`, `transport`); nothing that sets a base URL, params, auth or cookies.
        """
        super().__init__(timeout=timeout, **options)
        self.cookies = {}


class OwnedAsyncClient(_OwnCookies, httpx.AsyncClient):
    """The `httpx.AsyncClient` an `AsyncFriendliClient` creates when it is given none."""

    def __init__(self, *, timeout: httpx.Timeout, **options: Any) -> None:
        """Create the client; `options` as for `OwnedClient`."""
        super().__init__(timeout=timeout, **options)
        self.cookies = {}


def default_headers(client: httpx.Client | httpx.AsyncClient) -> DefaultHeaders:
    """The client's default headers, in order and as spelled, as `merge_headers` takes them."""
    encoding = client.headers.encoding
    raw = [(name.decode(encoding), value.decode(encoding)) for name, value in client.headers.raw]
    return [(name, name.lower(), value) for name, value in raw]


def merge_headers(defaults: DefaultHeaders, headers: Mapping[str, str]) -> list[tuple[str, str]]:
    """What `httpx.Headers(defaults).update(headers)` gives, as `build_request` merges them.

    The defaults that `headers` does not name (in any case) keep their order; `headers` follow.
    """
    named = {name.lower() for name in headers}
    merged = [(name, value) for name, lower, value in defaults if lower not in named]
    merged.extend(headers.items())
    return merged


def build_request(
    http: httpx.Client | httpx.AsyncClient,
    defaults: DefaultHeaders | None,
    method: str,
    url: httpx.URL,
    *,
    headers: Mapping[str, str],
    content: bytes | None,
    timeout: httpx.Timeout,
) -> httpx.Request:
    """What `http.build_request(...)` gives; built directly when that is all it would do.

    `defaults` are the default headers of a client we created (None for a user's client). Such
    a client has no base URL, params or auth, so while its jar is empty `build_request` would
    only merge the default headers and set the timeout.
    """
    if defaults is not None and not http.cookies:
        return httpx.Request(
            method,
            url,
            headers=merge_headers(defaults, headers),
            content=content,
            extensions={"timeout": timeout.as_dict()},
        )
    return http.build_request(method, url, headers=headers, content=content, timeout=timeout)


def environment_mounts(
    transport: Callable[..., httpx.BaseTransport | httpx.AsyncBaseTransport], **options: Any
) -> dict[str, Any]:
    """Httpx's proxy mounts for HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY.

    httpx reads those variables only for a client without its own `transport`; the clients the
    core creates have one (a bounded pool), so they mount the environment's proxies
    themselves, as httpx would: a `transport(proxy=..., **options)` per proxied pattern, and
    None (no proxy) for the NO_PROXY hosts. Relies on `httpx._utils.get_environment_proxies`.
    """
    from httpx._utils import get_environment_proxies  # noqa: PLC0415 - see the docstring

    return {
        pattern: None if url is None else transport(proxy=url, **options)
        for pattern, url in get_environment_proxies().items()
    }


# The transports of the pools the core creates (see the package docstring).
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


SHARD_CONNECTIONS = 16
"""Connections per httpcore pool inside one bounded transport (see `_Shards`)."""


class _Shards:
    """Which of a transport's httpcore pools a request enters: the first with a free connection.

    httpcore scans every connection of a pool each time a request starts or a response closes,
    and for each idle one counts the idle connections again and probes its socket: the cost
    per request grows with the square of the pool's idle connections, and connections stand
    idle between a response's close and the next waiting request's start. Pools of at most
    `SHARD_CONNECTIONS` keep each scan short whatever `max_connections` is. Filling the first
    pool first keeps a lightly used client on few connections, reused. The caller's semaphore
    guarantees a free connection somewhere; a sync caller serializes `take` and `give`.
    """

    __slots__ = ("busy", "sizes")

    def __init__(self, max_connections: int) -> None:
        full, rest = divmod(max_connections, SHARD_CONNECTIONS)
        self.sizes = [SHARD_CONNECTIONS] * full + ([rest] if rest else [])
        self.busy = [0] * len(self.sizes)

    def take(self) -> int:
        """A pool with a free connection, now counted as busy."""
        busy = self.busy
        for index, size in enumerate(self.sizes):
            if busy[index] < size:
                busy[index] += 1
                return index
        msg = "no free connection: the transport's semaphore should have waited"
        raise RuntimeError(msg)

    def give(self, index: int) -> None:
        """A connection of pool `index` is free again."""
        self.busy[index] -= 1


def _shared_ssl(*, verify: bool | ssl.SSLContext) -> ssl.SSLContext:
    """One TLS context for all of a transport's pools (httpx would make one per pool)."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    return httpx.create_ssl_context(verify=verify)


_Inner = TypeVar("_Inner", httpx.HTTPTransport, httpx.AsyncHTTPTransport)


class _Pools(Generic[_Inner]):
    """The httpx transports of a bounded transport, one per pool of `_Shards`, opened on use."""

    def __init__(
        self, make: type[_Inner], max_connections: int, *, verify: bool | ssl.SSLContext
    ) -> None:
        self._make: type[_Inner] = make
        self._shards = _Shards(max_connections)
        self._inner: list[_Inner | None] = [None] * len(self._shards.sizes)
        self._ssl = _shared_ssl(verify=verify)

    def _enter(self) -> tuple[int, _Inner]:
        """A pool with a free connection (now counted busy), and its transport."""
        index = self._shards.take()
        inner = self._inner[index]
        if inner is None:
            limits = pool_limits(self._shards.sizes[index])
            inner = self._inner[index] = self._make(limits=limits, verify=self._ssl)
        return index, inner

    @property
    def max_connections(self) -> int:
        """The most connections open at once, over all its pools."""
        return sum(self._shards.sizes)

    @property
    def transports(self) -> list[_Inner]:
        """The httpx transports opened so far, one per pool of connections (for inspection)."""
        return [inner for inner in self._inner if inner is not None]


class BoundedTransport(_Pools[httpx.HTTPTransport], httpx.BaseTransport):
    """httpx transports entered by at most `max_connections` requests at once (`_Shards`)."""

    def __init__(self, max_connections: int, *, verify: bool | ssl.SSLContext = True) -> None:
        """Prepare the pools (every connection kept alive, TLS as `verify` says) and slots."""
        super().__init__(httpx.HTTPTransport, max_connections, verify=verify)
        self._slots = threading.BoundedSemaphore(max_connections)
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send once a slot is free; the slot is given back when the response is closed."""
        if not self._slots.acquire(timeout=_pool_timeout(request)):
            raise _pool_timeout_error(request)
        with self._lock:
            index, inner = self._enter()
        release = _Release(lambda: self._give(index))
        try:
            response = inner.handle_request(request)
        except BaseException:
            release()
            raise
        response.stream = _SyncStream(cast("httpx.SyncByteStream", response.stream), release)
        return response

    def _give(self, index: int) -> None:
        with self._lock:
            self._shards.give(index)
        self._slots.release()

    def close(self) -> None:
        """Close the pools' connections."""
        for inner in self.transports:
            inner.close()


class BoundedAsyncTransport(_Pools[httpx.AsyncHTTPTransport], httpx.AsyncBaseTransport):
    """Async twin of `BoundedTransport` (one event loop: no lock)."""

    def __init__(self, max_connections: int, *, verify: bool | ssl.SSLContext = True) -> None:
        """Prepare the pools (every connection kept alive); the slots are made on first use."""
        super().__init__(httpx.AsyncHTTPTransport, max_connections, verify=verify)
        self._slots: asyncio.Semaphore | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send once a slot is free; the slot is given back when the response is closed."""
        import asyncio  # noqa: PLC0415 - only async users pay for importing asyncio

        slots = self._slots
        if slots is None:
            slots = self._slots = asyncio.Semaphore(self.max_connections)
        if slots.locked():
            try:
                async with asyncio.timeout(_pool_timeout(request)):
                    await slots.acquire()
            except TimeoutError:
                raise _pool_timeout_error(request) from None
        else:
            await slots.acquire()  # free: returns at once
        index, inner = self._enter()
        release = _Release(lambda: self._give(index, slots))
        try:
            response = await inner.handle_async_request(request)
        except BaseException:
            release()
            raise
        response.stream = _AsyncStream(cast("httpx.AsyncByteStream", response.stream), release)
        return response

    def _give(self, index: int, slots: asyncio.Semaphore) -> None:
        self._shards.give(index)
        slots.release()

    async def aclose(self) -> None:
        """Close the pools' connections."""
        for inner in self.transports:
            await inner.aclose()
