"""Decisions shared by the sync and async clients: configuration, timeouts, error mapping.

Everything here is plain code; the twins in `_client.py` only send, sleep and iterate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict

import httpx

from friendli_core._embeddings import build_embeddings_request
from friendli_core._forks import adopt_inherited, fork_generation
from friendli_core._names import refuse_unknown
from friendli_core._protocol import (
    RequestSpec,
    build_chat_request,
    build_completion_request,
    build_detokenize_request,
    build_models_request,
    build_render_request,
    build_tokenize_request,
)
from friendli_core._retry import RetryPolicy
from friendli_core._sse import is_event_stream
from friendli_core._upstream_hooks.httpx_client import (
    DefaultHeaders,
    build_request,
    default_headers,
)
from friendli_core.config import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_TIMEOUT,
    ClientConfig,
    Endpoint,
    TimeoutTypes,
    url_origin,
)
from friendli_core.errors import APIConnectionError, APIError, APIStreamError, APITimeoutError
from friendli_core.reasoning import check_snapshot_reasoning

if TYPE_CHECKING:
    from friendli_core._replies import Replies

__all__ = [
    "UNSET",
    "BaseClient",
    "ClientOptions",
    "can_read_raw",
    "check_event_stream",
    "map_transport_error",
]

logger = logging.getLogger("friendli_core")


class ClientOptions(TypedDict, total=False):
    """Keyword options shared by both clients (see `ClientConfig` for their meaning)."""

    token: str | None
    team_id: str | None
    endpoint: Endpoint
    base_url: str | None
    timeout: TimeoutTypes
    max_retries: int
    default_headers: Mapping[str, str] | None
    max_connections: int
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


def can_read_raw(response: httpx.Response) -> bool:
    """Whether to read the body with `iter_raw`, a little faster than `iter_bytes`.

    Only when the body is not yet read (an event hook may have read it, or a mock built it
    from bytes) and has no content coding, so that `iter_bytes` would only relay the reads.
    """
    coding: str = response.headers.get("content-encoding", "identity")
    return not response.is_stream_consumed and coding.strip().lower() == "identity"


def check_event_stream(content_type: str, spec: RequestSpec) -> None:
    """Raise `APIStreamError` when a streamed response is not an event stream.

    (A server that ignores `stream: true` and answers JSON, for one.)
    """
    if not is_event_stream(content_type):
        msg = (
            f"Expected an event stream (Content-Type text/event-stream) for {spec.method} "
            f"{spec.path}, got {content_type or 'no Content-Type'!r}."
        )
        raise APIStreamError(msg, method=spec.method, path=spec.path)


_MAX_CACHED_URLS = 64


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
    # its transport, given `max_connections` (`_pool`)
    _pool_transport: Callable[[int], httpx.BaseTransport | httpx.AsyncBaseTransport]
    _generation: int  # the fork generation `_http` belongs to (see `_forks`)

    def __init__(
        self,
        *,
        token: str | None = None,
        team_id: str | None = None,
        endpoint: Endpoint = "serverless",
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        config: ClientConfig | None = None,
        retry_policy: RetryPolicy | None = None,
        **unknown: object,
    ) -> None:
        """Resolve the configuration (arguments, then environment variables).

        Raises:
            InvalidRequestError: An argument the client does not take (a typo, or another
                client's name for a setting); the message names the one to use.
        """
        if unknown:
            refuse_unknown(type(self).__name__, unknown, _CLIENT_ARGUMENTS)
        self.config = config or ClientConfig.from_env(
            token=token,
            team_id=team_id,
            endpoint=endpoint,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            max_connections=max_connections,
        )
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

    def _adopt_http(self, *, owned: bool) -> None:
        """Note how requests merge headers with `self._http`, the client sent with.

        A user's client keeps its own headers (requests must not repeat them); one we created
        has fixed default headers, merged directly (see `_upstream_hooks`).
        """
        self._owns_http = owned
        self._client_headers = None if owned else dict(self._http.headers)
        self._defaults = default_headers(self._http) if owned else None
        self._generation = fork_generation()

    def _leave_parent_pool(self) -> None:
        """In a forked child, send through a pool of our own, never the parent's (`_forks`).

        A user-supplied client cannot be rebuilt here: it stays, as the caller's to replace.
        """
        self._generation = fork_generation()
        if self._owns_http:
            adopt_inherited(self._http)
            self._http = self._new_pool()
            self._adopt_http(owned=True)

    def _new_pool(self) -> httpx.Client | httpx.AsyncClient:
        """The pool this client creates when it is given none (`ClientConfig.max_connections`)."""
        transport = self._pool_transport(self.config.max_connections)
        return self._owned_http(timeout=self._timeout, transport=transport)

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

    def _chat_spec(
        self, params: Mapping[str, Any], *, stream: bool, extra_headers: Mapping[str, str] | None
    ) -> RequestSpec:
        spec = build_chat_request(
            self.config,
            params,
            stream=stream,
            extra_headers=extra_headers,
            client_headers=self._client_headers,
        )
        if self.config.endpoint == "serverless":  # the snapshot knows serverless model codes
            check_snapshot_reasoning(params)
        return spec

    def _completion_spec(
        self, params: Mapping[str, Any], *, stream: bool, extra_headers: Mapping[str, str] | None
    ) -> RequestSpec:
        return build_completion_request(
            self.config,
            params,
            stream=stream,
            extra_headers=extra_headers,
            client_headers=self._client_headers,
        )

    def _tokenize_spec(self, prompt: str, model: str | None) -> RequestSpec:
        return build_tokenize_request(
            self.config, prompt, model=model, client_headers=self._client_headers
        )

    def _detokenize_spec(self, tokens: list[int], model: str | None) -> RequestSpec:
        return build_detokenize_request(
            self.config, tokens, model=model, client_headers=self._client_headers
        )

    def _render_spec(self, params: Mapping[str, Any]) -> RequestSpec:
        return build_render_request(self.config, params, client_headers=self._client_headers)

    def _embeddings_spec(
        self, params: Mapping[str, Any], extra_headers: Mapping[str, str] | None
    ) -> RequestSpec:
        return build_embeddings_request(
            self.config, params, extra_headers=extra_headers, client_headers=self._client_headers
        )

    def _models_spec(self) -> RequestSpec:
        return build_models_request(self.config, client_headers=self._client_headers)

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
