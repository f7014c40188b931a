"""FriendliEmbeddings against the local server: the standard suite, retrieval, both endpoints."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.vectorstores import InMemoryVectorStore
from langchain_tests.integration_tests import EmbeddingsIntegrationTests

from langchain_friendli import FriendliEmbeddings, FriendliNotFoundError


class TestFriendliEmbeddingsStandard(EmbeddingsIntegrationTests):
    @pytest.fixture(autouse=True)
    def _local_server(self, friendli_server: Any) -> None:
        self.server = friendli_server

    @property
    def embeddings_class(self) -> type[FriendliEmbeddings]:
        return FriendliEmbeddings

    @property
    def embedding_model_params(self) -> dict:
        return {
            "model": "my-endpoint-id:my-adapter",
            "base_url": self.server.dedicated_url,
            "api_key": self.server.token,
        }


def test_dedicated_requests_carry_the_endpoint_and_adapter(
    friendli_server: Any, friendli_requests: Any
) -> None:
    embeddings = FriendliEmbeddings(
        model="ep-42:adapter",
        base_url=friendli_server.dedicated_url,
        api_key=friendli_server.token,
        batch_size=2,
    )
    vectors = embeddings.embed_documents(["one", "two", "three"])
    assert len(vectors) == 3
    assert vectors[2] == embeddings.embed_query("three")
    bodies = [r.body for r in friendli_requests if r.path == "/dedicated/v1/embeddings"]
    assert [b["input"] for b in bodies[:2]] == [["one", "two"], ["three"]]
    assert {b["model"] for b in bodies} == {"ep-42:adapter"}


async def test_container_needs_no_model(friendli_server: Any, friendli_requests: Any) -> None:
    embeddings = FriendliEmbeddings(endpoint="container", base_url=friendli_server.container_url)
    vectors = await embeddings.aembed_documents(["alpha", "beta"])
    assert len(vectors) == 2
    assert vectors[0] != vectors[1]
    assert friendli_requests.last.path == "/v1/embeddings"
    assert "model" not in friendli_requests.last.body
    await embeddings.aclose()


def test_wrong_base_url_is_a_typed_error(friendli_server: Any) -> None:
    embeddings = FriendliEmbeddings(
        model="m", base_url=friendli_server.serverless_url, api_key=friendli_server.token
    )
    with pytest.raises(FriendliNotFoundError):
        embeddings.embed_query("x")


def test_retriever_over_an_in_memory_store_finds_the_right_chunk(friendli_server: Any) -> None:
    embeddings = FriendliEmbeddings(
        model="ep-1", base_url=friendli_server.dedicated_url, api_key=friendli_server.token
    )
    store = InMemoryVectorStore(embeddings)
    store.add_documents(
        [
            Document(page_content="Friendli Container serves models on your own GPUs."),
            Document(page_content="Photosynthesis turns sunlight into chemical energy."),
            Document(page_content="The Eiffel Tower is a landmark in Paris."),
        ]
    )
    retriever = store.as_retriever(search_kwargs={"k": 1})
    assert "Eiffel" in retriever.invoke("Where is the Eiffel Tower?")[0].page_content
    assert "GPUs" in retriever.invoke("How do I serve models on my GPUs?")[0].page_content
