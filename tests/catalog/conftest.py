"""A small-context model registered on the session's local server for the catalog tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from friendli_core.testing import LocalServer

SMALL_MODEL = "catalog-test/tiny-1k"
SMALL_CONTEXT = 1024


@pytest.fixture
def small_model(friendli_server: LocalServer) -> Iterator[str]:
    """A catalog model with a 1,024-token window (enforced by the server) and no tool calling."""
    friendli_server.register_model(
        SMALL_MODEL,
        context_length=SMALL_CONTEXT,
        max_completion_tokens=128,
        functionality={"tool_call": False, "builtin_tool": False, "parallel_tool_call": False},
    )
    yield SMALL_MODEL
    friendli_server.unregister_model(SMALL_MODEL)
