"""A uvicorn HTTP protocol that lets the app drop a connection without any response.

ASGI offers no way to close a TCP connection before sending headers (uvicorn answers 500 when an
app returns or raises without starting a response). ``TrackingH11Protocol`` registers each
connection's transport under its ``(server, client)`` address pair, which is what uvicorn puts in
``scope["server"]``/``scope["client"]``; ``close_connection(scope)`` closes that transport. The
app then waits for the resulting ``http.disconnect`` so uvicorn sees a disconnected cycle and
neither logs an error nor writes a 500.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["TrackingH11Protocol", "close_connection"]

_TRANSPORTS: dict[tuple[Any, Any], asyncio.Transport] = {}


def _key(server: Any, client: Any) -> tuple[Any, Any]:
    return (tuple(server) if server else None, tuple(client) if client else None)


class TrackingH11Protocol(H11Protocol):
    """``H11Protocol`` that records its transport for ``close_connection``."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Register the transport (with TCP_NODELAY), then behave like ``H11Protocol``."""
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _TRANSPORTS[_key(self.server, self.client)] = transport

    def connection_lost(self, exc: Exception | None) -> None:
        """Unregister the transport, then behave like ``H11Protocol``."""
        _TRANSPORTS.pop(_key(self.server, self.client), None)
        super().connection_lost(exc)


def close_connection(scope: Any) -> bool:
    """Close the TCP connection of ``scope`` (flushing written bytes); return False if unknown."""
    transport = _TRANSPORTS.get(_key(scope.get("server"), scope.get("client")))
    if transport is None:
        return False
    transport.close()
    return True
