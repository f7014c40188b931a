"""Fixtures for the real-model tests: one llama.cpp server (SmolLM2-135M) for the session.

The server requires `API_KEY`, so the 401 test talks to real authentication. It runs with one
CPU thread (two threads collapse when the other core is busy) and two slots, which also bounds
`n` (llama.cpp accepts `1 <= n <= n_parallel`).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from friendli_core import AsyncFriendliClient, FriendliClient
from tests.real_model.helpers import API_KEY, PARALLEL
from tests.real_model.server import MODEL_ALIAS, RealModelServer


@pytest.fixture(scope="session")
def real_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealModelServer]:
    """The running server; its log is kept in the session's temp dir (path in failures)."""
    log_dir = Path(os.environ.get("REAL_MODEL_LOG_DIR") or tmp_path_factory.mktemp("real_model"))
    server = RealModelServer(
        api_key=API_KEY,
        parallel=PARALLEL,
        log_path=log_dir / "llama-server.log",
    )
    with server:
        yield server


@pytest.fixture(scope="session")
def base_url(real_server: RealModelServer) -> str:
    """`http://127.0.0.1:<port>/v1`."""
    return real_server.base_url


@pytest.fixture(scope="session")
def model_name() -> str:
    """The model alias the server answers to."""
    return MODEL_ALIAS


@pytest.fixture
def client(base_url: str) -> Iterator[FriendliClient]:
    """A core client for endpoint="openai-compatible" at the real server, with default retries.

    Default retries matter here: llama.cpp sometimes drops the kept-alive connection right after
    a streamed response, and the next request on it fails with "Server disconnected without
    sending a response" (see `test_core.test_connection_dropped_after_a_stream_is_retried`).
    """
    with FriendliClient(
        endpoint="openai-compatible", base_url=base_url, token=API_KEY, timeout=60
    ) as c:
        yield c


@pytest.fixture
async def aclient(base_url: str) -> AsyncIterator[AsyncFriendliClient]:
    """The async twin of `client`."""
    async with AsyncFriendliClient(
        endpoint="openai-compatible", base_url=base_url, token=API_KEY, timeout=60
    ) as c:
        yield c
