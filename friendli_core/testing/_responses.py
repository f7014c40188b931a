"""ASGI responses of the local server: SSE streams with faults, dropped and hanging requests."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from friendli_core.testing._faults import Faults
from friendli_core.testing._proto import close_connection
from friendli_core.testing._state import ServerState
from friendli_core.testing._wire import DONE, error_body, error_event, sse

__all__ = ["DropResponse", "HangResponse", "SSEResponse", "json_response"]

_FLUSH_BYTES = 16_384
_POLL = 0.05
_DISCONNECT_WAIT = 5.0


def json_response(
    payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """Return compact JSON (``ensure_ascii=False``), so equal payloads give equal bytes."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(body, status, dict(headers or {}), media_type="application/json")


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """Return the project's error body convention with ``status``."""
    return json_response(error_body(status, message), status, headers)


async def _watch_disconnect(receive: Receive, event: asyncio.Event) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            event.set()
            return


async def _drop(scope: Scope, disconnected: asyncio.Event) -> None:
    if not close_connection(scope):
        return  # the client is already gone
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(disconnected.wait(), _DISCONNECT_WAIT)


class DropResponse(Response):
    """Close the TCP connection without sending any response."""

    def __init__(self) -> None:
        """Create the response."""
        super().__init__()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: ARG002
        """Close the connection, then wait for uvicorn to notice."""
        disconnected = asyncio.Event()
        watcher = asyncio.create_task(_watch_disconnect(receive, disconnected))
        try:
            await _drop(scope, disconnected)
        finally:
            watcher.cancel()


class HangResponse(Response):
    """Never respond: wait until the client disconnects (or the server stops, then drop)."""

    def __init__(self, state: ServerState) -> None:
        """Create the response; ``state.closing`` ends the hang."""
        super().__init__()
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: ARG002
        """Wait without responding."""
        disconnected = asyncio.Event()
        watcher = asyncio.create_task(_watch_disconnect(receive, disconnected))
        try:
            while not disconnected.is_set():
                if self.state.closing.is_set():
                    await _drop(scope, disconnected)
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(disconnected.wait(), _POLL)
        finally:
            watcher.cancel()


class SSEResponse(Response):
    """Stream ``data:`` events from a lazy chunk iterator, applying stream faults."""

    def __init__(
        self, chunks: Iterator[Mapping[str, Any]], faults: Faults, state: ServerState, delay: float
    ) -> None:
        """Prepare a stream; nothing is generated before the response is sent."""
        super().__init__(media_type="text/event-stream")
        self.chunks = chunks
        self.faults = faults
        self.state = state
        self.delay = max(delay, faults.slow)

    def _start(self) -> dict[str, Any]:
        headers = [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-cache"),
            (b"connection", b"close"),
        ]
        return {"type": "http.response.start", "status": 200, "headers": headers}

    def _events(self) -> Iterator[tuple[bytes, str | None]]:
        """Yield (bytes, action) pairs; action is ``"drop"`` or ``"end"`` to stop the stream."""
        faults = self.faults
        for count, chunk in enumerate(self.chunks):
            if faults.disconnect_after is not None and count >= faults.disconnect_after:
                yield b"", "drop"
                return
            if faults.error_after is not None and count >= faults.error_after:
                message = faults.message or "injected error event in the middle of the stream"
                yield error_event(faults.status or 500, message), "end"
                return
            if faults.malformed_after == count:
                yield b'data: {"id": "malformed", "choices": [\n\n', None
            yield sse(chunk), None
        if faults.disconnect_after is not None:
            yield b"", "drop"
            return
        yield (b"" if faults.no_done else DONE), "end"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the stream."""
        disconnected = asyncio.Event()
        watcher = asyncio.create_task(_watch_disconnect(receive, disconnected))
        try:
            await send(self._start())
            await self._pump(scope, send, disconnected)
        finally:
            watcher.cancel()

    async def _pump(self, scope: Scope, send: Send, disconnected: asyncio.Event) -> None:
        buffer = bytearray()
        for data, action in self._events():
            buffer += data
            if action == "drop" or self.state.closing.is_set():
                await send({"type": "http.response.body", "body": bytes(buffer), "more_body": True})
                await _drop(scope, disconnected)
                return
            if action == "end":
                await send(
                    {"type": "http.response.body", "body": bytes(buffer), "more_body": False}
                )
                return
            if self.delay or len(buffer) >= _FLUSH_BYTES:
                await send({"type": "http.response.body", "body": bytes(buffer), "more_body": True})
                buffer.clear()
                await asyncio.sleep(self.delay)
                if disconnected.is_set():
                    return
