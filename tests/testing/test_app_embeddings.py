"""The local server's embeddings routes: spec-valid replies, deterministic and meaningful vectors."""

from __future__ import annotations

import base64
import math
import struct
from typing import Any

import pytest

from friendli_core.testing import LocalServer, RequestLog
from friendli_core.testing._embed import DIM, embed_text
from friendli_core.testing._openapi import validate
from friendli_core.testing._tokens import count_tokens, tokenize
from tests.testing.helpers import HTTP, auth, base


def _post(server: LocalServer, family: str, body: Any) -> Any:
    return HTTP.post(f"{base(server, family)}/embeddings", json=body, headers=auth(server))


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("family", ["dedicated", "container"])
def test_embeddings_reply_matches_the_spec(
    friendli_server: LocalServer, friendli_requests: RequestLog, family: str
) -> None:
    body: dict[str, Any] = {"input": ["first text", "second text"]}
    if family == "dedicated":
        body["model"] = "ep-123:my-adapter"
    response = _post(friendli_server, family, body)
    assert response.status_code == 200, response.text
    payload = response.json()
    assert validate("DedicatedEmbeddingsSuccess", payload) == []
    assert [item["index"] for item in payload["data"]] == [0, 1]
    assert payload["data"][0]["embedding"] == embed_text("first text")
    expected = count_tokens("first text") + count_tokens("second text")
    assert payload["usage"] == {
        "prompt_tokens": expected,
        "completion_tokens": 0,
        "total_tokens": expected,
    }
    if family == "dedicated":
        assert payload["model"] == "ep-123:my-adapter"
    assert friendli_requests.last.path.endswith("/embeddings")


def test_serverless_has_no_embeddings_route(friendli_server: LocalServer) -> None:
    response = _post(friendli_server, "serverless", {"model": "m", "input": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"input": "x"},  # dedicated requires model
        {"model": "m", "input": [1, 2]},
        {"model": "m", "input": "x", "encoding_format": "int8"},
    ],
)
def test_bodies_off_the_spec_get_422(friendli_server: LocalServer, body: dict[str, Any]) -> None:
    response = _post(friendli_server, "dedicated", body)
    assert response.status_code == 422
    assert "DedicatedEmbeddingsBody" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [{"model": "m"}, {"model": "m", "input": "x", "tokens": [1]}, {"model": "m", "input": []}],
)
def test_documented_constraints_get_400(friendli_server: LocalServer, body: dict[str, Any]) -> None:
    assert _post(friendli_server, "dedicated", body).status_code == 400


def test_base64_and_tokens(friendli_server: LocalServer) -> None:
    text = "pack me as float32"
    response = _post(
        friendli_server, "dedicated", {"model": "m", "input": text, "encoding_format": "base64"}
    )
    raw = base64.b64decode(response.json()["data"][0]["embedding"])
    assert list(struct.unpack(f"<{DIM}f", raw)) == pytest.approx(embed_text(text), abs=1e-6)
    by_tokens = _post(friendli_server, "dedicated", {"model": "m", "tokens": tokenize(text)})
    assert by_tokens.json()["data"][0]["embedding"] == pytest.approx(embed_text(text), abs=1e-9)
    assert by_tokens.json()["usage"]["prompt_tokens"] == len(tokenize(text))


def test_vectors_are_unit_length_deterministic_and_meaningful() -> None:
    cat, kitten, revenue = (
        embed_text("The cat sat on the warm mat."),
        embed_text("A cat was sitting on the mat"),
        embed_text("Quarterly revenue grew by twelve percent."),
    )
    for vector in (cat, kitten, revenue, embed_text(""), embed_text("?!")):
        assert len(vector) == DIM
        assert math.isclose(_cosine(vector, vector), 1.0)
    assert embed_text("The cat sat on the warm mat.") == cat
    assert _cosine(cat, kitten) > 0.5 > abs(_cosine(cat, revenue))
    assert embed_text("") != embed_text("?!")


def test_retrieval_finds_the_chunk_sharing_the_question_words() -> None:
    chunks = [
        "Paris is the capital of France and sits on the Seine.",
        "Photosynthesis turns sunlight, water and carbon dioxide into sugar.",
        "The Python language was created by Guido van Rossum.",
    ]
    questions = ["Who created Python?", "What does photosynthesis turn into sugar?"]
    vectors = [embed_text(chunk) for chunk in chunks]
    for question, expected in zip(questions, (2, 1), strict=True):
        q = embed_text(question)
        scores = [_cosine(q, v) for v in vectors]
        assert scores.index(max(scores)) == expected
