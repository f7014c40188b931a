"""What `import friendli_core` loads, and what waits for the first client.

The clients send with httpx and need pydantic only to parse replies (`friendli_core._replies`),
so importing them must not load pydantic; the first client does. Each check runs in a fresh
interpreter, since this test process has long since imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_HEAVY = ("pydantic", "pydantic_core", "friendli_core.types", "friendli_core._replies")


def _loaded_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(  # noqa: S603 - the running interpreter, our own snippet
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return set(json.loads(done.stdout))


@pytest.mark.parametrize(
    "statement",
    [
        "import friendli_core",
        "from friendli_core import FriendliClient, AsyncFriendliClient",
        "from friendli_core import ClientConfig, RetryPolicy, FriendliError, APIStatusError",
    ],
)
def test_importing_the_clients_does_not_load_pydantic(statement: str) -> None:
    loaded = _loaded_after(statement)
    assert not loaded & set(_HEAVY), sorted(loaded & set(_HEAVY))


@pytest.mark.parametrize("client", ["FriendliClient", "AsyncFriendliClient"])
def test_the_first_client_loads_the_reply_side(client: str) -> None:
    loaded = _loaded_after(f"from friendli_core import {client}\n{client}(token='flp_x')")
    assert set(_HEAVY) <= loaded


def test_the_models_load_when_named() -> None:
    loaded = _loaded_after("from friendli_core import ChatCompletion")
    assert {"pydantic", "friendli_core.types"} <= loaded
