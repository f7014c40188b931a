"""One log line per request: method, path, status and time (logger ``friendli_core.testing``).

``LocalServer`` routes this logger to uvicorn's console handler at the server's log level, so
the CLI (default ``info``) prints a line per request and the tests' servers (``warning``) stay
quiet. The path is logged without its query string, which may hold secrets.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importing this module (from `_server`) must not need the testing extra
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["LOGGER", "AccessLog"]

LOGGER = "friendli_core.testing"
_log = logging.getLogger(LOGGER)


class AccessLog:
    """ASGI middleware: log each HTTP request once it is answered (or dropped)."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap `app`."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request, then log its line (nothing to do when INFO is off)."""
        if scope["type"] != "http" or not _log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | None = None

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            _log.info(
                "%s %s %s %.1f ms",
                scope["method"],
                scope["path"],
                status if status is not None else "no response (connection dropped)",
                (time.perf_counter() - started) * 1000,
            )
