"""Pytest fixtures for the local Friendli-compatible server.

Registered through the ``pytest11`` entry point ``friendli_local_server``. This module imports
nothing from starlette/uvicorn at import time (``LocalServer.start`` does, inside the fixture),
so an installed plugin never breaks a pytest run without the ``testing`` extra.

Fixtures:
    friendli_server: session-scoped ``LocalServer`` on 127.0.0.1 (free port) that accepts
        ``LOCAL_TOKEN``; stopped at the end of the session.
    friendli_requests: function-scoped; clears the server's request log (and queued faults)
        and yields it, so a test can assert on what its client actually sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from friendli_core.testing import LocalServer, RequestLog

__all__ = ["friendli_requests", "friendli_server"]


@pytest.fixture(scope="session")
def friendli_server() -> Iterator[LocalServer]:
    """Start a local server for the session and yield its handle."""
    from friendli_core._extras import MissingExtraError, require  # noqa: PLC0415
    from friendli_core.testing._server import (  # noqa: PLC0415
        LOCAL_TOKEN,
        TESTING_MODULES,
        LocalServer,
    )

    try:
        require("the friendli_server fixture", *TESTING_MODULES)
    except MissingExtraError as missing:
        pytest.fail(str(missing))
    server = LocalServer("127.0.0.1", 0, tokens=[LOCAL_TOKEN])
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def friendli_requests(friendli_server: LocalServer) -> RequestLog:
    """Clear the request log and queued faults, then return the log."""
    friendli_server.requests.clear()
    friendli_server.clear_faults()
    return friendli_server.requests
