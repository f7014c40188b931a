"""Endpoints, credentials and errors of `FriendliLLM` against the local server."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
from llama_index.core.base.llms.types import ChatMessage

from friendli_core import (
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    RateLimitError,
)
from friendli_core.testing import LocalServer, RequestLog
from llama_index_friendli import FriendliLLM
from tests.llama_index.integration_tests.conftest import MODEL

USER = [ChatMessage(role="user", content="Hello server")]


async def test_dedicated_endpoint(
    friendli_server: LocalServer,
    make_llm: Callable[..., FriendliLLM],
    friendli_requests: RequestLog,
) -> None:
    llm = make_llm(
        endpoint="dedicated",
        model="ep-abc123",
        base_url=friendli_server.dedicated_url,
        team_id="team-9",
    )
    assert llm.chat(USER).raw["model"] == "ep-abc123"
    assert "".join([r.delta or "" async for r in await llm.astream_chat(USER)])
    assert [r.path for r in friendli_requests] == ["/dedicated/v1/chat/completions"] * 2
    assert friendli_requests.last.body["model"] == "ep-abc123"
    assert friendli_requests.last.team == "team-9"


async def test_container_endpoint_without_model(
    friendli_server: LocalServer,
    make_llm: Callable[..., FriendliLLM],
    friendli_requests: RequestLog,
) -> None:
    llm = make_llm(
        endpoint="container",
        model=None,
        api_key=None,
        team_id="ignored",
        base_url=friendli_server.container_url,
    )
    assert llm.chat(USER).message.content
    assert (await llm.acomplete("Hi")).text
    assert [r.path for r in friendli_requests] == ["/v1/chat/completions"] * 2
    assert "model" not in friendli_requests.last.body
    assert "authorization" not in friendli_requests.last.headers
    assert friendli_requests.last.team is None


def test_serverless_team_header(
    make_llm: Callable[..., FriendliLLM], friendli_requests: RequestLog
) -> None:
    make_llm(team_id="team-42").chat(USER)
    assert friendli_requests.last.team == "team-42"


def test_environment_configuration(
    friendli_server: LocalServer,
    friendli_requests: RequestLog,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FRIENDLI_TOKEN", friendli_server.token)
    monkeypatch.setenv("FRIENDLI_TEAM", "team-env")
    monkeypatch.setenv("FRIENDLI_BASE_URL", friendli_server.serverless_url)
    assert FriendliLLM(model=MODEL).chat(USER).message.content
    assert friendli_requests.last.token_matches(friendli_server.token)
    assert friendli_requests.last.team == "team-env"


def test_key_never_leaks(
    friendli_server: LocalServer,
    make_llm: Callable[..., FriendliLLM],
    friendli_requests: RequestLog,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = friendli_server.token
    llm = make_llm()
    caplog.set_level(logging.DEBUG)
    response = llm.chat(USER)
    friendli_server.inject_fault("status:429,retry_after:0", times=1)
    llm.chat(USER)
    texts = [
        repr(llm),
        str(llm),
        llm.to_json(),
        json.dumps(llm.to_dict()),
        str(llm.to_payload()),
        json.dumps(response.raw),
        caplog.text,
        repr(friendli_requests.last),
    ]
    assert all(token not in text for text in texts)
    assert friendli_requests.last.token_matches(token)
    wrong = make_llm(api_key="flp_wrong_secret_value")
    with pytest.raises(AuthenticationError) as info:
        wrong.chat(USER)
    assert "flp_wrong_secret_value" not in str(info.value)
    assert "flp_wrong_secret_value" not in repr(info.value)


async def test_authentication_error_surfaces_unchanged(
    make_llm: Callable[..., FriendliLLM],
) -> None:
    llm = make_llm(api_key="flp_not_accepted")
    with pytest.raises(AuthenticationError) as info:
        await llm.achat(USER)
    assert info.value.status_code == 401
    assert info.value.api_message


def test_bad_request_from_the_server(
    make_llm: Callable[..., FriendliLLM], friendli_server: LocalServer
) -> None:
    friendli_server.inject_fault("status:400:the model cannot do that", times=1)
    with pytest.raises(BadRequestError) as info:
        make_llm().chat(USER)
    assert (info.value.api_message or "").startswith("the model cannot do that")


@pytest.mark.parametrize(
    ("max_retries", "failures", "succeeds"), [(2, 2, True), (1, 2, False), (0, 1, False)]
)
async def test_rate_limit_retries(
    make_llm: Callable[..., FriendliLLM],
    friendli_server: LocalServer,
    friendli_requests: RequestLog,
    *,
    max_retries: int,
    failures: int,
    succeeds: bool,
) -> None:
    friendli_server.inject_fault("status:429,retry_after:0", times=failures)
    llm = make_llm(max_retries=max_retries)
    if succeeds:
        assert (await llm.achat(USER)).message.content
    else:
        with pytest.raises(RateLimitError):
            await llm.achat(USER)
    assert len(friendli_requests) == min(failures + 1, max_retries + 1)


def test_server_errors_are_retried_for_streams(
    make_llm: Callable[..., FriendliLLM],
    friendli_server: LocalServer,
    friendli_requests: RequestLog,
) -> None:
    friendli_server.inject_fault("status:503,retry_after:0", times=1)
    deltas = [r.delta for r in make_llm(max_retries=1).stream_chat(USER)]
    assert "".join(d or "" for d in deltas)
    assert len(friendli_requests) == 2
    friendli_server.inject_fault("status:500:boom", times=1)
    with pytest.raises(InternalServerError, match="boom"):
        make_llm(max_retries=0).stream_chat(USER)


def test_timeout_is_honoured(
    make_llm: Callable[..., FriendliLLM], friendli_server: LocalServer
) -> None:
    friendli_server.inject_fault("delay:2", times=1)
    with pytest.raises(APITimeoutError):
        make_llm(timeout=0.2, max_retries=0).chat(USER)
