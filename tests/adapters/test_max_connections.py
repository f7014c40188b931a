"""Every model class takes `max_connections` and builds its clients with it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from friendli_core.config import DEFAULT_MAX_CONNECTIONS
from langchain_friendli import ChatFriendli, Friendli, FriendliEmbeddings
from llama_index_friendli import FriendliEmbedding, FriendliLLM

CLASSES = [ChatFriendli, Friendli, FriendliEmbeddings, FriendliLLM, FriendliEmbedding]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
async def test_the_setting_reaches_both_clients(cls: type) -> None:
    model = cls(model="m", api_key="t", base_url="http://127.0.0.1:9/v1", max_connections=7)
    assert model._sync_client().config.max_connections == 7
    assert model._async_client().config.max_connections == 7
    model.max_connections = 9  # a changed setting builds new clients
    assert model._sync_client().config.max_connections == 9
    default = cls(model="m", api_key="t", base_url="http://127.0.0.1:9/v1")
    assert default._sync_client().config.max_connections == DEFAULT_MAX_CONNECTIONS
    model.close()
    await model.aclose()


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_the_setting_is_checked_before_any_request(cls: type) -> None:
    with pytest.raises(ValidationError, match="max_connections"):
        cls(model="m", api_key="t", max_connections=0)
