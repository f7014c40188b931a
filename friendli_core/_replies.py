"""2xx replies into response models: the core's only run-time use of pydantic.

Parsing bodies (`parse_model`, `Replies`) and streams (the `_streaming` parsers) needs
pydantic and the models of `types`; building and sending requests does not. So the client
modules import this module when the first client is created (`BaseClient.__init__`), not at
import: `from friendli_core import FriendliClient` loads httpx and our request side, and the
first client pays for pydantic (mostly pydantic's own first model; benchmarks/README.md).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from friendli_core._embedding_types import Embeddings
from friendli_core._protocol import RequestSpec
from friendli_core._streaming import ChatStreamParser, CompletionStreamParser
from friendli_core.catalog import ModelInfo, parse_entries
from friendli_core.errors import APIResponseValidationError
from friendli_core.types import ChatCompletion, Completion

__all__ = ["Replies", "parse_model"]

_M = TypeVar("_M", bound=BaseModel)


def parse_model(model: type[_M], content: bytes, spec: RequestSpec) -> _M:
    """Parse a 2xx JSON body into `model`.

    Raises:
        APIResponseValidationError: The body is not JSON of the expected shape.
    """
    try:
        return model.model_validate_json(content)
    except ValidationError as exc:
        snippet = content[:200].decode("utf-8", errors="replace")
        msg = (
            f"Unexpected response body for {spec.method} {spec.path} "
            f"({exc.error_count()} problem(s)): {snippet!r}"
        )
        raise APIResponseValidationError(msg, method=spec.method, path=spec.path) from None


class _TokenList(BaseModel):
    tokens: list[int]


class _Text(BaseModel):
    text: str


class _Catalog(BaseModel):
    # entries are parsed one by one (`parse_entries`): one odd entry must not fail the list
    model_config = ConfigDict(extra="allow")
    data: list[Any]


class Replies:
    """How each endpoint's reply is parsed, shared by both clients (`BaseClient._replies`)."""

    chat_stream = ChatStreamParser
    completion_stream = CompletionStreamParser

    @staticmethod
    def chat(content: bytes, spec: RequestSpec) -> ChatCompletion:
        """A chat completion body."""
        return parse_model(ChatCompletion, content, spec)

    @staticmethod
    def completion(content: bytes, spec: RequestSpec) -> Completion:
        """A text completion body."""
        return parse_model(Completion, content, spec)

    @staticmethod
    def tokens(content: bytes, spec: RequestSpec) -> list[int]:
        """The token IDs of a tokenize body."""
        return parse_model(_TokenList, content, spec).tokens

    @staticmethod
    def text(content: bytes, spec: RequestSpec) -> str:
        """The text of a detokenize body."""
        return parse_model(_Text, content, spec).text

    @staticmethod
    def catalog(content: bytes, spec: RequestSpec) -> list[ModelInfo]:
        """The models of a catalog (Friendli's or an OpenAI-compatible list)."""
        entries = parse_model(_Catalog, content, spec).data
        return parse_entries(entries, f"{spec.method} {spec.path}")

    @staticmethod
    def embeddings(content: bytes, spec: RequestSpec) -> Embeddings:
        """An embeddings body (base64 vectors decoded to floats)."""
        return parse_model(Embeddings, content, spec)
