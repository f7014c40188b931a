"""`from_server` against llama.cpp (endpoint="openai-compatible"), with the server's context."""

from __future__ import annotations

import httpx
import pytest

from friendli_core import ModelNotListedError
from langchain_friendli import ChatFriendli
from llama_index_friendli import FriendliLLM
from tests.real_model.helpers import API_KEY
from tests.real_model.server import MODEL_ALIAS

pytestmark = pytest.mark.real_model


@pytest.fixture(scope="module")
def slot_context(base_url: str) -> int:
    """The context a request may use, read from llama.cpp's own `/props` (not `/v1/models`)."""
    props = httpx.get(
        base_url.removesuffix("/v1") + "/props",
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=30,
    ).json()
    n_ctx: int = props["default_generation_settings"]["n_ctx"]
    return n_ctx


@pytest.mark.parametrize("model", [MODEL_ALIAS, None])
def test_chat_from_server_reads_the_real_context(
    base_url: str, slot_context: int, model: str | None
) -> None:
    chat = ChatFriendli.from_server(
        model=model, endpoint="openai-compatible", base_url=base_url, api_key=API_KEY
    )
    assert chat.profile is not None
    assert chat.profile["max_input_tokens"] == slot_context
    assert chat.profile["text_inputs"] is True
    assert chat.invoke("Say hi", max_tokens=4).content is not None


def test_llm_from_server_reads_the_real_context(base_url: str, slot_context: int) -> None:
    llm = FriendliLLM.from_server(
        model=MODEL_ALIAS, endpoint="openai-compatible", base_url=base_url, api_key=API_KEY
    )
    assert llm.metadata.context_window == slot_context


def test_from_server_names_what_the_server_lists(base_url: str) -> None:
    with pytest.raises(ModelNotListedError, match=MODEL_ALIAS):
        ChatFriendli.from_server(
            model="not-served", endpoint="openai-compatible", base_url=base_url, api_key=API_KEY
        )
