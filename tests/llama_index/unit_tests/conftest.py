"""MockTransport-backed `FriendliLLM` factory for the LlamaIndex unit tests.

Every request goes through `httpx.MockTransport`; nothing patches the adapter or the core.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from llama_index_friendli import FriendliLLM
from tests.llama_index.unit_tests.mock_api import MODEL, TOKEN, MockAPI, completion


@pytest.fixture
def api() -> MockAPI:
    mock = MockAPI()
    mock.reply(completion())
    return mock


@pytest.fixture
def make_llm(api: MockAPI) -> Callable[..., FriendliLLM]:
    def make(**fields: Any) -> FriendliLLM:
        transport = httpx.MockTransport(api.handler)
        fields.setdefault("model", MODEL)
        fields.setdefault("api_key", TOKEN)
        return FriendliLLM(
            http_client=httpx.Client(transport=transport),
            async_http_client=httpx.AsyncClient(transport=transport),
            **fields,
        )

    return make


@pytest.fixture
def llm(make_llm: Callable[..., FriendliLLM]) -> FriendliLLM:
    return make_llm()
