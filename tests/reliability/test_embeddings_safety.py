"""Process safety of the embedding classes: the lifecycle checks of `test_process_safety`.

Every vector is checked against the local server's deterministic embedding of the text sent,
so a reply that belongs to another request fails.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import pickle
import weakref
from typing import Any

import httpx
import pytest

from friendli_core.testing import LocalServer
from friendli_core.testing._embed import embed_text
from langchain_friendli import FriendliEmbeddings
from llama_index_friendli import FriendliEmbedding

pytestmark = pytest.mark.reliability

TOKEN = "flp_embeddings_safety_token_0123456789"
CLASSES = ("langchain", "llama")
_FIELDS = {
    "langchain": {"token": "friendli_token", "team": "friendli_team"},
    "llama": {"token": "api_key", "team": "team_id"},
}
_SHARED: dict[str, Any] = {}


def _build(cls: str, server: LocalServer, **options: Any) -> Any:
    options = {"base_url": server.dedicated_url, "max_retries": 0, "timeout": 10.0, **options}
    batch = options.pop("batch", None)
    if cls == "langchain":
        return FriendliEmbeddings(
            model="ep-1", **options, **({"batch_size": batch} if batch else {})
        )
    if batch:
        options["embed_batch_size"] = batch
    options["api_key"] = options.pop("friendli_token", None)
    options["team_id"] = options.pop("friendli_team", None)
    return FriendliEmbedding(model_name="ep-1", **options)


def _embed(model: Any, texts: list[str]) -> list[list[float]]:
    if isinstance(model, FriendliEmbeddings):
        return model.embed_documents(texts)
    return list(model.get_text_embedding_batch(texts))


async def _aembed(model: Any, texts: list[str]) -> list[list[float]]:
    if isinstance(model, FriendliEmbeddings):
        return await model.aembed_documents(texts)
    return list(await model.aget_text_embedding_batch(texts))


def _check(texts: list[str], vectors: list[list[float]]) -> None:
    assert len(vectors) == len(texts)
    for text, vector in zip(texts, vectors, strict=True):
        assert vector == pytest.approx(embed_text(text)), text


@pytest.fixture(scope="module")
def server() -> Any:
    with LocalServer("127.0.0.1", 0, tokens=[TOKEN, "flp_second", "flp_env"]) as local:
        yield local


def _sync_client(model: Any) -> Any:
    return model.client if isinstance(model, FriendliEmbeddings) else model._sync_client()


def _fork_worker(worker: int) -> list[list[float]]:
    texts = [f"worker {worker} text {i}" for i in range(3)]
    return _embed(_SHARED["model"], texts)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
@pytest.mark.parametrize("cls", CLASSES)
def test_fork_workers_use_a_model_built_and_used_in_the_parent(
    cls: str, server: LocalServer
) -> None:
    model = _build(cls, server, friendli_token=TOKEN, batch=1)
    _check(["parent"], _embed(model, ["parent"]))
    _SHARED["model"] = model
    with multiprocessing.get_context("fork").Pool(3) as pool:
        results = pool.map(_fork_worker, range(6))
    for worker, vectors in enumerate(results):
        _check([f"worker {worker} text {i}" for i in range(3)], vectors)
    _check(["parent again"], _embed(model, ["parent again"]))


@pytest.mark.parametrize("cls", CLASSES)
def test_a_pickled_model_carries_no_token_and_works(
    cls: str, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _build(cls, server, friendli_token=TOKEN)
    _check(["before"], _embed(model, ["before"]))
    data = pickle.dumps(model)
    assert TOKEN.encode() not in data
    assert b"httpx" not in data
    monkeypatch.setenv("FRIENDLI_TOKEN", "flp_env")
    restored = pickle.loads(data)  # noqa: S301 - our own bytes
    assert getattr(restored, _FIELDS[cls]["token"]) is None
    _check(["after"], _embed(restored, ["after"]))
    assert server.requests.last.token_matches("flp_env")


def _changes(cls: str, server: LocalServer) -> list[tuple[str, Any, Any]]:
    return [
        ("base_url", server.container_url, lambda r: r.path == "/v1/embeddings"),
        (_FIELDS[cls]["token"], "flp_second", lambda r: r.token_matches("flp_second")),
        (_FIELDS[cls]["team"], "team-b", lambda r: r.team == "team-b"),
        ("default_headers", {"X-Trace": "b"}, lambda r: r.headers.get("x-trace") == "b"),
        ("http_client", httpx.Client(headers={"X-Via": "u"}), lambda r: r.headers["x-via"] == "u"),
    ]


@pytest.mark.parametrize("how", ["assign", "model_copy"])
@pytest.mark.parametrize("cls", CLASSES)
def test_each_connection_setting_changed_after_use_is_used(
    cls: str, how: str, server: LocalServer
) -> None:
    for field, value, sent in _changes(cls, server):
        model = _build(cls, server, friendli_token=TOKEN, friendli_team="team-a")
        _embed(model, ["first"])
        assert server.requests.last.team == "team-a"
        if how == "assign":
            setattr(model, field, value)
        else:
            model = model.model_copy(update={field: value})
        _check(["second"], _embed(model, ["second"]))
        assert sent(server.requests.last), f"{field} changed after use was not used"


@pytest.mark.parametrize("cls", CLASSES)
async def test_close_releases_connections_and_the_model_stays_usable(
    cls: str, server: LocalServer
) -> None:
    model = _build(cls, server, friendli_token=TOKEN)
    _check(["one"], _embed(model, ["one"]))
    _check(["two"], await _aembed(model, ["two"]))
    core_sync = _sync_client(model)
    core_async = model.async_client if cls == "langchain" else model._async_client()
    model.close()
    await model.aclose()
    assert core_sync._http.is_closed
    assert core_async._http.is_closed
    _check(["three"], _embed(model, ["three"]))
    _check(["four"], await _aembed(model, ["four"]))


@pytest.mark.parametrize("cls", CLASSES)
def test_a_collected_model_releases_its_clients(cls: str, server: LocalServer) -> None:
    model = _build(cls, server, friendli_token=TOKEN)
    _embed(model, ["one"])
    client = weakref.ref(_sync_client(model))
    del model
    gc.collect()
    assert client() is None


@pytest.mark.parametrize("cls", CLASSES)
def test_threads_each_running_a_loop_share_one_model(cls: str, server: LocalServer) -> None:
    import threading

    model = _build(cls, server, friendli_token=TOKEN, batch=1)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            texts = [f"thread {n} item {i}" for i in range(4)]
            _check(texts, asyncio.run(_aembed(model, texts)))
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
