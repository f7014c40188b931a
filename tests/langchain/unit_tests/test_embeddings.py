"""FriendliEmbeddings without sockets: standard unit suite, batching, order, errors, secrets."""

from __future__ import annotations

import asyncio
import copy
import json
import pickle
from typing import Any

import httpx
import pytest
from langchain_tests.unit_tests import EmbeddingsUnitTests
from pydantic import ValidationError

from langchain_friendli import (
    ChatFriendli,
    FriendliEmbeddings,
    FriendliInvalidRequestError,
    FriendliRateLimitError,
    FriendliResponseValidationError,
)
from langchain_friendli._connection import FriendliConnection

TOKEN = "flp_embed_SECRET_0123456789"


class TestFriendliEmbeddingsStandard(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[FriendliEmbeddings]:
        return FriendliEmbeddings

    @property
    def embedding_model_params(self) -> dict:
        return {"model": "my-endpoint-id"}

    @property
    def init_from_env_params(self) -> tuple[dict, dict, dict]:
        return (
            {
                "FRIENDLI_TOKEN": "env-token",
                "FRIENDLI_TEAM": "env-team",
                "FRIENDLI_BASE_URL": "http://127.0.0.1:9/dedicated/v1",
            },
            {"model": "my-endpoint-id"},
            {
                "friendli_token": "env-token",
                "friendli_team": "env-team",
                "base_url": "http://127.0.0.1:9/dedicated/v1",
            },
        )


class _Api:
    """A scripted embeddings endpoint: each text's vector is [len(text), batch number]."""

    def __init__(self, *, fail_on: int | None = None, drop_last: bool = False) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.fail_on = fail_on
        self.drop_last = drop_last
        self.in_flight = self.peak = 0

    def reply(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        number = len(self.bodies)
        if number == self.fail_on:
            return httpx.Response(429, json={"message": "slow down"})
        texts = body["input"]
        data = [
            {"index": i, "object": "embedding", "embedding": [float(len(t)), float(number)]}
            for i, t in enumerate(texts)
        ]
        data.reverse()  # servers may answer out of order; `index` decides
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


def _model(api: _Api, **fields: Any) -> FriendliEmbeddings:
    return FriendliEmbeddings(
        model="ep-1:adapter",
        api_key=TOKEN,
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(api.reply)),
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(api.areply)),
        **fields,
    )


TEXTS = ["a", "bb", "ccc", "", "eeeee"]


def test_batches_keep_input_order_and_send_the_adapter_model() -> None:
    api = _Api()
    vectors = _model(api, batch_size=2).embed_documents(TEXTS)
    assert vectors == [[1.0, 1.0], [2.0, 1.0], [3.0, 2.0], [0.0, 2.0], [5.0, 3.0]]
    assert [body["input"] for body in api.bodies] == [["a", "bb"], ["ccc", ""], ["eeeee"]]
    assert {body["model"] for body in api.bodies} == {"ep-1:adapter"}


def test_async_batches_are_bounded_and_ordered() -> None:
    api = _Api()
    model = _model(api, batch_size=1, max_concurrency=2)
    vectors = asyncio.run(model.aembed_documents(TEXTS))
    assert [v[0] for v in vectors] == [float(len(t)) for t in TEXTS]
    assert len(api.bodies) == len(TEXTS)
    assert api.peak == 2


def test_empty_list_sends_nothing() -> None:
    api = _Api()
    model = _model(api)
    assert model.embed_documents([]) == []
    assert asyncio.run(model.aembed_documents([])) == []
    assert api.bodies == []


def test_query_methods_embed_one_text() -> None:
    api = _Api()
    model = _model(api)
    assert model.embed_query("abc") == [3.0, 1.0]
    assert asyncio.run(model.aembed_query("abcd")) == [4.0, 2.0]


def test_errors_are_typed_and_carry_no_token() -> None:
    with pytest.raises(FriendliRateLimitError) as info:
        _model(_Api(fail_on=2), batch_size=2).embed_documents(TEXTS)
    assert TOKEN not in repr(info.value)
    with pytest.raises(FriendliRateLimitError):
        asyncio.run(_model(_Api(fail_on=2), batch_size=1).aembed_documents(TEXTS))
    with pytest.raises(FriendliResponseValidationError, match="one embedding per input"):
        _model(_Api(drop_last=True)).embed_documents(TEXTS)


def test_serverless_and_missing_model_are_refused_at_construction() -> None:
    with pytest.raises(ValidationError, match=r"endpoint='dedicated'.*endpoint='container'"):
        FriendliEmbeddings(model="m", endpoint="serverless")
    with pytest.raises(ValidationError, match="model is required"):
        FriendliEmbeddings()
    assert FriendliEmbeddings(endpoint="container").model is None


def test_serverless_set_later_is_refused_before_sending() -> None:
    api = _Api()
    model = _model(api)
    model.endpoint = "serverless"
    with pytest.raises(FriendliInvalidRequestError, match="do not serve embeddings"):
        model.embed_documents(["x"])
    assert api.bodies == []


def test_token_is_masked_and_never_pickled(monkeypatch: pytest.MonkeyPatch) -> None:
    model = FriendliEmbeddings(model="m", api_key=TOKEN)
    assert TOKEN not in repr(model)
    assert TOKEN not in model.model_dump_json()
    assert TOKEN.encode() not in pickle.dumps(model)
    monkeypatch.setenv("FRIENDLI_TOKEN", "flp_from_env")
    restored = pickle.loads(pickle.dumps(model))  # noqa: S301 - our own pickle
    assert restored.client.config.token == "flp_from_env"


def test_changed_settings_rebuild_the_client_and_close_releases_it() -> None:
    model = FriendliEmbeddings(model="m", api_key=TOKEN, base_url="http://127.0.0.1:9/v1")
    first = model.client
    assert model.client is first
    model.base_url = "http://127.0.0.1:10/v1"
    assert model.client is not first
    assert model.client.config.base_url == "http://127.0.0.1:10/v1"
    copied = copy.deepcopy(model)
    assert copied.client is not model.client
    model.close()
    assert model.client is not first


def test_connection_fields_are_declared_once() -> None:
    """ChatFriendli and FriendliEmbeddings take the same connection fields from one class."""
    shared = set(FriendliConnection.model_fields)
    assert shared <= set(ChatFriendli.model_fields)
    assert shared <= set(FriendliEmbeddings.model_fields)
    for name in shared - {"endpoint"}:
        assert FriendliEmbeddings.model_fields[name].alias == ChatFriendli.model_fields[name].alias
    assert ChatFriendli.model_fields["endpoint"].default == "serverless"
    assert FriendliEmbeddings.model_fields["endpoint"].default == "dedicated"
