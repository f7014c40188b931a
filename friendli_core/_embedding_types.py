"""The embeddings reply (`DedicatedEmbeddingsSuccess`) as pydantic models.

Loaded with the reply side (`_replies`), not at import. A base64 vector is decoded into floats
while parsing, so `Embeddings.vectors` holds floats whatever `encoding_format` was asked for.
"""

from __future__ import annotations

import reprlib
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from friendli_core._embeddings import decode_base64_vector
from friendli_core.errors import APIResponseValidationError
from friendli_core.types import Usage

__all__ = ["Embedding", "Embeddings"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class Embedding(_Model):
    """One vector of an embeddings reply (`EmbeddingObject`)."""

    index: int
    """Position of the input this vector belongs to."""
    embedding: list[float]
    """The vector (decoded from base64 when the reply was base64)."""
    object: str = "embedding"

    @field_validator("embedding", mode="before")
    @classmethod
    def _decode(cls, value: Any) -> Any:
        return decode_base64_vector(value) if isinstance(value, str) else value


class Embeddings(_Model):
    """An embeddings reply: one `Embedding` per input, with the token usage."""

    data: list[Embedding]
    """The vectors, each with the index of its input."""
    model: str | None = None
    """The model (the endpoint ID on dedicated endpoints)."""
    usage: Usage | None = None
    """Token counts (`prompt_tokens`, `total_tokens`)."""
    id: str | None = None
    object: str = "list"
    created: int | None = None

    @property
    def vectors(self) -> list[list[float]]:
        """The vectors in input order (by `index`, whatever order the server sent them in)."""
        return [item.embedding for item in sorted(self.data, key=lambda item: item.index)]

    def vectors_for(self, count: int) -> list[list[float]]:
        """`vectors`, checked to be exactly one per input for a request of `count` inputs.

        Raises:
            APIResponseValidationError: The indices are not 0 .. count-1, each once (a vector
                would be missing, duplicated or given to the wrong input).
        """
        if sorted(item.index for item in self.data) != list(range(count)):
            got = reprlib.repr([item.index for item in self.data])
            msg = f"expected one embedding per input (indices 0..{count - 1}); got indices {got}"
            raise APIResponseValidationError(msg, method="POST", path="/embeddings")
        return self.vectors
