"""The stream relays of `FriendliLLM` (its clients come from `friendli_core.kit`).

The relays iterate an open core stream, closing it at the end, on error or when the consumer
stops early, and turn each chunk into a LlamaIndex response through a pure state object from
`_convert`.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import TYPE_CHECKING, Protocol, TypeVar

from llama_index.core.base.llms.types import (
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
)

from llama_index_friendli._convert import chat_to_completion_response, completion_to_chat_response

if TYPE_CHECKING:
    # The core clients (and httpx) are imported when the first client is built.

    from friendli_core import AsyncStream, Stream

__all__ = [
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
