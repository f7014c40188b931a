"""Fixtures of the reliability suite: hermetic environment, fast backoff, retry counting."""

from __future__ import annotations

import logging
import socket

import pytest


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own FRIENDLI_* variables must not leak into the tests."""
    for name in ("FRIENDLI_TOKEN", "FRIENDLI_TEAM", "FRIENDLI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


class RetryLog:
    """The `friendli_core` retry records (one INFO record per retry)."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self._caplog = caplog

    @property
    def records(self) -> list[logging.LogRecord]:
        return [
            r
            for r in self._caplog.records
            if r.name == "friendli_core" and r.getMessage().startswith("Retrying")
        ]

    def __len__(self) -> int:
        return len(self.records)

    def clear(self) -> None:
        self._caplog.clear()


@pytest.fixture
def retries(caplog: pytest.LogCaptureFixture) -> RetryLog:
    caplog.set_level(logging.INFO, logger="friendli_core")
    return RetryLog(caplog)


@pytest.fixture
def refused_url() -> str:
    """A base URL on a loopback port where nothing listens (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/serverless/v1"
