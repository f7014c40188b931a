"""A loopback HTTP/1.1 server that counts the connections it accepts, for the pool tests.

Every request (any method and path) gets the same non-streaming chat completion (the bytes of
`benchmarks.sse_server`). With `hold=K`, replies wait until K requests are waiting at once
(then every reply goes out), so a test can show that K requests were in flight together; a
bounded wait keeps a client that never gets there from hanging the test (`held_back` says so).
It runs on the test's event loop.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from benchmarks.sse_server import expected_text, response_bytes

__all__ = ["REPLY_TEXT", "CountingServer"]

_TOKENS = 4
REPLY = response_bytes("chat", False, _TOKENS)
REPLY_TEXT = expected_text(_TOKENS)


class CountingServer:
    """Counts connections (accepted, most open at once) and the most requests waiting at once."""

    def __init__(self, *, hold: int = 1, hold_timeout: float = 20.0) -> None:
        self.hold = hold
        self.hold_timeout = hold_timeout
        self.accepted = 0
        self.open = 0
        self.most_open = 0  # the most connections open at once
        self.requests = 0
        self.waiting = 0
        self.most_waiting = 0
        self.held_back = False  # True when `hold` requests never waited together
        self.received = asyncio.Event()  # set by the first request
        self._released = asyncio.Event()
        self._writers: set[asyncio.StreamWriter] = set()
        self.url = ""

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=2048)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/v1"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        self._writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.decode("latin-1").split("\r\n")[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                await reader.readexactly(length)
                self.requests += 1
                self.received.set()
                await self._wait_turn()
                writer.write(REPLY)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client closed the connection
        finally:
            self.open -= 1
            self._writers.discard(writer)
            writer.close()

    async def _wait_turn(self) -> None:
        self.waiting += 1
        self.most_waiting = max(self.most_waiting, self.waiting)
        if self.waiting >= self.hold:
            self._released.set()
        try:
            await asyncio.wait_for(self._released.wait(), self.hold_timeout)
        except TimeoutError:
            self.held_back = True
            self._released.set()
        finally:
            self.waiting -= 1
