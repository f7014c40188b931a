"""Decisions shared by the sync and async clients: configuration, timeouts, error mapping.

Everything here is plain code; the twins in `_client.py` only send, sleep and iterate.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Unpack

import httpx

from friendli_core._forks import adopt_inherited, fork_generation
from friendli_core._names import refuse_unknown
from friendli_core._protocol import RequestSpec
from friendli_core._retry import RetryPolicy
from friendli_core._upstream_hooks.httpx_client import (
    DefaultHeaders,
    build_request,
    default_headers,
    environment_mounts,
)
from friendli_core.config import (
    CONNECTION_SETTINGS,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_TIMEOUT,
    ClientConfig,
    ConnectionOptions,
    TimeoutTypes,
    url_origin,
)
from friendli_core.errors import (
    APIConnectionError,
    APIError,
    APIStreamError,
    APITimeoutError,
    ClientClosedError,
    InvalidRequestError,
)

if TYPE_CHECKING:
    from friendli_core._replies import Replies

__all__ = [
    "UNSET",
    "BaseClient",
    "ClientOptions",
    "map_transport_error",
]

logger = logging.getLogger("friendli_core")


class ClientOptions(ConnectionOptions, total=False):
    """Keyword options of both clients: the connection settings, or a `config`, and retries."""

    config: ClientConfig | None
    retry_policy: RetryPolicy | None


_UNSET: Any = object()
# what the clients take besides ClientOptions (the sync and async twins' own arguments)
_CLIENT_ARGUMENTS = (*ClientOptions.__annotations__, "http_client", "sleep")


def to_httpx_timeout(timeout: TimeoutTypes) -> httpx.Timeout:
    """An `httpx.Timeout` from a float, a Timeout or None (no timeout)."""
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is None:
        return httpx.Timeout(None)
    if timeout == DEFAULT_TIMEOUT:
        return httpx.Timeout(DEFAULT_TIMEOUT, connect=DEFAULT_CONNECT_TIMEOUT)
    return httpx.Timeout(float(timeout))


def map_transport_error(exc: Exception, spec: RequestSpec) -> APIError:
    """Map an httpx exception to the core's typed error (never leaks the token)."""
    where = f"{spec.method} {spec.path}"
    if isinstance(exc, httpx.TimeoutException):
        msg = f"Request timed out ({type(exc).__name__}) for {where} at {url_origin(spec.url)}."
        return APITimeoutError(msg, method=spec.method, path=spec.path)
    if isinstance(exc, httpx.TransportError):
        detail = str(exc) or type(exc).__name__
        msg = f"Connection error for {where} at {url_origin(spec.url)}: {detail}."
        return APIConnectionError(msg, method=spec.method, path=spec.path)
    msg = f"Invalid event stream for {where}: {exc}."
    return APIStreamError(msg, method=spec.method, path=spec.path)


# The settings only a pool of our own takes (a user's client has its own), and their defaults.
_OWN_POOL_ONLY = ("proxy", "verify")
_DEFAULTS = {s.name: s.default for s in CONNECTION_SETTINGS}

_MAX_CACHED_URLS = 64
# The generation of a closed client: never the process's, so the one check per request
# (`_generation != fork_generation()`) also finds the closed state, at no extra cost.
_CLOSED = -1


class BaseClient:
    """Configuration and request building shared by `FriendliClient` and `AsyncFriendliClient`."""

    config: ClientConfig
    _http: httpx.Client | httpx.AsyncClient
    _owns_http: bool
    _client_headers: Mapping[str, str] | None  # a user's client's own headers, else None
    _defaults: DefaultHeaders | None  # the default headers of a client we created, else None
    _replies: type[Replies]  # how replies are parsed: pydantic, loaded by the first client
    # makes the pool we create (called with `timeout=` and `transport=`), again in a forked child
    _owned_http: Callable[..., httpx.Client | httpx.AsyncClient]
    # its transport, given `max_connections` and `verify` (`_new_pool`)
    _pool_transport: Callable[..., httpx.BaseTransport | httpx.AsyncBaseTransport]
    _env_transport: Callable[..., httpx.BaseTransport | httpx.AsyncBaseTransport]  # a proxy's
    _generation: int  # the fork generation `_http` belongs to (`_forks`), or _CLOSED

    def __init__(
        self,
        *,
        config: ClientConfig | None = None,
        retry_policy: RetryPolicy | None = None,
        **settings: Unpack[ConnectionOptions],
    ) -> None:
        """Resolve the configuration (arguments, then environment variables).

        Raises:
            InvalidRequestError: An argument the client does not take (a typo, or another
                client's name for a setting); the message names the one to use.
        """
        if unknown := settings.keys() - ConnectionOptions.__annotations__:
            refuse_unknown(type(self).__name__, dict.fromkeys(unknown), _CLIENT_ARGUMENTS)
        self.config = config or ClientConfig.from_env(**settings)
        self._retry = retry_policy or RetryPolicy(max_retries=self.config.max_retries)
        self._timeout = to_httpx_timeout(self.config.timeout)
        self._urls: dict[str, httpx.URL] = {}
        # pydantic and the response models load here, with the first client, not at import
        from friendli_core._replies import Replies  # noqa: PLC0415 - see `_replies`

        self._replies = Replies

    def _request_url(self, url: str) -> httpx.URL:
        """`url` as an `httpx.URL`, parsed once per distinct URL.

        httpx would parse the string again on every request (a large part of building it); a
        client sends to a handful of URLs, and the cache is bounded anyway.
        """
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) >= _MAX_CACHED_URLS:
                self._urls.clear()
            parsed = self._urls[url] = httpx.URL(url)
        return parsed

    def _pool(self) -> dict[str, Any]:
        """The options of the pool this client makes: limits, proxy and TLS verification.

        A CA bundle path becomes an `ssl.SSLContext` here (httpx 0.28 deprecates a path), so
        the configuration itself stays a plain, picklable value.
        """
        n = self.config.max_connections
        given = self.config.verify
        verify = ssl.create_default_context(cafile=given) if isinstance(given, str) else given
        return {
            "limits": httpx.Limits(max_connections=n, max_keepalive_connections=n),
            "proxy": self.config.proxy,
            "verify": verify,
        }

    def _make_http(self, user: httpx.Client | httpx.AsyncClient | None) -> Any:
        """The user's httpx client, or a pool of our own.

        Raises:
            InvalidRequestError: `proxy` or `verify` given with a user's client, which has its
                own (set them on it instead); nothing was sent.
        """
        if user is None:
            return self._new_pool()
        given = [n for n in _OWN_POOL_ONLY if getattr(self.config, n) != _DEFAULTS[n]]
        if given:
            msg = (
                f"{' and '.join(given)} cannot be used with a user-supplied http_client, which "
                f"has its own: pass them to the httpx client (httpx.Client({given[0]}=...)) "
                "or drop the http_client."
            )
            raise InvalidRequestError(msg)
        return user

    def _adopt_http(self, *, owned: bool) -> None:
        """Note how requests merge headers with `self._http`, the client sent with.

        A user's client keeps its own headers (requests must not repeat them); one we created
        has fixed default headers, merged directly (see `_upstream_hooks`).
        """
        self._owns_http = owned
        self._client_headers = None if owned else dict(self._http.headers)
        self._defaults = default_headers(self._http) if owned else None
        self._generation = fork_generation()

    def _mark_closed(self) -> None:
        """Record the closed state: every later request takes `_leave_parent_pool`, and raises."""
        self._generation = _CLOSED

    def _leave_parent_pool(self) -> None:
        """In a forked child, send through a pool of our own, never the parent's (`_forks`).

        A user-supplied client cannot be rebuilt here: it stays, as the caller's to replace.

        Raises:
            ClientClosedError: The client was closed (the closed state outlives a fork).
        """
        if self._generation == _CLOSED:
            msg = (
                f"This {type(self).__name__} is closed: create a new client "
                "(close() released its connections)."
            )
            raise ClientClosedError(msg)
        self._generation = fork_generation()
        if self._owns_http:
            adopt_inherited(self._http)
            self._http = self._new_pool()
            self._adopt_http(owned=True)

    def _new_pool(self) -> httpx.Client | httpx.AsyncClient:
        """The pool this client creates when it is given none (`ClientConfig.max_connections`).

        Its bounded transport verifies TLS as `verify` says; a `proxy` (or, unset, the
        environment's HTTPS_PROXY) is mounted by httpx over it, with the same limits and TLS.
        """
        pool = self._pool()
        transport = self._pool_transport(self.config.max_connections, verify=pool["verify"])
        if pool["proxy"] is None:  # HTTPS_PROXY and NO_PROXY, which httpx would not read here
            direct = self._env_transport
            options = {"verify": pool["verify"], "limits": pool["limits"]}
            pool["mounts"] = environment_mounts(direct, **options)
        return self._owned_http(timeout=self._timeout, transport=transport, **pool)

    def _build_request(self, spec: RequestSpec, timeout: TimeoutTypes) -> httpx.Request:
        """The request to send for `spec`, as `build_request` gives it (see `_upstream_hooks`)."""
        return build_request(
            self._http,
            self._defaults,
            spec.method,
            self._request_url(spec.url),
            headers=spec.headers,
            content=spec.content,
            timeout=self._request_timeout(timeout),
        )

    def __repr__(self) -> str:
        """Show the configuration with the token masked."""
        return f"{type(self).__name__}({self.config!r})"

    def _request_timeout(self, timeout: TimeoutTypes) -> httpx.Timeout:
        return self._timeout if timeout is _UNSET else to_httpx_timeout(timeout)

    @staticmethod
    def _log_retry(spec: RequestSpec, error: APIError, delay: float, attempt: int) -> None:
        logger.info(
            "Retrying %s %s in %.2fs (retry %d) after %s",
            spec.method,
            spec.path,
            delay,
            attempt + 1,
            type(error).__name__,
        )


UNSET: Any = _UNSET
