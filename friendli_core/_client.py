"""`FriendliClient` and `AsyncFriendliClient`: the only code that performs I/O.

The twins mirror each other method for method (a parity test keeps them in step). Their bodies
hold control flow only: send, read, sleep, iterate. Request building, response and SSE parsing,
the retry policy and error mapping are shared pure code (`_protocol`, `_streaming`, `_retry`,
`_base`). Streams are opened eagerly: the request is sent, and the first chunk read, inside the
retry loop, so a failure before the first chunk is retried and raised at the call site; after
that, errors surface while iterating and are never retried.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, Unpack

import httpx

import friendli_core._forks as _forks  # noqa: PLR0402 - the module, not the package
from friendli_core._base import (
    UNSET,
    BaseClient,
    ClientOptions,
    map_transport_error,
)
from friendli_core._embeddings import build_embeddings_request
from friendli_core._protocol import (
    RequestSpec,
    build_chat_request,
    build_completion_request,
    build_detokenize_request,
    build_models_request,
    build_render_request,
    build_tokenize_request,
    raise_for_status,
)
from friendli_core._streams import END, AsyncStream, Stream, aiter_chunks, iter_chunks
from friendli_core._upstream_hooks.httpx_client import (
    BoundedAsyncTransport,
    BoundedTransport,
    OwnedAsyncClient,
    OwnedClient,
)
from friendli_core.config import TimeoutTypes
from friendli_core.errors import APIError

if TYPE_CHECKING:  # pydantic's side, imported by the first client (see `_replies`)
    from friendli_core._embedding_types import Embeddings
    from friendli_core._embeddings import EmbeddingsParams
    from friendli_core._streaming import ChatStreamParser, CompletionStreamParser
    from friendli_core.catalog import ModelInfo, RenderParams
    from friendli_core.types import (
        ChatCompletion,
        ChatCompletionChunk,
        ChatCompletionParams,
        Completion,
        CompletionChunk,
        CompletionParams,
    )

    _Parser = ChatStreamParser | CompletionStreamParser

__all__ = ["AsyncFriendliClient", "AsyncStream", "FriendliClient", "Stream"]

_T = TypeVar("_T")


class FriendliClient(BaseClient):
    """Synchronous client for the Friendli chat, completions and tokenizer endpoints.

    Safe to share between threads. Use it as a context manager, or call `close()`, to release
    the connection pool (a user-supplied `http_client` is never closed by us). Safe across
    `os.fork`: a forked child sends through a pool of its own, never its parent's (a
    user-supplied `http_client` is the caller's to replace in the child).
    """

    _owned_http: Callable[..., httpx.Client] = OwnedClient
    _pool_transport = BoundedTransport
    _env_transport = httpx.HTTPTransport

    def __init__(
        self,
        *,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **options: Unpack[ClientOptions],
    ) -> None:
        """Create the client.

        Args:
            http_client: An `httpx.Client` to send with (its headers and limits are kept).
            sleep: Waits between retries (replaceable for tests).
            **options: Token, team, endpoint, base URL, timeout, retries, pool size
                (`max_connections`); see `ClientConfig`.
        """
        super().__init__(**options)
        self._http: httpx.Client = self._make_http(http_client)
        self._adopt_http(owned=http_client is None)
        self._sleep = sleep

    def chat(
        self,
        *,
        timeout: TimeoutTypes = UNSET,
        extra_headers: Mapping[str, str] | None = None,
        **params: Unpack[ChatCompletionParams],
    ) -> ChatCompletion:
        """Create a chat completion; see `ChatCompletionParams` for the fields."""
        spec = build_chat_request(
            self.config,
            params,
            stream=False,
            extra_headers=extra_headers,
            client_headers=self._client_headers,
        )
        return self._retrying(spec, lambda: self._fetch(spec, self._replies.chat, timeout))

    def stream_chat(
        self,
        *,
        timeout: TimeoutTypes = UNSET,
        extra_headers: Mapping[str, str] | None = None,
        **params: Unpack[ChatCompletionParams],
    ) -> Stream[ChatCompletionChunk]:
        """Stream a chat completion; usage is requested unless `stream_options` is given."""
        spec = build_chat_request(
            self.config,
            params,
            stream=True,
            extra_headers=extra_headers,
            client_headers=self._client_headers,
        )
        return self._retrying(spec, lambda: self._open(spec, self._replies.chat_stream, timeout))

    def completions(
        self,
        *,
        timeout: TimeoutTypes = UNSET,
        extra_headers: Mapping[str, str] | None = None,
        **params: Unpack[CompletionParams],
    ) -> Completion:
        """Create a text completion; see `CompletionParams` for the fields."""
        spec = build_completion_request(
            self.config,
            params,
            stream=False,
            extra_headers=extra_headers,
            client_headers=self._client_headers,
        )
        return self._retrying(spec, lambda: self._fetch(spec, self._replies.completion, timeout))

    def stream_completions(
        self,
        *,
        timeout: TimeoutTypes = UNSET,
        extra_headers: Mapping[str, str] | None = None,
        **params: Unpack[CompletionParams],
    ) -> Stream[CompletionChunk]:
        """Stream a text completion."""
        spec = build_completion_request(
            self.config,
            params,
            stream=True,
            extra_headers=extra_headers,
            client_headers=self._client_headers,
        )
        return self._retrying(
            spec, lambda: self._open(spec, self._replies.completion_stream, timeout)
        )

    def embeddings(
        self,
        *,
        timeout: TimeoutTypes = UNSET,
        extra_headers: Mapping[str, str] | None = None,
        **params: Unpack[EmbeddingsParams],
    ) -> Embeddings:
        """Embed `input` (a text or a list of texts) or `tokens`; dedicated and container only.

        See `EmbeddingsParams` for the fields. The vectors are floats, also with
        `encoding_format="base64"` (decoded on arrival).
        """
        spec = build_embeddings_request(
            self.config, params, extra_headers=extra_headers, client_headers=self._client_headers
        )
        return self._retrying(spec, lambda: self._fetch(spec, self._replies.embeddings, timeout))

    def tokenize(self, prompt: str, *, model: str | None = None) -> list[int]:
        """Token IDs of `prompt` under the model's tokenizer."""
        spec = build_tokenize_request(
            self.config, prompt, model=model, client_headers=self._client_headers
        )
        return self._retrying(spec, lambda: self._fetch(spec, self._replies.tokens, UNSET))

    def detokenize(self, tokens: list[int], *, model: str | None = None) -> str:
        """Text of a list of token IDs."""
        spec = build_detokenize_request(
            self.config, tokens, model=model, client_headers=self._client_headers
        )
        return self._retrying(spec, lambda: self._fetch(spec, self._replies.text, UNSET))

    def list_models(self) -> list[ModelInfo]:
        """The models the server lists (`GET /models`): Friendli's catalog or an OpenAI list."""
        spec = build_models_request(self.config, client_headers=self._client_headers)
        return self._retrying(spec, lambda: self._fetch(spec, self._replies.catalog, UNSET))

    def render_chat(self, **params: Unpack[RenderParams]) -> str:
        """The prompt text the model sees for `messages` (and `tools`): `/chat/render`.

        Raises:
            UnsupportedEndpointError: On a container endpoint (no render route); nothing sent.
        """
        spec = build_render_request(self.config, params, client_headers=self._client_headers)
        return self._retrying(spec, lambda: self._fetch(spec, self._replies.text, UNSET))

    def count_chat_tokens(self, **params: Unpack[RenderParams]) -> int:
        """Exact prompt tokens of a chat request: `/chat/render`, then `/tokenize` of the text."""
        text = self.render_chat(**params)
        return len(self.tokenize(text, model=params.get("model")))

    def close(self) -> None:
        """Close the connection pool (only if this client created it); later requests raise.

        After `close()` every request raises `ClientClosedError`, before anything is sent.
        """
        self._mark_closed()
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        """Use the client as a context manager."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the client."""
        self.close()

    # -- I/O ---------------------------------------------------------------------------------

    def _retrying(self, spec: RequestSpec, attempt_fn: Callable[[], _T]) -> _T:
        attempt = 0
        while True:
            try:
                return attempt_fn()
            except APIError as error:
                delay = self._retry.delay(attempt, error)
                if delay is None:
                    raise
                self._log_retry(spec, error, delay, attempt)
            self._sleep(delay)
            attempt += 1

    def _send(self, spec: RequestSpec, timeout: TimeoutTypes) -> httpx.Response:
        if self._generation != _forks.generation:  # a fork, or close() (`_base._CLOSED`)
            self._leave_parent_pool()
        request = self._build_request(spec, timeout)
        try:
            response = self._http.send(request, stream=True)
            if not response.is_success:
                try:
                    content = response.read()
                finally:
                    response.close()
                raise_for_status(response.status_code, response.headers, content, spec)
        except httpx.TransportError as exc:
            raise map_transport_error(exc, spec) from exc
        return response

    def _read(self, spec: RequestSpec, timeout: TimeoutTypes) -> bytes:
        response = self._send(spec, timeout)
        try:
            return response.read()
        except httpx.TransportError as exc:
            raise map_transport_error(exc, spec) from exc
        finally:
            response.close()

    def _fetch(
        self, spec: RequestSpec, parse: Callable[[bytes, RequestSpec], _T], timeout: TimeoutTypes
    ) -> _T:
        return parse(self._read(spec, timeout), spec)

    def _open(self, spec: RequestSpec, parser: type[_Parser], timeout: TimeoutTypes) -> Stream[Any]:
        response = self._send(spec, timeout)
        chunks = iter_chunks(response, parser(spec.method, spec.path), spec)
        try:
            first = next(chunks, END)
        except BaseException:
            response.close()
            raise
        return Stream(first, chunks, response)


class AsyncFriendliClient(BaseClient):
    """Asynchronous twin of `FriendliClient`; safe to share between tasks of one event loop."""

    _owned_http: Callable[..., httpx.AsyncClient] = OwnedAsyncClient
    _pool_transport = BoundedAsyncTransport
    _env_transport = httpx.AsyncHTTPTransport

    def __init__(
        self,
        *,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        """Create the client.

        Args:
            http_client: An `httpx.AsyncClient` to send with (its headers and limits are kept).
            sleep: Waits between retries (default `asyncio.sleep`; replaceable for tests).
            **options: Token, team, endpoint, base URL, timeout, retries, pool size
                (`max_connections`); see `ClientConfig`.
        """
        super().__init__(**options)
        self._http: httpx.AsyncClient = self._make_http(http_client)
        self._adopt_http(owned=http_client is None)
        if sleep is None:
            import asyncio  # noqa: PLC0415 - only async users pay for importing asyncio

            sleep = asyncio.sleep
        self._sleep = sleep

    async def chat(
        self,
        *,
        timeout: TimeoutTypes = UNSET,
        extra_headers: Mapping[str, str] | None = None,
        **params: Unpack[ChatCompletionParams],
    ) -> ChatCompletion:
        """Create a chat completion; see `ChatCompletionParams` for the fields."""
        spec = build_chat_request(
            self.config,
            params,
            stream=False,
            extra_headers=extra_headers,
            client_headers=self._client_headers,
        )
        return await self._retrying(spec, lambda: self._fetch(spec, self._replies.chat, timeout))

    async def stream_chat(
        self,
        *,
        timeout: TimeoutTypes = UNSET,
        extra_headers: Mapping[str, str] | None = None,
        **params: Unpack[ChatCompletionParams],
    ) -> AsyncStream[ChatCompletionChunk]:
        """Stream a chat completion; usage is requested unless `stream_options` is given."""
        spec = build_chat_request(
            self.config,
            params,
            stream=True,
            extra_headers=extra_headers,
            client_headers=self._client_headers,
        )
        return await self._retrying(
            spec, lambda: self._open(spec, self._replies.chat_stream, timeout)
        )

    async def completions(
        self,
        *,
        timeout: TimeoutTypes = UNSET,
        extra_headers: Mapping[str, str] | None = None,
        **params: Unpack[CompletionParams],
    ) -> Completion:
        """Create a text completion; see `CompletionParams` for the fields."""
        spec = build_completion_request(
            self.config,
            params,
            stream=False,
            extra_headers=extra_headers,
            client_headers=self._client_headers,
        )
        return await self._retrying(
            spec, lambda: self._fetch(spec, self._replies.completion, timeout)
        )

    async def stream_completions(
        self,
        *,
        timeout: TimeoutTypes = UNSET,
        extra_headers: Mapping[str, str] | None = None,
        **params: Unpack[CompletionParams],
    ) -> AsyncStream[CompletionChunk]:
        """Stream a text completion."""
        spec = build_completion_request(
            self.config,
            params,
            stream=True,
            extra_headers=extra_headers,
            client_headers=self._client_headers,
        )
        return await self._retrying(
            spec, lambda: self._open(spec, self._replies.completion_stream, timeout)
        )

    async def embeddings(
        self,
        *,
        timeout: TimeoutTypes = UNSET,
        extra_headers: Mapping[str, str] | None = None,
        **params: Unpack[EmbeddingsParams],
    ) -> Embeddings:
        """Embed `input` (a text or a list of texts) or `tokens`; dedicated and container only."""
        spec = build_embeddings_request(
            self.config, params, extra_headers=extra_headers, client_headers=self._client_headers
        )
        return await self._retrying(
            spec, lambda: self._fetch(spec, self._replies.embeddings, timeout)
        )

    async def tokenize(self, prompt: str, *, model: str | None = None) -> list[int]:
        """Token IDs of `prompt` under the model's tokenizer."""
        spec = build_tokenize_request(
            self.config, prompt, model=model, client_headers=self._client_headers
        )
        return await self._retrying(spec, lambda: self._fetch(spec, self._replies.tokens, UNSET))

    async def detokenize(self, tokens: list[int], *, model: str | None = None) -> str:
        """Text of a list of token IDs."""
        spec = build_detokenize_request(
            self.config, tokens, model=model, client_headers=self._client_headers
        )
        return await self._retrying(spec, lambda: self._fetch(spec, self._replies.text, UNSET))

    async def list_models(self) -> list[ModelInfo]:
        """The models the server lists (`GET /models`): Friendli's catalog or an OpenAI list."""
        spec = build_models_request(self.config, client_headers=self._client_headers)
        return await self._retrying(spec, lambda: self._fetch(spec, self._replies.catalog, UNSET))

    async def render_chat(self, **params: Unpack[RenderParams]) -> str:
        """The prompt text the model sees for `messages` (and `tools`): `/chat/render`.

        Raises:
            UnsupportedEndpointError: On a container endpoint (no render route); nothing sent.
        """
        spec = build_render_request(self.config, params, client_headers=self._client_headers)
        return await self._retrying(spec, lambda: self._fetch(spec, self._replies.text, UNSET))

    async def count_chat_tokens(self, **params: Unpack[RenderParams]) -> int:
        """Exact prompt tokens of a chat request: `/chat/render`, then `/tokenize` of the text."""
        text = await self.render_chat(**params)
        return len(await self.tokenize(text, model=params.get("model")))

    async def close(self) -> None:
        """Close the connection pool (only if this client created it); later requests raise.

        After `close()` every request raises `ClientClosedError`, before anything is sent.
        """
        self._mark_closed()
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        """Use the client as an async context manager."""
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the client."""
        await self.close()

    # -- I/O ---------------------------------------------------------------------------------

    async def _retrying(self, spec: RequestSpec, attempt_fn: Callable[[], Awaitable[_T]]) -> _T:
        attempt = 0
        while True:
            try:
                return await attempt_fn()
            except APIError as error:
                delay = self._retry.delay(attempt, error)
                if delay is None:
                    raise
                self._log_retry(spec, error, delay, attempt)
            await self._sleep(delay)
            attempt += 1

    async def _send(self, spec: RequestSpec, timeout: TimeoutTypes) -> httpx.Response:
        if self._generation != _forks.generation:  # a fork, or close() (`_base._CLOSED`)
            self._leave_parent_pool()
        request = self._build_request(spec, timeout)
        try:
            response = await self._http.send(request, stream=True)
            if not response.is_success:
                try:
                    content = await response.aread()
                finally:
                    await response.aclose()
                raise_for_status(response.status_code, response.headers, content, spec)
        except httpx.TransportError as exc:
            raise map_transport_error(exc, spec) from exc
        return response

    async def _read(self, spec: RequestSpec, timeout: TimeoutTypes) -> bytes:
        response = await self._send(spec, timeout)
        try:
            return await response.aread()
        except httpx.TransportError as exc:
            raise map_transport_error(exc, spec) from exc
        finally:
            await response.aclose()

    async def _fetch(
        self, spec: RequestSpec, parse: Callable[[bytes, RequestSpec], _T], timeout: TimeoutTypes
    ) -> _T:
        return parse(await self._read(spec, timeout), spec)

    async def _open(
        self, spec: RequestSpec, parser: type[_Parser], timeout: TimeoutTypes
    ) -> AsyncStream[Any]:
        response = await self._send(spec, timeout)
        chunks = aiter_chunks(response, parser(spec.method, spec.path), spec)
        try:
            first = await anext(chunks, END)
        except BaseException:
            await response.aclose()
            raise
        return AsyncStream(first, chunks, response)
