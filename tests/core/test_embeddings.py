"""Embeddings in the core: request building and checks (pure), reply parsing, both clients.

Pure parts are tested with literal dicts; HTTP through `httpx.MockTransport` or the local server.
"""

from __future__ import annotations

import asyncio
import base64
import json
import struct
from typing import Any

import httpx
import pytest

from friendli_core import (
    APIResponseValidationError,
    AsyncFriendliClient,
    ClientConfig,
    Embeddings,
    FriendliClient,
    InvalidRequestError,
    UnprocessableEntityError,
)
from friendli_core._embeddings import build_embeddings_request, decode_base64_vector
from friendli_core.testing import LocalServer
from friendli_core.testing._openapi import validate
from tests.core.conftest import TOKEN

DEDICATED = ClientConfig(token=TOKEN, endpoint="dedicated")
CONTAINER = ClientConfig(endpoint="container")


def _body(config: ClientConfig, **params: Any) -> dict[str, Any]:
    spec = build_embeddings_request(config, params)
    assert spec.content is not None
    return dict(json.loads(spec.content))


# --------------------------------------------------------------------------- request building


def test_dedicated_request_goes_to_the_dedicated_embeddings_path() -> None:
    spec = build_embeddings_request(DEDICATED, {"model": "ep-1:lora", "input": ["a", "b"]})
    assert spec.method == "POST"
    assert spec.url == "https://api.friendli.ai/dedicated/v1/embeddings"
    assert spec.headers["Authorization"] == f"Bearer {TOKEN}"
    body = _body(DEDICATED, model="ep-1:lora", input=["a", "b"])
    assert body == {"model": "ep-1:lora", "input": ["a", "b"]}
    assert validate("DedicatedEmbeddingsBody", body) == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"input": "one text"}, {"input": "one text"}),
        ({"input": ("a", "")}, {"input": ["a", ""]}),
        ({"tokens": [1, 2, 3]}, {"tokens": [1, 2, 3]}),
        ({"input": "x", "encoding_format": "base64"}, {"input": "x", "encoding_format": "base64"}),
        ({"input": "x", "extra_body": {"dimensions": 8}}, {"input": "x", "dimensions": 8}),
    ],
)
def test_container_bodies_need_no_model(params: dict[str, Any], expected: dict[str, Any]) -> None:
    assert build_embeddings_request(CONTAINER, params).url == "http://localhost:8000/v1/embeddings"
    assert _body(CONTAINER, **params) == expected
    assert validate("DedicatedEmbeddingsBody", {"model": "m", **expected}) == []


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"input": "x"}, "model is required"),
        ({"model": "", "input": "x"}, "model must be a non-empty string"),
        ({"model": "m"}, "exactly one of input"),
        ({"model": "m", "input": "x", "tokens": [1]}, "exactly one of input"),
        ({"model": "m", "input": []}, "empty list"),
        ({"model": "m", "input": ["a", 3]}, "input[1] must be a string"),
        ({"model": "m", "input": b"bytes"}, "input must be a string or a list of strings"),
        ({"model": "m", "tokens": []}, "tokens must be a non-empty list"),
        ({"model": "m", "tokens": [1, True]}, "tokens must be a non-empty list"),
        ({"model": "m", "input": "x", "encoding_format": "int8"}, "encoding_format must be"),
        ({"model": "m", "input": "x", "extra_body": [1]}, "extra_body must be a dict"),
        (
            {"model": "m", "input": "x", "dimension": 8},
            "Unknown embeddings parameter 'dimension'. Did you mean 'dimensions' (OpenAI's",
        ),
    ],
)
def test_bad_parameters_are_refused_before_sending(params: dict[str, Any], needle: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        build_embeddings_request(DEDICATED, params)
    assert needle in str(info.value)


def test_serverless_is_refused_naming_dedicated_and_container() -> None:
    with pytest.raises(InvalidRequestError) as info:
        build_embeddings_request(ClientConfig(token=TOKEN), {"model": "m", "input": "x"})
    message = str(info.value)
    assert "serverless" in message
    assert "endpoint='dedicated'" in message
    assert "endpoint='container'" in message


# --------------------------------------------------------------------------- reply parsing


def _b64(values: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()


def test_base64_vectors_decode_to_the_floats_sent() -> None:
    assert decode_base64_vector(_b64([0.5, -1.25, 3.0])) == [0.5, -1.25, 3.0]
    with pytest.raises(ValueError, match="float32"):
        decode_base64_vector(base64.b64encode(b"abc").decode())
    with pytest.raises(ValueError, match="not valid base64"):
        decode_base64_vector("not base64!")


def test_reply_is_typed_and_vectors_follow_the_input_order() -> None:
    reply = Embeddings.model_validate(
        {
            "id": "embd-1",
            "model": "ep-1",
            "object": "list",
            "data": [
                {"index": 1, "object": "embedding", "embedding": _b64([0.25, 0.5])},
                {"index": 0, "object": "embedding", "embedding": [1, 2]},
            ],
            "usage": {"prompt_tokens": 4, "completion_tokens": 0, "total_tokens": 4},
            "created": 1,
        }
    )
    assert reply.vectors == [[1.0, 2.0], [0.25, 0.5]]
    assert reply.vectors_for(2) == reply.vectors
    assert reply.usage is not None
    assert reply.usage.prompt_tokens == 4
    with pytest.raises(APIResponseValidationError, match="one embedding per input"):
        reply.vectors_for(3)


# --------------------------------------------------------------------------- the clients


def _reply(*vectors: list[float]) -> dict[str, Any]:
    data = [{"index": i, "object": "embedding", "embedding": v} for i, v in enumerate(vectors)]
    usage = {"prompt_tokens": 2, "completion_tokens": 0, "total_tokens": 2}
    return {"id": "e", "object": "list", "data": data, "usage": usage, "created": 1}


def test_serverless_client_sends_nothing() -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200))
    client = FriendliClient(token=TOKEN, http_client=httpx.Client(transport=transport))
    with pytest.raises(InvalidRequestError, match="dedicated"):
        client.embeddings(model="m", input="x")
    assert sent == []


def test_a_malformed_vector_is_a_response_validation_error() -> None:
    reply = _reply([1.0])
    reply["data"][0]["embedding"] = "@@@"
    transport = httpx.MockTransport(lambda _: httpx.Response(200, json=reply))
    http = httpx.Client(transport=transport)
    client = FriendliClient(endpoint="dedicated", token=TOKEN, http_client=http)
    with pytest.raises(APIResponseValidationError) as info:
        client.embeddings(model="m", input="x")
    assert info.value.path == "/dedicated/v1/embeddings"
    assert TOKEN not in repr(info.value)


def test_both_clients_embed_on_the_local_server(friendli_server: LocalServer) -> None:
    texts = ["The cat sat on the mat.", "A cat sat on a mat.", "Quarterly revenue grew."]
    url, token = friendli_server.dedicated_url, friendli_server.token
    with FriendliClient(endpoint="dedicated", base_url=url, token=token) as client:
        reply = client.embeddings(model="ep-1:adapter", input=texts)
        packed = client.embeddings(model="ep-1:adapter", input=texts, encoding_format="base64")

    async def embed_async() -> Embeddings:
        async with AsyncFriendliClient(endpoint="dedicated", base_url=url, token=token) as aclient:
            return await aclient.embeddings(model="ep-1:adapter", input=texts)

    areply = asyncio.run(embed_async())
    assert reply.model == "ep-1:adapter"
    assert areply.vectors == reply.vectors
    assert len(reply.vectors) == 3
    assert all(isinstance(x, float) for x in reply.vectors[0])
    for got, sent in zip(packed.vectors, reply.vectors, strict=True):
        assert got == pytest.approx(sent, abs=1e-6)  # float32 on the wire
    assert reply.usage is not None
    assert reply.usage.total_tokens > 0


def test_spec_violations_reach_the_server_as_typed_errors(friendli_server: LocalServer) -> None:
    """`extra_body` is sent unchecked: the server's 422 comes back as a typed error."""
    url, token = friendli_server.dedicated_url, friendli_server.token
    client = FriendliClient(endpoint="dedicated", base_url=url, token=token, max_retries=0)
    with client, pytest.raises(UnprocessableEntityError, match="DedicatedEmbeddingsBody"):
        client.embeddings(model="m", input="x", extra_body={"encoding_format": "int8"})
