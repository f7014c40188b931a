"""The API token never appears in reprs, error messages or logs."""

from __future__ import annotations

import logging

import httpx
import pytest

from friendli_core import (
    APIError,
    AsyncFriendliClient,
    ClientConfig,
    FriendliClient,
    FriendliError,
    RetryPolicy,
)

SECRET = "flp_TOPSECRET_0123456789abcdefXYZ"
CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def _texts(obj: object) -> list[str]:
    return [repr(obj), str(obj), format(obj, "")]


def test_config_repr_and_str_mask_the_token() -> None:
    config = ClientConfig(token=SECRET, team_id="team-1")
    for text in _texts(config) + _texts(config.with_options(max_retries=5)):
        assert SECRET not in text
        assert "TOPSECRET" not in text
    assert "team-1" in repr(config)
    assert "token='**********'" in repr(config)
    assert "token=None" in repr(ClientConfig(endpoint="container"))


def test_from_env_token_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRIENDLI_TOKEN", SECRET)
    config = ClientConfig.from_env()
    assert config.token == SECRET
    assert SECRET not in repr(config)


async def test_client_reprs_mask_the_token() -> None:
    transport = httpx.MockTransport(lambda _: httpx.Response(200))
    sync = FriendliClient(token=SECRET, http_client=httpx.Client(transport=transport))
    async_ = AsyncFriendliClient(token=SECRET, http_client=httpx.AsyncClient(transport=transport))
    for client in (sync, async_):
        for text in _texts(client):
            assert SECRET not in text
            assert "**********" in text
    sync.close()
    await async_.close()


def _failures() -> list[httpx.Response | Exception]:
    return [
        httpx.Response(401, json={"message": "Invalid token"}),
        httpx.Response(500, text="internal error"),
        httpx.Response(200, text="not json"),
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("timed out"),
    ]


@pytest.mark.parametrize("index", range(5))
async def test_errors_never_contain_the_token(
    kit, mode: str, index: int, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = kit.Recorder([_failures()[index]])
    harness = kit.make_harness(
        mode, recorder, token=SECRET, retry_policy=RetryPolicy(max_retries=1, random=lambda: 0.0)
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(APIError) as info:
        await harness.call("chat", **CHAT)
    assert recorder.requests[0].headers["authorization"] == f"Bearer {SECRET}"  # it was sent...
    err: BaseException | None = info.value
    while err is not None:  # ...but no error in the chain shows it
        for text in _texts(err):
            assert SECRET not in text, (type(err), text)
        err = err.__cause__ or err.__context__
    for record in caplog.records:
        assert SECRET not in record.getMessage()


async def test_stream_errors_never_contain_the_token(kit, mode: str) -> None:
    body = kit.fixture_bytes("core_chat_error_event.sse")
    harness = kit.make_harness(mode, kit.Recorder([kit.sse_response(body)]), token=SECRET)
    with pytest.raises(APIError) as info:
        await harness.stream("stream_chat", **CHAT)
    assert SECRET not in repr(info.value)
    assert SECRET not in str(info.value)


async def test_debug_logs_of_a_full_session_never_contain_the_token(
    kit, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = kit.Recorder(
        [
            httpx.Response(429, headers={"retry-after": "0"}),
            httpx.Response(200, json=kit.fixture_json("core_chat_basic.json")),
            kit.sse_response(kit.fixture_bytes("core_chat_basic.sse")),
            httpx.Response(200, json={"tokens": [1]}),
        ]
    )
    harness = kit.make_harness(mode, recorder, token=SECRET, team_id="team-1")
    with caplog.at_level(logging.DEBUG):
        await harness.call("chat", **CHAT)
        await harness.stream("stream_chat", **CHAT)
        await harness.call("tokenize", "x", model="m")
    assert len(recorder.requests) == 4
    assert caplog.records, "expected at least the retry log record"
    for record in caplog.records:
        assert SECRET not in record.getMessage()
        assert SECRET not in repr(record.args)


def test_invalid_request_messages_do_not_echo_the_token() -> None:
    config = ClientConfig(token=SECRET)
    from friendli_core._protocol import build_chat_request

    with pytest.raises(FriendliError) as info:
        build_chat_request(
            config,
            {"model": "m", "messages": CHAT["messages"]},
            stream=False,
            client_headers={"Authorization": "Bearer flp_other"},
        )
    assert SECRET not in str(info.value)
