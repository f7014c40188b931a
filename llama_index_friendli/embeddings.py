"""`FriendliEmbedding`: Friendli dedicated or container embeddings as a LlamaIndex embed model."""

from __future__ import annotations

from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.bridge.pydantic import ConfigDict, Field, model_validator

from friendli_core._embeddings import check_embeddings_endpoint
from friendli_core.config import CLOUD_ENDPOINTS, Endpoint
from llama_index_friendli._connection import FriendliConnectionFields

__all__ = ["FriendliEmbedding"]


class FriendliEmbedding(FriendliConnectionFields, BaseEmbedding):
    """Embeddings from a Friendli dedicated endpoint or a Friendli Container, for LlamaIndex.

    Use it as `Settings.embed_model` or pass it to `VectorStoreIndex`. Friendli serverless serves
    no embeddings, so `endpoint` defaults to "dedicated" (`model_name` is the endpoint ID,
    `endpoint-id:adapter-route` for an adapter); a container (or another OpenAI-compatible
    server, via `base_url`) needs no model. LlamaIndex sends `embed_batch_size` texts per
    request, in order, and runs up to `num_workers` async requests at once.

    Example:
        >>> from llama_index_friendli import FriendliEmbedding
        >>> embed_model = FriendliEmbedding(model_name="my-endpoint-id")  # FRIENDLI_TOKEN
        >>> embed_model.get_text_embedding("What is Friendli?")  # doctest: +SKIP
    """

    model_config = ConfigDict(defer_build=False)

    model_name: str = Field(
        default="",
        description=(
            "Endpoint ID or 'endpoint-id:adapter' (dedicated); optional for a container. "
            "Also accepted as `model`."
        ),
    )
    endpoint: Endpoint = Field(
        default="dedicated",
        description="Which Friendli product serves the model: dedicated or container "
        "(serverless serves no embeddings and is refused), or openai-compatible for another "
        "server that speaks OpenAI's API.",
    )
    embed_batch_size: int = Field(default=64, gt=0, le=2048, description="Texts sent per request.")
    num_workers: int | None = Field(
        default=4, description="Async requests in flight at once (None: all batches at once)."
    )
    dimensions: int | None = Field(
        default=None,
        ge=1,
        description="The number of dimensions of the vectors, for models that can shorten "
        "them (OpenAI's field: endpoint='openai-compatible' only).",
    )
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict,
        description="Further body fields sent with every request (e.g. encoding_format).",
    )

    _ALSO_TAKES = (*FriendliConnectionFields._ALSO_TAKES, "model")  # noqa: SLF001

    @model_validator(mode="before")
    @classmethod
    def _model_alias(cls, data: Any) -> Any:
        """Accept `model=` like `FriendliLLM` does."""
        if isinstance(data, dict) and "model" in data and "model_name" not in data:
            data = {**data, "model_name": data["model"]}
            del data["model"]
        return data

    @model_validator(mode="after")
    def _check_endpoint(self) -> FriendliEmbedding:
        check_embeddings_endpoint(self.endpoint)
        if not self.model_name and self.endpoint in CLOUD_ENDPOINTS:
            msg = "model_name is required for dedicated endpoints: pass the endpoint ID."
            raise ValueError(msg)
        return self

    @classmethod
    def class_name(cls) -> str:
        """The serialisation name."""
        return "FriendliEmbedding"

    def _params(self, texts: list[str]) -> dict[str, Any]:
        params: dict[str, Any] = {**self.additional_kwargs, "input": texts}
        if self.model_name:
            params["model"] = self.model_name
        if self.dimensions is not None:
            params["dimensions"] = self.dimensions
        return params

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        """One batch of texts (LlamaIndex splits by `embed_batch_size`); vectors in order."""
        if not texts:
            return []
        reply = self._sync_client().embeddings(**self._params(texts))
        return reply.vectors_for(len(texts))

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        """Async twin of `_get_text_embeddings`."""
        if not texts:
            return []
        reply = await self._async_client().embeddings(**self._params(texts))
        return reply.vectors_for(len(texts))

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._get_text_embeddings([text])[0]

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return (await self._aget_text_embeddings([text]))[0]

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._get_text_embedding(query)

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return await self._aget_text_embedding(query)
