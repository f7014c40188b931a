"""FriendliEmbedding without sockets: batching, order, bounded async, errors, secrets, lifecycle."""

from __future__ import annotations

import asyncio
import json
import pickle
from typing import Any

import httpx
import pytest
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import ValidationError

from friendli_core import APIResponseValidationError, InvalidRequestError, RateLimitError
from llama_index_friendli import FriendliEmbedding, FriendliLLM
from llama_index_friendli._connection import FriendliConnectionFields

TOKEN = "flp_li_embed_SECRET_987654321"
TEXTS = ["a", "bb", "ccc", "", "eeeee"]


class _Api:
    """Scripted embeddings: each text's vector is [len(text), request number], sent reversed."""

    def __init__(self, *, status: int = 200, drop_last: bool = False) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.status = status
        self.drop_last = drop_last
        self.in_flight = self.peak = 0

    def reply(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        if self.status != 200:
            return httpx.Response(self.status, json={"message": "no"})
        number = float(len(self.bodies))
        data = [
            {"index": i, "object": "embedding", "embedding": [float(len(t)), number]}
            for i, t in enumerate(body["input"])
        ][::-1]
        if self.drop_last:
            data.pop()
        usage = {"prompt_tokens": 1, "completion_tokens": 0, "total_tokens": 1}
        return httpx.Response(
            200, json={"id": "e", "object": "list", "data": data, "usage": usage, "created": 1}
        )

    async def areply(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        return self.reply(request)


def _model(api: _Api, **fields: Any) -> FriendliEmbedding:
    return FriendliEmbedding(
        model_name="ep-1:adapter",
        api_key=TOKEN,
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(api.reply)),
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(api.areply)),
        **fields,
    )


def test_is_a_llama_index_embedding() -> None:
    assert BaseEmbedding in FriendliEmbedding.__mro__
    assert FriendliEmbedding.class_name() == "FriendliEmbedding"
    assert FriendliEmbedding(model="ep-9").model_name == "ep-9"


def test_batches_keep_input_order() -> None:
    api = _Api()
    vectors = _model(api, embed_batch_size=2).get_text_embedding_batch(TEXTS)
    assert vectors == [[1.0, 1.0], [2.0, 1.0], [3.0, 2.0], [0.0, 2.0], [5.0, 3.0]]
    assert [body["input"] for body in api.bodies] == [["a", "bb"], ["ccc", ""], ["eeeee"]]
    assert {body["model"] for body in api.bodies} == {"ep-1:adapter"}


def test_async_batches_are_bounded_by_num_workers() -> None:
    api = _Api()
    model = _model(api, embed_batch_size=1, num_workers=2)
    vectors = asyncio.run(model.aget_text_embedding_batch(TEXTS))
    assert [v[0] for v in vectors] == [float(len(t)) for t in TEXTS]
    assert api.peak == 2


def test_single_text_query_and_empty_batch() -> None:
    api = _Api()
    model = _model(api)
    assert model.get_query_embedding("abc") == [3.0, 1.0]
    assert asyncio.run(model.aget_text_embedding("abcd")) == [4.0, 2.0]
    assert asyncio.run(model.aget_query_embedding("ab")) == [2.0, 3.0]
    assert model.get_text_embedding_batch([]) == []
    assert len(api.bodies) == 3


def test_errors_are_typed_and_carry_no_token() -> None:
    with pytest.raises(RateLimitError) as info:
        _model(_Api(status=429)).get_text_embedding("x")
    assert TOKEN not in repr(info.value)
    with pytest.raises(APIResponseValidationError, match="one embedding per input"):
        _model(_Api(drop_last=True)).get_text_embedding_batch(["a", "b"])


def test_serverless_is_refused() -> None:
    with pytest.raises(ValidationError, match="do not serve embeddings"):
        FriendliEmbedding(model_name="m", endpoint="serverless")
    with pytest.raises(ValidationError, match="model_name is required"):
        FriendliEmbedding()
    api = _Api()
    model = _model(api)
    model.endpoint = "serverless"
    with pytest.raises(InvalidRequestError, match="endpoint='container'"):
        model.get_text_embedding("x")
    assert api.bodies == []


def test_token_never_in_repr_dump_or_pickle(monkeypatch: pytest.MonkeyPatch) -> None:
    model = FriendliEmbedding(model_name="m", api_key=TOKEN)
    assert TOKEN not in repr(model)
    assert TOKEN not in model.to_json()
    assert TOKEN.encode() not in pickle.dumps(model)
    monkeypatch.setenv("FRIENDLI_TOKEN", "flp_from_env")
    restored = pickle.loads(pickle.dumps(model))  # noqa: S301 - our own pickle
    assert restored._sync_client().config.token == "flp_from_env"


def test_changed_settings_rebuild_the_client() -> None:
    model = FriendliEmbedding(model_name="m", api_key=TOKEN, base_url="http://127.0.0.1:9/v1")
    first = model._sync_client()
    assert model._sync_client() is first
    model.api_key = "flp_other"  # type: ignore[assignment]
    assert model._sync_client().config.token == "flp_other"
    model.close()
    assert model._sync_client() is not first


def test_connection_fields_are_declared_once() -> None:
    """FriendliLLM and FriendliEmbedding take the connection fields from one mixin."""
    for cls in (FriendliLLM, FriendliEmbedding):
        assert FriendliConnectionFields in cls.__mro__
    for name, field in FriendliConnectionFields.model_fields.items():
        assert FriendliLLM.model_fields[name].description == field.description
    assert FriendliLLM.model_fields["endpoint"].default == "serverless"
    assert FriendliEmbedding.model_fields["endpoint"].default == "dedicated"
