"""Embeddings requests: parameters checked and built into a `RequestSpec` (pure, no pydantic).

Friendli serves embeddings on dedicated endpoints (`POST /dedicated/v1/embeddings`, body
`DedicatedEmbeddingsBody`) and containers serve the OpenAI-compatible `POST /v1/embeddings`;
serverless has no embeddings route, so a serverless client is refused before anything is sent.
The reply is parsed by `_embedding_types` (pydantic), which decodes base64 vectors with
`decode_base64_vector`.
"""

from __future__ import annotations

import base64
import binascii
import reprlib
import sys
from array import array
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from friendli_core._fields import ENCODING_FORMATS, EncodingFormat
from friendli_core._protocol import RequestSpec, _spec
from friendli_core._validate import check_body_fields
from friendli_core.config import CLOUD_ENDPOINTS, ClientConfig, Endpoint
from friendli_core.errors import InvalidRequestError

__all__ = [
    "ENCODING_FORMATS",
    "EmbeddingsParams",
    "build_embeddings_request",
    "check_embeddings_endpoint",
    "decode_base64_vector",
]

_FLOAT32 = 4  # bytes per value in a base64 embedding (little-endian float32, as OpenAI sends)


class EmbeddingsParams(TypedDict, total=False):
    """Parameters of `FriendliClient.embeddings` (the fields of `DedicatedEmbeddingsBody`)."""

    model: str
    """Endpoint ID, or `endpoint-id:adapter-route` (dedicated); optional for a container."""
    input: str | Sequence[str]
    """A text, or a list of texts to embed in one request (one vector each, in order)."""
    tokens: Sequence[int]
    """A tokenized input instead of `input` (exactly one of the two)."""
    encoding_format: EncodingFormat
    """`float` (default) or `base64`; either way the result holds floats."""
    dimensions: int
    """The number of dimensions of the vectors (endpoint="openai-compatible" only)."""
    user: str
    """An identifier of the end user (endpoint="openai-compatible" only)."""
    extra_body: Mapping[str, Any]
    """Fields merged into the body as they are (fields this client does not know yet)."""


def check_embeddings_endpoint(endpoint: str) -> None:
    """Refuse the serverless endpoint, which serves no embeddings.

    Raises:
        InvalidRequestError: `endpoint` is "serverless".
    """
    if endpoint == "serverless":
        msg = (
            "Friendli serverless endpoints do not serve embeddings. Use endpoint='dedicated' "
            "with your embedding model's endpoint ID as the model, endpoint='container' for a "
            "Friendli Container, or endpoint='openai-compatible' for another server that speaks "
            "OpenAI's API (both with base_url=...)."
        )
        raise InvalidRequestError(msg)


def _short(value: object) -> str:
    return reprlib.repr(value)


def _check_input(value: object) -> list[str] | str:
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        texts = list(value)
        if not texts:
            msg = "input is an empty list: pass at least one text (nothing to embed)."
            raise InvalidRequestError(msg)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                msg = f"input[{i}] must be a string; got {type(text).__name__} {_short(text)}."
                raise InvalidRequestError(msg)
        return texts
    msg = f"input must be a string or a list of strings; got {type(value).__name__}."
    raise InvalidRequestError(msg)


def _check_tokens(value: object) -> list[int]:
    ok = isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray)
    tokens = list(value) if ok else []  # type: ignore[call-overload]
    if not tokens or not all(isinstance(t, int) and not isinstance(t, bool) for t in tokens):
        msg = f"tokens must be a non-empty list of integer token IDs; got {_short(value)}."
        raise InvalidRequestError(msg)
    return tokens


_OWN_CHECKS = frozenset({"model", "input", "tokens", "encoding_format", "extra_body"})
"""Fields checked below with messages of their own; the others by the field table."""


def _embeddings_body(params: Mapping[str, Any], *, endpoint: Endpoint) -> dict[str, Any]:
    """The checked body: model, exactly one of input/tokens, the other fields, extra_body."""
    others = {k: v for k, v in params.items() if k not in _OWN_CHECKS}
    check_body_fields(others, "embeddings", endpoint)
    model_required = endpoint in CLOUD_ENDPOINTS
    body: dict[str, Any] = {k: v for k, v in others.items() if v is not None}
    model = params.get("model")
    if model is not None and (not isinstance(model, str) or not model):
        msg = f"model must be a non-empty string (an endpoint ID); got {_short(model)}."
        raise InvalidRequestError(msg)
    if model:
        body["model"] = model
    elif model_required:
        msg = "model is required for dedicated endpoints: pass the endpoint ID as model='...'."
        raise InvalidRequestError(msg)
    given = [name for name in ("input", "tokens") if params.get(name) is not None]
    if len(given) != 1:
        msg = "Pass exactly one of input (text or list of texts) and tokens (token IDs)."
        raise InvalidRequestError(msg)
    if given == ["input"]:
        body["input"] = _check_input(params["input"])
    else:
        body["tokens"] = _check_tokens(params["tokens"])
    encoding = params.get("encoding_format")
    if encoding is not None:
        if encoding not in ENCODING_FORMATS:
            msg = f"encoding_format must be 'float' or 'base64'; got {_short(encoding)}."
            raise InvalidRequestError(msg)
        body["encoding_format"] = encoding
    extra = params.get("extra_body")
    if extra is not None and not isinstance(extra, Mapping):
        msg = f"extra_body must be a dict of fields to add to the body; got {type(extra).__name__}."
        raise InvalidRequestError(msg)
    body.update(extra or {})
    return body


def build_embeddings_request(
    config: ClientConfig,
    params: Mapping[str, Any],
    *,
    extra_headers: Mapping[str, str] | None = None,
    client_headers: Mapping[str, str] | None = None,
) -> RequestSpec:
    """Check embeddings parameters and build the `/embeddings` request.

    Raises:
        InvalidRequestError: A serverless endpoint, or parameters that break the spec.
    """
    check_embeddings_endpoint(config.endpoint)
    body = _embeddings_body(params, endpoint=config.endpoint)
    return _spec(
        config, "/embeddings", body, extra_headers=extra_headers, client_headers=client_headers
    )


def decode_base64_vector(text: str) -> list[float]:
    """The floats of a base64 embedding (little-endian float32 values, OpenAI's encoding).

    Raises:
        ValueError: `text` is not base64 of a whole number of float32 values.
    """
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        msg = f"embedding is not valid base64: {exc}"
        raise ValueError(msg) from None
    if len(raw) % _FLOAT32:
        msg = f"a base64 embedding must hold float32 values; got {len(raw)} bytes"
        raise ValueError(msg)
    values = array("f")
    values.frombytes(raw)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()
