"""Core clients for `FriendliLLM`, created lazily, and the stream relays (the adapter's only I/O).

`ClientCache` keeps one sync `FriendliClient` and one `AsyncFriendliClient` per running event
loop (an httpx async pool must never be shared between loops), and rebuilds a client when the
LLM's connection settings changed since it was created. The relays iterate an open core stream,
closing it at the end, on error or when the consumer stops early, and turn each chunk into a
LlamaIndex response through a pure state object from `_convert`.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncGenerator, Generator, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from llama_index.core.base.llms.types import (
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
)

from llama_index_friendli._convert import chat_to_completion_response, completion_to_chat_response

if TYPE_CHECKING:
    # The core clients (and httpx) are imported when the first client is built.
    import httpx

    from friendli_core import AsyncFriendliClient, AsyncStream, FriendliClient, Stream

__all__ = [
    "ClientCache",
    "amap_chat_to_completion",
    "amap_completion_to_chat",
    "arelay",
    "map_chat_to_completion",
    "map_completion_to_chat",
    "relay",
]

_Chunk = TypeVar("_Chunk")
_Out = TypeVar("_Out")
_Chunk_contra = TypeVar("_Chunk_contra", contravariant=True)
_Out_co = TypeVar("_Out_co", covariant=True)


class ClientCache:
    """Lazily created core clients: one sync client, one async client per event loop."""

    def __init__(self) -> None:
        """Start without clients."""
        self._lock = threading.Lock()
        self._sync: tuple[dict[str, Any], FriendliClient] | None = None
        self._async: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[dict[str, Any], AsyncFriendliClient]
        ] = weakref.WeakKeyDictionary()

    def sync(self, options: Mapping[str, Any], http_client: httpx.Client | None) -> FriendliClient:
        """The sync client for these options (created, or re-created after a change)."""
        with self._lock:
            if self._sync is None or self._sync[0] != options:
                from friendli_core import FriendliClient  # noqa: PLC0415 - on first use

                self._sync = (dict(options), FriendliClient(http_client=http_client, **options))
            return self._sync[1]

    def async_(
        self, options: Mapping[str, Any], http_client: httpx.AsyncClient | None
    ) -> AsyncFriendliClient:
        """The async client of the running event loop for these options."""
        loop = asyncio.get_running_loop()
        with self._lock:
            cached = self._async.get(loop)
            if cached is None or cached[0] != options:
                from friendli_core import AsyncFriendliClient  # noqa: PLC0415 - on first use

                client = AsyncFriendliClient(http_client=http_client, **options)
                cached = self._async[loop] = (dict(options), client)
            return cached[1]

    def close(self) -> None:
        """Close the sync client (a user-supplied httpx client stays open)."""
        with self._lock:
            cached, self._sync = self._sync, None
        if cached is not None:
            cached[1].close()

    async def aclose(self) -> None:
        """Close the running loop's async client (a user-supplied httpx client stays open)."""
        with self._lock:
            cached = self._async.pop(asyncio.get_running_loop(), None)
        if cached is not None:
            await cached[1].close()

    def __getstate__(self) -> dict[str, Any]:
        """Pickle as an empty cache: clients and locks are per process."""
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickle as an empty cache."""
        self.__init__()  # type: ignore[misc]


class _State(Protocol[_Chunk_contra, _Out_co]):
    def feed(self, chunk: _Chunk_contra, /) -> _Out_co: ...


def relay(stream: Stream[_Chunk], state: _State[_Chunk, _Out]) -> Generator[_Out, None, None]:
    """Yield `state.feed(chunk)` for each chunk of an open stream, then close it."""
    with stream:
        yield from map(state.feed, stream)


async def arelay(
    stream: AsyncStream[_Chunk], state: _State[_Chunk, _Out]
) -> AsyncGenerator[_Out, None]:
    """Async twin of `relay`."""
    async with stream:
        async for chunk in stream:
            yield state.feed(chunk)


def map_chat_to_completion(responses: ChatResponseGen) -> CompletionResponseGen:
    """Streamed chat responses as completion responses."""
    for response in responses:
        yield chat_to_completion_response(response)


def map_completion_to_chat(responses: CompletionResponseGen) -> ChatResponseGen:
    """Streamed completion responses as chat responses."""
    for response in responses:
        yield completion_to_chat_response(response)


async def amap_chat_to_completion(responses: ChatResponseAsyncGen) -> CompletionResponseAsyncGen:
    """Async twin of `map_chat_to_completion`."""
    async for response in responses:
        yield chat_to_completion_response(response)


async def amap_completion_to_chat(responses: CompletionResponseAsyncGen) -> ChatResponseAsyncGen:
    """Async twin of `map_completion_to_chat`."""
    async for response in responses:
        yield completion_to_chat_response(response)
