"""`FriendliLLM` pointed at the local Friendli-compatible server (`friendli_server` fixture)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from friendli_core.testing import LocalServer, RequestLog
from llama_index_friendli import FriendliLLM

MODEL = "friendli-local-model"
REASONING_MODEL = "friendli-local-reasoning"


@pytest.fixture
def make_llm(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> Callable[..., FriendliLLM]:
    """Build a serverless `FriendliLLM` for the local server (fields override the defaults)."""

    def make(**fields: Any) -> FriendliLLM:
        fields.setdefault("model", MODEL)
        fields.setdefault("api_key", friendli_server.token)
        fields.setdefault("base_url", friendli_server.serverless_url)
        return FriendliLLM(**fields)

    return make


@pytest.fixture
def llm(make_llm: Callable[..., FriendliLLM]) -> FriendliLLM:
    return make_llm()
