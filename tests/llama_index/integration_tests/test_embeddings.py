"""FriendliEmbedding against the local server: a VectorStoreIndex with FriendliLLM, both endpoints."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from llama_index.core import Document, Settings, VectorStoreIndex

from friendli_core import NotFoundError
from friendli_core.testing import LocalServer, RequestLog
from llama_index_friendli import FriendliEmbedding, FriendliLLM

CHUNKS = [
    "Friendli Container serves models on your own GPUs.",
    "Photosynthesis turns sunlight into chemical energy.",
    "The Eiffel Tower is a landmark in Paris.",
]


def test_index_retrieves_the_right_chunk_and_the_llm_answers(
    friendli_server: LocalServer,
    friendli_requests: RequestLog,
    make_llm: Callable[..., FriendliLLM],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    embed_model = FriendliEmbedding(
        model_name="ep-7:adapter",
        base_url=friendli_server.dedicated_url,
        api_key=friendli_server.token,
    )
    monkeypatch.setattr(Settings, "_embed_model", embed_model)
    index = VectorStoreIndex.from_documents([Document(text=chunk) for chunk in CHUNKS])
    nodes = index.as_retriever(similarity_top_k=1).retrieve("Where is the Eiffel Tower?")
    assert "Eiffel" in nodes[0].node.get_content()
    answer = index.as_query_engine(llm=make_llm(), similarity_top_k=1).query("Where is it?")
    assert str(answer)
    paths = [r.path for r in friendli_requests]
    assert "/dedicated/v1/embeddings" in paths
    assert "/serverless/v1/chat/completions" in paths
    embed_bodies = [r.body for r in friendli_requests if r.path.endswith("/embeddings")]
    assert {b["model"] for b in embed_bodies} == {"ep-7:adapter"}


async def test_container_async_batch(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    embed_model = FriendliEmbedding(
        endpoint="container", base_url=friendli_server.container_url, embed_batch_size=2
    )
    vectors = await embed_model.aget_text_embedding_batch(CHUNKS)
    assert len(vectors) == 3
    assert vectors[0] == await embed_model.aget_query_embedding(CHUNKS[0])
    # the two batches are sent concurrently: they reach the server in either order
    assert sorted(len(r.body["input"]) for r in friendli_requests.snapshot()[:2]) == [1, 2]
    assert all("model" not in r.body for r in friendli_requests)
    await embed_model.aclose()


def test_wrong_url_is_a_typed_error(friendli_server: LocalServer) -> None:
    embed_model = FriendliEmbedding(
        model_name="m", base_url=friendli_server.serverless_url, api_key=friendli_server.token
    )
    with pytest.raises(NotFoundError):
        embed_model.get_text_embedding("x")
