"""Embeddings against llama.cpp (SmolLM2-135M, mean pooling) through endpoint="openai-compatible".

A second llama.cpp server runs in embedding mode for this module. Assertions are on shape,
types, determinism and order, never on similarity rankings: SmolLM2 is a chat model, and its
mean-pooled states do not reliably put a paraphrase closer than an unrelated sentence.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from friendli_core import (
    AsyncFriendliClient,
    AuthenticationError,
    BadRequestError,
    FriendliClient,
)
from langchain_friendli import FriendliBadRequestError, FriendliEmbeddings
from llama_index_friendli import FriendliEmbedding
from tests.real_model.helpers import API_KEY, PARALLEL
from tests.real_model.server import MODEL_ALIAS, RealModelServer

pytestmark = pytest.mark.real_model

HIDDEN = 576  # SmolLM2-135M's hidden size: the length of a pooled vector
TEXTS = [
    "The cat sat on the mat.",
    "A cat was sitting on the mat.",
    "Interest rates rose sharply last quarter.",
]


@pytest.fixture(scope="module")
def embedding_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The `/v1` base URL of a llama.cpp server in embedding mode (for this module)."""
    log_dir = Path(os.environ.get("REAL_MODEL_LOG_DIR") or tmp_path_factory.mktemp("real_embed"))
    server = RealModelServer(
        api_key=API_KEY,
        parallel=PARALLEL,
        embedding=True,
        log_path=log_dir / "llama-embedding-server.log",
    )
    with server:
        yield server.base_url


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_core_client_embeds_in_order_and_decodes_base64(embedding_url: str) -> None:
    with FriendliClient(
        endpoint="openai-compatible", base_url=embedding_url, token=API_KEY, timeout=60
    ) as client:
        reply = client.embeddings(input=TEXTS)
        packed = client.embeddings(input=TEXTS, encoding_format="base64")
        alone = client.embeddings(model=MODEL_ALIAS, input=TEXTS[2])
    vectors = reply.vectors_for(len(TEXTS))
    assert reply.model == MODEL_ALIAS
    assert [len(v) for v in vectors] == [HIDDEN] * 3
    assert reply.usage is not None
    assert reply.usage.prompt_tokens > 0
    for got, sent in zip(packed.vectors, vectors, strict=True):
        assert got == pytest.approx(sent, abs=1e-5)
    # Batching keeps the order. (Only the last text is compared: llama.cpp pools some texts
    # slightly differently inside a batch than alone, e.g. TEXTS[1] here.)
    assert alone.vectors[0] == pytest.approx(vectors[2], abs=1e-4)
    assert _cosine(vectors[0], vectors[2]) < 1 - 1e-3  # different texts, different vectors


async def test_async_client_matches_the_sync_one(embedding_url: str) -> None:
    async with AsyncFriendliClient(
        endpoint="openai-compatible", base_url=embedding_url, token=API_KEY, timeout=60
    ) as client:
        reply = await client.embeddings(input=TEXTS[:2])
    assert len(reply.vectors) == 2
    assert all(isinstance(x, float) for x in reply.vectors[0])


def test_server_errors_are_typed(embedding_url: str) -> None:
    with (
        FriendliClient(
            endpoint="openai-compatible", base_url=embedding_url, token="sk-wrong", max_retries=0
        ) as client,
        pytest.raises(AuthenticationError),
    ):
        client.embeddings(input="x")
    client = FriendliClient(endpoint="openai-compatible", base_url=embedding_url, token=API_KEY)
    with client, pytest.raises(BadRequestError, match="empty"):  # llama.cpp refuses empty input
        client.embeddings(input="")


async def test_langchain_batches_sync_and_async(embedding_url: str) -> None:
    embeddings = FriendliEmbeddings(
        endpoint="openai-compatible", base_url=embedding_url, api_key=API_KEY, batch_size=2
    )
    vectors = embeddings.embed_documents(TEXTS)
    avectors = await embeddings.aembed_documents(TEXTS)
    assert len(vectors) == len(avectors) == 3
    # The async batches run at once, and llama.cpp co-batches texts that arrive together, which
    # can move the vectors far (0.36 apart, seen in a full run); as in test_llama_index_embedding
    # they are compared by shape. Their order is tested against a deterministic server in
    # tests/langchain/unit_tests/test_embeddings.py.
    assert [len(v) for v in avectors] == [len(v) for v in vectors]
    assert all(isinstance(x, float) for v in avectors for x in v)
    assert embeddings.embed_query(TEXTS[2]) == pytest.approx(vectors[2], abs=1e-4)
    with pytest.raises(FriendliBadRequestError):
        embeddings.embed_documents([""])
    embeddings.close()
    await embeddings.aclose()


async def test_llama_index_embedding(embedding_url: str) -> None:
    embed_model = FriendliEmbedding(
        endpoint="openai-compatible", base_url=embedding_url, api_key=API_KEY, embed_batch_size=2
    )
    vectors = embed_model.get_text_embedding_batch(TEXTS)
    assert [len(v) for v in vectors] == [HIDDEN] * 3
    # The async batches run at once, and llama.cpp pools texts that share its batch slightly
    # differently, so async vectors are compared by shape; one text at a time is deterministic.
    avectors = await embed_model.aget_text_embedding_batch(TEXTS)
    assert [len(v) for v in avectors] == [HIDDEN] * 3
    assert all(isinstance(x, float) for v in avectors for x in v)
    query = embed_model.get_query_embedding("Where did the cat sit?")
    assert query == pytest.approx(await embed_model.aget_query_embedding("Where did the cat sit?"))
    embed_model.close()
    await embed_model.aclose()
