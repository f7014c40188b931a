"""Process safety: fork and spawn pools, pickled errors and models, streams, threads x loops.

Every reply is checked against its own caller: the local model echoes the user's text ("You
said: ...") and completions continue from the prompt, so a reply that belongs to another
request, or is cut, fails the check.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import pickle
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

import friendli_core as fc
from friendli_core import AsyncFriendliClient, ClientConfig, FriendliClient
from friendli_core.testing import LocalServer
from tests.reliability._stack import MODEL, Target, targets

pytestmark = pytest.mark.reliability

TOKEN = "flp_process_safety_token_0123456789"
WORKERS = 4
CALLS = 8

# What a forked worker inherits from the test (set before the pool forks).
_SHARED: dict[str, Any] = {}


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer(tokens=None) as local:  # any non-empty token: tests switch tokens
        yield local


@pytest.fixture(scope="module")
def spawn_pool() -> Iterator[Any]:
    """Two spawned workers for the module (each start re-imports the stack: seconds)."""
    saved = os.environ.get("FRIENDLI_TOKEN")
    os.environ["FRIENDLI_TOKEN"] = TOKEN  # tokens are never pickled: workers read this
    try:
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            yield pool
    finally:
        if saved is None:
            os.environ.pop("FRIENDLI_TOKEN", None)
        else:
            os.environ["FRIENDLI_TOKEN"] = saved


@pytest.fixture
def log(server: LocalServer) -> Any:
    server.requests.clear()
    server.clear_faults()
    return server.requests


def _check(prompt: str, reply: str) -> None:
    assert prompt in reply, f"reply {reply!r} is not the reply to {prompt!r}"


async def _calls(target: Target, url: str, obj: Any, tag: str) -> list[tuple[str, str]]:
    prompts = [f"caller {tag} call {i} pid {os.getpid()}" for i in range(CALLS)]
    if target.mode == "async":  # concurrent on one loop: several pooled connections at once
        replies = await asyncio.gather(*(target.run(url, p, instance=obj) for p in prompts))
        return list(zip(prompts, replies, strict=True))
    return [(p, await target.run(url, p, instance=obj)) for p in prompts]


def _fork_worker(worker: int) -> list[tuple[str, str]]:
    target, url, obj = _SHARED["target"], _SHARED["url"], _SHARED["obj"]
    return asyncio.run(_calls(target, url, obj, f"w{worker}"))


@pytest.mark.parametrize("target", targets())
def test_fork_workers_never_share_the_parents_connections(
    target: Target, server: LocalServer
) -> None:
    url = server.serverless_url
    obj = target.build(url, token=TOKEN)
    first = asyncio.run(target.run(url, "parent before the fork", instance=obj))
    _check("parent before the fork", first)  # the parent now holds a pooled connection
    _SHARED.update(target=target, url=url, obj=obj)
    parent: list[tuple[str, str]] = []
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        pending = pool.map_async(_fork_worker, range(WORKERS))
        # the parent keeps sending through its own pool meanwhile (an async core client is
        # bound to the loop it was used on, so only the others can start a new loop here)
        while not pending.ready() and len(parent) < 4 * CALLS and target.cls != "core":
            parent += asyncio.run(_calls(target, url, obj, "parent"))
        results = pending.get(timeout=120)
    for prompt, reply in [pair for worker in results for pair in worker] + parent:
        _check(prompt, reply)
    assert sum(len(r) for r in results) == WORKERS * CALLS


def _spawn_worker(args: tuple[Target, str, Any, str]) -> str:
    target, url, obj, prompt = args
    if target.cls == "core":  # clients do not pickle; their configuration does
        factory = FriendliClient if target.mode == "sync" else AsyncFriendliClient
        obj = factory(config=obj)
    return asyncio.run(target.run(url, prompt, instance=obj))


@pytest.mark.parametrize("target", targets(stream=False))
def test_spawn_workers_run_a_model_built_and_used_in_the_parent(
    target: Target, server: LocalServer, spawn_pool: Any
) -> None:
    url = server.serverless_url
    obj = target.build(url, token=TOKEN)
    if target.cls == "core":
        obj = obj.config
    else:
        _check("used first", asyncio.run(target.run(url, "used first", instance=obj)))
    prompts = [f"spawned call {i}" for i in range(6)]
    replies = spawn_pool.map(_spawn_worker, [(target, url, obj, p) for p in prompts], chunksize=1)
    for prompt, reply in zip(prompts, replies, strict=True):
        _check(prompt, reply)


# -- errors ---------------------------------------------------------------------------------


def _error_classes() -> list[type[BaseException]]:
    from langchain_friendli import _errors as lc_errors

    found = {
        value
        for module in (fc.errors, lc_errors)
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, fc.FriendliError)
    }
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _example(cls: type[BaseException]) -> BaseException:
    if issubclass(cls, fc.APIStatusError):
        return cls(
            "Friendli API error 429: slow down",
            status_code=429,
            request_id="req-123",
            body={"error": {"message": "slow down", "type": "rate_limit", "code": 7}},
            api_message="slow down",
            type="rate_limit",
            code=7,
            retry_after=1.5,
            method="POST",
            path="/serverless/v1/chat/completions",
        )
    if issubclass(cls, fc.APIError):
        return cls("Connection error", method="POST", path="/serverless/v1/completions")
    return cls("bad parameter")


def test_the_error_list_covers_the_hierarchy() -> None:
    names = {c.__name__ for c in _error_classes()}
    assert {"APIStatusError", "RateLimitError", "FriendliRateLimitError"} <= names
    assert {"StreamConsumedError", "FriendliContextOverflowError", "MissingTokenError"} <= names


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_every_error_pickles_as_itself(cls: type[BaseException]) -> None:
    error = _example(cls)
    error.add_note("a note added on the way")
    restored = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert type(restored) is cls
    assert str(restored) == str(error)
    assert restored.args == error.args
    assert vars(restored) == vars(error)
    for field in ("status_code", "request_id", "api_message", "body", "retry_after", "method"):
        assert getattr(restored, field, None) == getattr(error, field, None)


def _raise_in_worker(args: tuple[Target, str]) -> str:
    target, url = args
    return asyncio.run(target.run(url, "never answered"))


@pytest.mark.parametrize("method", ["fork", "spawn"])
@pytest.mark.parametrize("cls", ["core", "chat", "llm", "llama"])
def test_an_error_raised_in_a_pool_worker_reaches_the_parent_as_its_class(
    cls: str, method: str, server: LocalServer, spawn_pool: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRIENDLI_TOKEN", TOKEN)
    url = server.serverless_url
    server.inject_fault("status:429")
    args = ((Target(cls, "sync", stream=False), url),)
    if method == "spawn":
        with pytest.raises(fc.RateLimitError) as info:
            spawn_pool.apply_async(_raise_in_worker, args).get(timeout=120)
    else:
        with multiprocessing.get_context("fork").Pool(1) as pool:
            pending = pool.apply_async(_raise_in_worker, args)
            with pytest.raises(fc.RateLimitError) as info:
                pending.get(timeout=120)  # a worker error that does not pickle hangs here
    error = info.value
    assert error.status_code == 429
    assert error.request_id
    assert error.path == "/serverless/v1/chat/completions" or cls == "llm"
    if cls in ("chat", "llm"):
        from langchain_core.exceptions import ModelRateLimitError

        assert isinstance(error, ModelRateLimitError)


# -- models: pickle, copies, settings changed after use ------------------------------------


_FIELDS = {
    "chat": {"token": "friendli_token", "team": "friendli_team", "ahttp": "http_async_client"},
    "llm": {"token": "friendli_token", "team": "friendli_team", "ahttp": "http_async_client"},
    "llama": {"token": "api_key", "team": "team_id", "ahttp": "async_http_client"},
}
MODELS = ("chat", "llm", "llama")


def _field(cls: str, name: str) -> str:
    return _FIELDS[cls].get(name, name)


@pytest.mark.parametrize("cls", MODELS)
def test_a_pickled_model_carries_no_token_and_no_clients_and_works(
    cls: str, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = Target(cls, "sync", stream=False)
    model = target.build(server, token=TOKEN)
    asyncio.run(target.run(server, "before pickling", instance=model))
    data = pickle.dumps(model)
    assert TOKEN.encode() not in data
    assert b"httpx" not in data  # no client, pool or connection state
    monkeypatch.setenv("FRIENDLI_TOKEN", "flp_token_of_the_receiving_process")
    restored = pickle.loads(data)  # noqa: S301 - our own bytes
    assert getattr(restored, _field(cls, "token")) is None
    _check("after", asyncio.run(target.run(server, "after", instance=restored)))
    assert server.requests.last.token_matches("flp_token_of_the_receiving_process")


def _changes(cls: str, server: LocalServer) -> list[tuple[str, Any, Any]]:
    """(field, value, check of the last recorded request) per connection setting."""
    import httpx

    return [
        ("base_url", server.dedicated_url, lambda r: r.path.startswith("/dedicated/v1/")),
        (
            _field(cls, "token"),
            "flp_second_token_abcdef",
            lambda r: r.token_matches("flp_second_token_abcdef"),
        ),
        (_field(cls, "team"), "team-b", lambda r: r.team == "team-b"),
        ("default_headers", {"X-Trace": "b"}, lambda r: r.headers.get("x-trace") == "b"),
        ("endpoint", "container", lambda r: r.team is None),  # no team header for container
        (
            "http_client",
            httpx.Client(headers={"X-Via": "user"}),
            lambda r: r.headers.get("x-via") == "user",
        ),
    ]


@pytest.mark.parametrize("how", ["assign", "model_copy"])
@pytest.mark.parametrize("cls", MODELS)
def test_each_connection_setting_changed_after_use_is_used(
    cls: str, how: str, server: LocalServer, log: Any
) -> None:
    target = Target(cls, "sync", stream=False)
    for field, value, sent in _changes(cls, server):
        model = target.build(server, token=TOKEN, **{_field(cls, "team"): "team-a"})
        asyncio.run(target.run(server, "first", instance=model))
        assert log.last.team == "team-a"
        if how == "assign":
            setattr(model, field, value)
        else:
            model = model.model_copy(update={field: value})
        _check("second", asyncio.run(target.run(server, "second", instance=model)))
        assert sent(log.last), f"{field} changed after use was not used"


@pytest.mark.parametrize("cls", MODELS)
def test_timeout_and_retries_changed_after_use_are_used(cls: str, server: LocalServer) -> None:
    target = Target(cls, "sync", stream=False)
    model = target.build(server, token=TOKEN, timeout=10.0, max_retries=0)
    asyncio.run(target.run(server, "first", instance=model))
    model.timeout = 0.2
    server.inject_fault("delay:2")
    with pytest.raises(fc.APITimeoutError):
        asyncio.run(target.run(server, "slow", instance=model))
    model.timeout = 10.0
    model.max_retries = 1
    server.inject_fault("status:503")
    _check("retried", asyncio.run(target.run(server, "retried", instance=model)))


@pytest.mark.parametrize("cls", MODELS)
async def test_async_clients_follow_changed_settings(
    cls: str, server: LocalServer, log: Any
) -> None:
    import httpx

    target = Target(cls, "async", stream=True)
    model = target.build(server, token=TOKEN)
    await target.run(server, "first", instance=model)
    model = model.model_copy(update={"base_url": server.dedicated_url})
    _check("moved", await target.run(server, "moved", instance=model))
    assert log.last.path.startswith("/dedicated/v1/")
    async with httpx.AsyncClient(headers={"X-Via": "async-user"}) as http:
        setattr(model, _field(cls, "ahttp"), http)
        _check("via", await target.run(server, "via", instance=model))
        assert log.last.headers.get("x-via") == "async-user"


@pytest.mark.parametrize("cls", MODELS)
async def test_close_releases_connections_and_the_model_stays_usable(
    cls: str, server: LocalServer
) -> None:
    sync, async_ = Target(cls, "sync", stream=False), Target(cls, "async", stream=False)
    model = sync.build(server, token=TOKEN)
    await sync.run(server, "one", instance=model)
    await async_.run(server, "two", instance=model)
    core_sync = model.client if cls != "llama" else model._sync_client()
    core_async = model.async_client if cls != "llama" else model._async_client()
    model.close()
    await model.aclose()
    assert core_sync._http.is_closed
    assert core_async._http.is_closed
    _check("three", await sync.run(server, "three", instance=model))
    _check("four", await async_.run(server, "four", instance=model))


@pytest.mark.parametrize("cls", MODELS)
def test_a_collected_model_releases_its_clients(cls: str, server: LocalServer) -> None:
    target = Target(cls, "sync", stream=False)
    model = target.build(server, token=TOKEN)
    asyncio.run(target.run(server, "one", instance=model))
    client = weakref.ref(model.client if cls != "llama" else model._sync_client())
    del model
    gc.collect()
    assert client() is None  # nothing outside the model (no module-level cache) keeps it


# -- streams and threads x loops -------------------------------------------------------------


def test_a_stream_iterated_twice_says_so(server: LocalServer) -> None:
    with FriendliClient(token=TOKEN, base_url=server.serverless_url) as client:
        stream = client.stream_chat(model=MODEL, messages=[{"role": "user", "content": "hi"}])
        assert list(stream)
        with pytest.raises(fc.StreamConsumedError, match="already iterated"):
            list(stream)


async def test_an_async_stream_iterated_twice_says_so(server: LocalServer) -> None:
    async with AsyncFriendliClient(token=TOKEN, base_url=server.serverless_url) as client:
        stream = await client.stream_chat(model=MODEL, messages=[{"role": "user", "content": "hi"}])
        assert [chunk async for chunk in stream]
        with pytest.raises(fc.StreamConsumedError, match="already iterated"):
            [chunk async for chunk in stream]


@pytest.mark.parametrize("target", targets(classes=MODELS))
def test_threads_each_running_a_loop_share_one_model(target: Target, server: LocalServer) -> None:
    url = server.serverless_url
    model = target.build(url, token=TOKEN)
    results: dict[int, list[tuple[str, str]]] = {}

    def work(thread: int) -> None:
        results[thread] = asyncio.run(_calls(target, url, model, f"t{thread}"))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == [0, 1, 2, 3]
    for prompt, reply in [pair for pairs in results.values() for pair in pairs]:
        _check(prompt, reply)


def test_threads_share_one_sync_core_client(server: LocalServer) -> None:
    target = Target("core", "sync", stream=True)
    client = target.build(server.serverless_url, token=TOKEN)
    results: dict[int, list[tuple[str, str]]] = {}

    def work(thread: int) -> None:
        results[thread] = asyncio.run(_calls(target, server.serverless_url, client, f"t{thread}"))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for prompt, reply in [pair for pairs in results.values() for pair in pairs]:
        _check(prompt, reply)
    assert len(results) == 4


def test_client_config_pickles_without_its_token(monkeypatch: pytest.MonkeyPatch) -> None:
    config = ClientConfig(token=TOKEN, team_id="t", base_url="http://127.0.0.1:1/v1")
    data = pickle.dumps(config)
    assert TOKEN.encode() not in data
    monkeypatch.setenv("FRIENDLI_TOKEN", "flp_here")
    restored = pickle.loads(data)  # noqa: S301 - our own bytes
    assert restored.token == "flp_here"
    assert restored.with_options(token=None) == config.with_options(token=None)
