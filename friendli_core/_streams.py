"""The open streams the clients return: iterate once, closing the response at the end.

`iter_chunks` / `aiter_chunks` read an SSE body through the pure decoder and stream parser
(refusing a body that is not an event stream, and reading it raw where nothing decodes it);
`Stream` / `AsyncStream` hold the prefetched first chunk (read inside the client's retry loop)
and the rest, and refuse a second iteration.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

import httpx

from friendli_core._base import map_transport_error
from friendli_core._protocol import RequestSpec
from friendli_core._sse import SSEDecoder, is_event_stream
from friendli_core.errors import APIStreamError, StreamConsumedError

if TYPE_CHECKING:
    from friendli_core._streaming import ChatStreamParser, CompletionStreamParser

    _Parser = ChatStreamParser | CompletionStreamParser

__all__ = ["END", "AsyncStream", "Stream", "aiter_chunks", "iter_chunks"]

_T = TypeVar("_T")
END: Any = object()
_CONSUMED = (
    "This stream was already iterated: a stream is read once. Keep the chunks you need while "
    "iterating, or send the request again for a new stream."
)


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


def iter_chunks(response: httpx.Response, parser: _Parser, spec: RequestSpec) -> Iterator[Any]:
    check_event_stream(response.headers.get("content-type", ""), spec)
    decoder = SSEDecoder()
    try:
        for raw in response.iter_raw() if can_read_raw(response) else response.iter_bytes():
            for event, data in decoder.feed(raw):
                chunk = parser.feed(event, data)
                if chunk is not None:
                    yield chunk
    except httpx.TransportError as exc:
        raise map_transport_error(exc, spec) from exc
    parser.close()


async def aiter_chunks(
    response: httpx.Response, parser: _Parser, spec: RequestSpec
) -> AsyncIterator[Any]:
    check_event_stream(response.headers.get("content-type", ""), spec)
    decoder = SSEDecoder()
    try:
        reads = response.aiter_raw() if can_read_raw(response) else response.aiter_bytes()
        async for raw in reads:
            for event, data in decoder.feed(raw):
                chunk = parser.feed(event, data)
                if chunk is not None:
                    yield chunk
    except httpx.TransportError as exc:
        raise map_transport_error(exc, spec) from exc
    parser.close()


class Stream(Generic[_T]):
    """An open stream of chunks: iterate it, and close it (or use `with`) when done early."""

    def __init__(self, first: _T, rest: Iterator[_T], response: httpx.Response) -> None:
        """Wrap the prefetched first chunk, the remaining chunks and the open response."""
        self._first = first
        self._rest = rest
        self._iterated = False
        self.response = response

    def __iter__(self) -> Iterator[_T]:
        """Yield the chunks; the response is closed at the end, on error or on break.

        Raises:
            StreamConsumedError: The stream was iterated before (a stream is read once).
        """
        if self._iterated:
            raise StreamConsumedError(_CONSUMED)
        self._iterated = True
        return self._iterate()

    def _iterate(self) -> Iterator[_T]:
        try:
            if self._first is not END:
                first, self._first = self._first, END
                yield first
                yield from self._rest
        finally:
            self.close()

    def close(self) -> None:
        """Close the response and release the connection."""
        self._rest.close()  # type: ignore[attr-defined]
        self.response.close()

    def __enter__(self) -> Self:
        """Use the stream as a context manager."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the stream."""
        self.close()


class AsyncStream(Generic[_T]):
    """The async twin of `Stream`."""

    def __init__(self, first: _T, rest: AsyncIterator[_T], response: httpx.Response) -> None:
        """Wrap the prefetched first chunk, the remaining chunks and the open response."""
        self._first = first
        self._rest = rest
        self._iterated = False
        self.response = response

    def __aiter__(self) -> AsyncIterator[_T]:
        """Iterate the chunks.

        Raises:
            StreamConsumedError: The stream was iterated before (a stream is read once).
        """
        if self._iterated:
            raise StreamConsumedError(_CONSUMED)
        self._iterated = True
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[_T]:
        try:
            if self._first is not END:
                first, self._first = self._first, END
                yield first
                async for chunk in self._rest:
                    yield chunk
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Close the response and release the connection (also on cancellation)."""
        await self._rest.aclose()  # type: ignore[attr-defined]
        await self.response.aclose()

    async def __aenter__(self) -> Self:
        """Use the stream as an async context manager."""
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the stream."""
        await self.aclose()
