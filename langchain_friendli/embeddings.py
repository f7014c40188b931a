"""`FriendliEmbeddings`: Friendli dedicated or container embeddings as LangChain `Embeddings`."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, ClassVar, Self

from langchain_core.embeddings import Embeddings
from pydantic import Field, model_validator

from friendli_core._embeddings import check_embeddings_endpoint
from friendli_core.config import CLOUD_ENDPOINTS, Endpoint
from langchain_friendli._connection import MODEL_CONFIG, FriendliConnection
from langchain_friendli._errors import translate_errors

__all__ = ["FriendliEmbeddings"]


def _batches(texts: Sequence[str], size: int) -> list[list[str]]:
    return [list(texts[i : i + size]) for i in range(0, len(texts), size)]


class FriendliEmbeddings(FriendliConnection, Embeddings):
    """Embeddings from a Friendli dedicated endpoint or a Friendli Container.

    Friendli serverless serves no embeddings, so `endpoint` defaults to "dedicated" (the model
    is the endpoint ID, `endpoint-id:adapter-route` for an adapter); a container (or another
    OpenAI-compatible server, via `base_url`) needs no model. Texts are sent `batch_size` at a
    time and the vectors come back in input order; the async methods send up to
    `max_concurrency` batches at once. Errors are `friendli_core` errors that are also
    LangChain errors (see `langchain_friendli`).

    Example:
        >>> from langchain_friendli import FriendliEmbeddings
        >>> embeddings = FriendliEmbeddings(model="my-endpoint-id")  # token from FRIENDLI_TOKEN
        >>> embeddings.embed_query("What is Friendli?")  # doctest: +SKIP
    """

    model_config = MODEL_CONFIG

    endpoint: Endpoint = "dedicated"
    """Which Friendli product serves the model: "dedicated" or "container" (serverless serves
    no embeddings and is refused), or "openai-compatible" for another server that speaks
    OpenAI's API."""
    batch_size: int = Field(default=64, ge=1)
    """Texts sent per request."""
    max_concurrency: int = Field(default=4, ge=1)
    """Requests in flight at once in `aembed_documents`."""
    dimensions: int | None = Field(default=None, ge=1)
    """The number of dimensions of the vectors, for models that can shorten them (OpenAI's
    field: endpoint="openai-compatible" only)."""
    extra_body: dict[str, Any] | None = None
    """Fields merged into every request body as they are (for fields not listed here)."""

    _BODY_HINT: ClassVar[str] = "pass further request fields in extra_body={...}"

    @model_validator(mode="after")
    def _check_endpoint(self) -> Self:
        check_embeddings_endpoint(self.endpoint)
        if not self.model and self.endpoint in CLOUD_ENDPOINTS:
            msg = "model is required for dedicated endpoints: pass the endpoint ID as model."
            raise ValueError(msg)
        return self

    def _params(self, batch: list[str]) -> dict[str, Any]:
        params: dict[str, Any] = {"input": batch, "extra_body": self.extra_body}
        if self.model:
            params["model"] = self.model
        if self.dimensions is not None:
            params["dimensions"] = self.dimensions
        return params

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed texts, `batch_size` per request; one vector per text, in order.

        Args:
            texts: The texts to embed (an empty list gives an empty list, with no request).

        Returns:
            One vector per text.
        """
        if not texts:
            return []
        client = self.client
        vectors: list[list[float]] = []
        for batch in _batches(texts, self.batch_size):
            with translate_errors():
                reply = client.embeddings(**self._params(batch))
                vectors.extend(reply.vectors_for(len(batch)))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """Embed one text.

        Args:
            text: The query text.

        Returns:
            Its vector.
        """
        return self.embed_documents([text])[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed texts with up to `max_concurrency` requests in flight; vectors in input order.

        Args:
            texts: The texts to embed (an empty list gives an empty list, with no request).

        Returns:
            One vector per text. When a request fails, the others are cancelled and its
            error is raised.
        """
        batches = _batches(texts, self.batch_size)
        if not batches:
            return []
        client = self.async_client
        limit = asyncio.Semaphore(self.max_concurrency)

        async def embed(batch: list[str]) -> list[list[float]]:
            async with limit:
                with translate_errors():
                    reply = await client.embeddings(**self._params(batch))
                    return reply.vectors_for(len(batch))

        tasks = [asyncio.ensure_future(embed(batch)) for batch in batches]
        try:
            results = await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        return [vector for result in results for vector in result]

    async def aembed_query(self, text: str) -> list[float]:
        """Async twin of `embed_query`.

        Args:
            text: The query text.

        Returns:
            Its vector.
        """
        return (await self.aembed_documents([text]))[0]
