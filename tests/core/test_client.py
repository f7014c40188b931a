"""FriendliClient and AsyncFriendliClient over httpx.MockTransport, parametrised sync/async."""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any

import httpx
import pytest

from friendli_core import (
    AsyncFriendliClient,
    AsyncStream,
    ChatCompletion,
    ClientConfig,
    Completion,
    FriendliClient,
    InvalidRequestError,
    Stream,
    fold_chat_stream,
    fold_completion_stream,
)

CHAT = {"model": "deepseek-ai/DeepSeek-V3.2", "messages": [{"role": "user", "content": "Hi"}]}


def _json(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


# --------------------------------------------------------------------------- every method


async def test_chat(kit, mode: str) -> None:
    recorder = kit.Recorder([httpx.Response(200, json=kit.fixture_json("core_chat_tools.json"))])
    harness = kit.make_harness(mode, recorder, team_id="team-1")
    result = await harness.call("chat", **CHAT, temperature=0.2, seed=[1, 2], n=2)
    assert isinstance(result, ChatCompletion)
    assert result.choices[0].finish_reason == "tool_calls"
    request = recorder.requests[0]
    assert (request.method, str(request.url)) == (
        "POST",
        "https://api.friendli.ai/serverless/v1/chat/completions",
    )
    assert request.headers["authorization"] == f"Bearer {kit.TOKEN}"
    assert request.headers["x-friendli-team"] == "team-1"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert _json(request) == {**CHAT, "temperature": 0.2, "seed": [1, 2], "n": 2}


async def test_stream_chat(kit, mode: str) -> None:
    recorder = kit.Recorder([kit.sse_response(kit.fixture_bytes("core_chat_n2.sse"))])
    harness = kit.make_harness(mode, recorder)
    stream = await harness.call("stream_chat", **CHAT, n=2)
    assert isinstance(stream, Stream if mode == "sync" else AsyncStream)
    chunks = list(stream) if mode == "sync" else [c async for c in stream]
    expected = ChatCompletion.model_validate(kit.fixture_json("core_chat_n2.json"))
    assert fold_chat_stream(chunks) == expected
    request = recorder.requests[0]
    assert request.headers["accept"] == "text/event-stream"
    assert _json(request) == {
        **CHAT,
        "n": 2,
        "stream": True,
        "stream_options": {"include_usage": True},
    }


async def test_completions(kit, mode: str) -> None:
    recorder = kit.Recorder(
        [httpx.Response(200, json=kit.fixture_json("core_completions_basic.json"))]
    )
    harness = kit.make_harness(mode, recorder, endpoint="dedicated")
    result = await harness.call("completions", model="ep-1:adapter", tokens=[1, 2], max_tokens=4)
    assert isinstance(result, Completion)
    assert result.choices[0].seed == 42
    request = recorder.requests[0]
    assert str(request.url) == "https://api.friendli.ai/dedicated/v1/completions"
    assert _json(request) == {"model": "ep-1:adapter", "tokens": [1, 2], "max_tokens": 4}


async def test_stream_completions(kit, mode: str) -> None:
    recorder = kit.Recorder([kit.sse_response(kit.fixture_bytes("core_completions_basic.sse"))])
    harness = kit.make_harness(mode, recorder)
    chunks = await harness.stream("stream_completions", model="m", prompt=["a", "b"])
    assert fold_completion_stream(chunks).choices[0].text == "This is indeed a test"
    assert _json(recorder.requests[0])["prompt"] == ["a", "b"]
    assert _json(recorder.requests[0])["stream"] is True


async def test_tokenize_detokenize_list_models(kit, mode: str) -> None:
    catalog = {
        "data": [
            {"id": "deepseek-ai/DeepSeek-V3.2", "name": "DeepSeek-V3.2", "context_length": 163840}
        ]
    }
    recorder = kit.Recorder(
        [
            httpx.Response(200, json={"tokens": [128000, 3923, 374]}),
            httpx.Response(200, json={"text": "What is"}),
            httpx.Response(200, json=catalog),
        ]
    )
    harness = kit.make_harness(mode, recorder)
    assert await harness.call("tokenize", "What is", model="m") == [128000, 3923, 374]
    assert await harness.call("detokenize", [128000, 3923, 374], model="m") == "What is"
    models = await harness.call("list_models")
    assert [(m.id, m.name, m.context_window) for m in models] == [
        ("deepseek-ai/DeepSeek-V3.2", "DeepSeek-V3.2", 163840)
    ]
    tok, detok, models = recorder.requests
    assert (tok.url.path, _json(tok)) == (
        "/serverless/v1/tokenize",
        {"model": "m", "prompt": "What is"},
    )
    assert (detok.url.path, _json(detok)) == (
        "/serverless/v1/detokenize",
        {"model": "m", "tokens": [128000, 3923, 374]},
    )
    assert (models.method, models.url.path, models.content) == ("GET", "/serverless/v1/models", b"")


async def test_container_endpoint(kit, mode: str) -> None:
    recorder = kit.Recorder(
        [
            httpx.Response(200, json=kit.fixture_json("core_chat_basic.json")),
            httpx.Response(200, json={"tokens": [1]}),
        ]
    )
    harness = kit.make_harness(mode, recorder, endpoint="container", token=None, team_id="team-1")
    await harness.call("chat", messages=CHAT["messages"])
    await harness.call("tokenize", "x")
    for request in recorder.requests:
        assert request.url.host == "localhost"
        assert request.url.port == 8000
        assert "x-friendli-team" not in request.headers
        assert "authorization" not in request.headers
    assert _json(recorder.requests[0]) == {"messages": CHAT["messages"]}


async def test_base_url_override(kit, mode: str) -> None:
    recorder = kit.Recorder([httpx.Response(200, json=kit.fixture_json("core_chat_basic.json"))])
    harness = kit.make_harness(mode, recorder, base_url="http://127.0.0.1:8080/proxy/openai/v1/")
    await harness.call("chat", **CHAT)
    assert str(recorder.requests[0].url) == "http://127.0.0.1:8080/proxy/openai/v1/chat/completions"


async def test_each_request_goes_to_its_own_url(kit, mode: str) -> None:
    """Parsed URLs are reused per distinct URL: alternating endpoints never mix them up."""
    chat = kit.fixture_json("core_chat_basic.json")
    tokens = {"tokens": [1, 2]}
    recorder = kit.Recorder([httpx.Response(200, json=r) for r in (chat, tokens, chat, tokens)])
    harness = kit.make_harness(mode, recorder, base_url="http://127.0.0.1:8080/a%20b/v1")
    for _ in range(2):
        await harness.call("chat", **CHAT)
        await harness.call("tokenize", "hi", model="m")
    assert [str(r.url) for r in recorder.requests] == [
        "http://127.0.0.1:8080/a%20b/v1/chat/completions",
        "http://127.0.0.1:8080/a%20b/v1/tokenize",
    ] * 2


async def test_base_url_from_environment(kit, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRIENDLI_BASE_URL", "http://127.0.0.1:9/v9")
    monkeypatch.setenv("FRIENDLI_TOKEN", "flp_env")
    monkeypatch.setenv("FRIENDLI_TEAM", "team-env")
    recorder = kit.Recorder([httpx.Response(200, json=kit.fixture_json("core_chat_basic.json"))])
    harness = kit.make_harness(mode, recorder, token=None)
    await harness.call("chat", **CHAT)
    request = recorder.requests[0]
    assert str(request.url) == "http://127.0.0.1:9/v9/chat/completions"
    assert request.headers["authorization"] == "Bearer flp_env"
    assert request.headers["x-friendli-team"] == "team-env"


async def test_explicit_arguments_beat_the_environment(
    kit, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRIENDLI_TOKEN", "flp_env")
    monkeypatch.setenv("FRIENDLI_TEAM", "team-env")
    recorder = kit.Recorder([httpx.Response(200, json=kit.fixture_json("core_chat_basic.json"))])
    harness = kit.make_harness(mode, recorder, token="flp_arg", team_id="team-arg")
    await harness.call("chat", **CHAT)
    assert recorder.requests[0].headers["authorization"] == "Bearer flp_arg"
    assert recorder.requests[0].headers["x-friendli-team"] == "team-arg"


async def test_extra_headers_and_per_call_timeout(kit, mode: str) -> None:
    recorder = kit.Recorder([httpx.Response(200, json=kit.fixture_json("core_chat_basic.json"))])
    harness = kit.make_harness(mode, recorder, default_headers={"X-App": "demo"}, timeout=30.0)
    await harness.call("chat", **CHAT, extra_headers={"X-Trace": "t1"}, timeout=3.5)
    await harness.call("chat", **CHAT)
    first, second = recorder.requests
    assert first.headers["x-app"] == "demo"
    assert first.headers["x-trace"] == "t1"
    assert first.extensions["timeout"] == {"connect": 3.5, "read": 3.5, "write": 3.5, "pool": 3.5}
    assert "x-trace" not in second.headers
    assert second.extensions["timeout"]["read"] == 30.0


async def test_default_timeout_has_short_connect_and_long_read(kit, mode: str) -> None:
    recorder = kit.Recorder([httpx.Response(200, json=kit.fixture_json("core_chat_basic.json"))])
    harness = kit.make_harness(mode, recorder)
    await harness.call("chat", **CHAT)
    timeout = recorder.requests[0].extensions["timeout"]
    assert timeout["connect"] == 5.0
    assert timeout["read"] == 600.0


# --------------------------------------------------------------------------- credentials


async def test_two_clients_with_different_credentials_interleaved(kit, mode: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=kit.fixture_json("core_chat_basic.json"))

    rec_a, rec_b = kit.Recorder([handler]), kit.Recorder([handler])
    a = kit.make_harness(mode, rec_a, token="flp_AAA", team_id="team-a")
    b = kit.make_harness(mode, rec_b, token="flp_BBB", team_id="team-b")
    if mode == "async":
        await asyncio.gather(*[h.call("chat", **CHAT) for _ in range(3) for h in (a, b)])
    else:
        for _ in range(3):
            await a.call("chat", **CHAT)
            await b.call("chat", **CHAT)
    assert [r.headers["authorization"] for r in rec_a.requests] == ["Bearer flp_AAA"] * 3
    assert [r.headers["x-friendli-team"] for r in rec_a.requests] == ["team-a"] * 3
    assert [r.headers["authorization"] for r in rec_b.requests] == ["Bearer flp_BBB"] * 3
    assert [r.headers["x-friendli-team"] for r in rec_b.requests] == ["team-b"] * 3


async def test_two_clients_sharing_one_transport(kit, mode: str) -> None:
    """Credentials live in each client, not in the (shared) connection pool."""
    recorder = kit.Recorder(
        [lambda _: httpx.Response(200, json=kit.fixture_json("core_chat_basic.json"))]
    )
    transport = httpx.MockTransport(recorder)
    if mode == "sync":
        http = httpx.Client(transport=transport)
        clients = [
            FriendliClient(http_client=http, token=t, team_id=f"team-{t}")
            for t in ("flp_1", "flp_2")
        ]
        for _ in range(2):
            for client in clients:
                client.chat(**CHAT)
    else:
        ahttp = httpx.AsyncClient(transport=transport)
        aclients = [
            AsyncFriendliClient(http_client=ahttp, token=t, team_id=f"team-{t}")
            for t in ("flp_1", "flp_2")
        ]
        await asyncio.gather(*[c.chat(**CHAT) for _ in range(2) for c in aclients])
    pairs = sorted(
        (r.headers["authorization"], r.headers["x-friendli-team"]) for r in recorder.requests
    )
    assert pairs == [("Bearer flp_1", "team-flp_1")] * 2 + [("Bearer flp_2", "team-flp_2")] * 2


async def test_user_http_client_headers_are_respected(kit, mode: str) -> None:
    recorder = kit.Recorder(
        [
            httpx.Response(200, json=kit.fixture_json("core_chat_basic.json")),
            httpx.Response(200, json={"tokens": [1]}),
        ]
    )
    harness = kit.make_harness(mode, recorder, client_headers={"X-Org-Proxy": "p1"})
    await harness.call("chat", **CHAT)
    await harness.call("tokenize", "x", model="m")
    for request in recorder.requests:
        assert request.headers["x-org-proxy"] == "p1"
        assert request.headers["authorization"] == f"Bearer {kit.TOKEN}"


async def test_user_http_client_user_agent_is_kept(kit, mode: str) -> None:
    recorder = kit.Recorder([httpx.Response(200, json=kit.fixture_json("core_chat_basic.json"))])
    harness = kit.make_harness(mode, recorder, client_headers={"User-Agent": "corp-app/7"})
    await harness.call("chat", **CHAT)
    assert recorder.requests[0].headers.get_list("user-agent") == ["corp-app/7"]


async def test_default_user_agent_replaces_httpx_default(kit, mode: str) -> None:
    recorder = kit.Recorder([httpx.Response(200, json=kit.fixture_json("core_chat_basic.json"))])
    harness = kit.make_harness(mode, recorder)
    await harness.call("chat", **CHAT)
    assert recorder.requests[0].headers["user-agent"].startswith("friendli-integrations/")


async def test_user_http_client_authorization_used_without_token(kit, mode: str) -> None:
    recorder = kit.Recorder([httpx.Response(200, json=kit.fixture_json("core_chat_basic.json"))])
    harness = kit.make_harness(
        mode, recorder, token=None, client_headers={"Authorization": "Bearer flp_client"}
    )
    await harness.call("chat", **CHAT)
    assert recorder.requests[0].headers.get_list("authorization") == ["Bearer flp_client"]


async def test_conflicting_authorization_on_user_http_client_is_refused(kit, mode: str) -> None:
    recorder = kit.Recorder([httpx.Response(200, json=kit.fixture_json("core_chat_basic.json"))])
    harness = kit.make_harness(mode, recorder, client_headers={"Authorization": "Bearer flp_other"})
    with pytest.raises(InvalidRequestError, match="Authorization") as info:
        await harness.call("chat", **CHAT)
    assert kit.TOKEN not in str(info.value)
    assert "flp_other" not in str(info.value)
    assert recorder.requests == []


async def test_missing_token_fails_before_sending(kit, mode: str) -> None:
    recorder = kit.Recorder([httpx.Response(200, json={})])
    harness = kit.make_harness(mode, recorder, token=None)
    with pytest.raises(InvalidRequestError, match="FRIENDLI_TOKEN"):
        await harness.call("chat", **CHAT)
    assert recorder.requests == []


# --------------------------------------------------------------------------- lifecycle


def test_sync_client_closes_only_what_it_owns() -> None:
    user_http = httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(200)))
    with FriendliClient(token="t", http_client=user_http):
        pass
    assert not user_http.is_closed
    with FriendliClient(token="t") as owned:
        inner = owned._http
    assert inner.is_closed


async def test_async_client_closes_only_what_it_owns() -> None:
    user_http = httpx.AsyncClient(transport=httpx.MockTransport(lambda _: httpx.Response(200)))
    async with AsyncFriendliClient(token="t", http_client=user_http):
        pass
    assert not user_http.is_closed
    async with AsyncFriendliClient(token="t") as owned:
        inner = owned._http
    assert inner.is_closed
    await user_http.aclose()


def test_config_object_is_used_as_given() -> None:
    config = ClientConfig(token="flp_cfg", endpoint="dedicated", max_retries=0)
    client = FriendliClient(config=config)
    assert client.config is config
    assert client._retry.max_retries == 0
    client.close()


def test_invalid_client_options() -> None:
    with pytest.raises(InvalidRequestError, match="endpoint"):
        FriendliClient(endpoint="cloud")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="max_retries"):
        FriendliClient(max_retries=-1)


# --------------------------------------------------------------------------- parity


def _public(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") or name == "__init__"
    }


def _shape(sig: inspect.Signature) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()]


def test_sync_and_async_clients_have_the_same_public_methods_and_parameters() -> None:
    sync, async_ = _public(FriendliClient), _public(AsyncFriendliClient)
    assert sorted(sync) == sorted(async_)
    assert {
        "chat",
        "stream_chat",
        "completions",
        "stream_completions",
        "tokenize",
        "detokenize",
        "list_models",
        "close",
    } <= set(sync)
    for name in sync:
        if name == "__init__":  # `sleep` defaults differ (time.sleep vs asyncio.sleep) by design
            assert [p[:2] for p in _shape(sync[name])] == [p[:2] for p in _shape(async_[name])]
            continue
        assert _shape(sync[name]) == _shape(async_[name]), name
        is_async = inspect.iscoroutinefunction(getattr(AsyncFriendliClient, name))
        assert is_async, f"AsyncFriendliClient.{name} must be a coroutine function"


def test_stream_twins_match() -> None:
    assert hasattr(Stream, "__iter__")
    assert hasattr(Stream, "__enter__")
    assert hasattr(AsyncStream, "__aiter__")
    assert hasattr(AsyncStream, "__aenter__")
    assert inspect.iscoroutinefunction(AsyncStream.aclose)
