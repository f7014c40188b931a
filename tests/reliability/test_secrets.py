"""The API token never leaks: reprs, dumps, serialisation, logs, errors, request logs, headers."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.load import dumpd, dumps

import friendli_core as fc
from friendli_core import AsyncFriendliClient, ClientConfig, FriendliClient
from friendli_core.testing import LocalServer
from langchain_friendli import ChatFriendli, Friendli
from llama_index_friendli import FriendliLLM
from tests.reliability._stack import MODEL, Target, targets

pytestmark = pytest.mark.reliability

SECRET = "flp_S3CR3T_reliability_0123456789abcdef"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer(tokens=[SECRET]) as local:
        yield local


@pytest.fixture
def log(server: LocalServer) -> Any:
    server.requests.clear()
    server.clear_faults()
    return server.requests


def _no_secret(text: str) -> None:
    assert SECRET not in text
    assert SECRET.removeprefix("flp_") not in text


def _everything_about(error: BaseException) -> str:
    parts = ["".join(traceback.format_exception(error)), repr(error), str(error)]
    parts += [repr(getattr(error, attr, None)) for attr in ("body", "api_message", "message")]
    return "\n".join(parts)


def _instances(server: LocalServer) -> list[Any]:
    url = server.serverless_url
    return [
        FriendliClient(token=SECRET, base_url=url),
        AsyncFriendliClient(token=SECRET, base_url=url),
        ChatFriendli(model=MODEL, api_key=SECRET, base_url=url),
        Friendli(model=MODEL, api_key=SECRET, base_url=url),
        FriendliLLM(model=MODEL, api_key=SECRET, base_url=url),
    ]


def test_repr_str_and_dumps_never_show_the_token(server: LocalServer) -> None:
    for obj in _instances(server):
        _no_secret(repr(obj))
        _no_secret(str(obj))
        if hasattr(obj, "config"):
            _no_secret(repr(obj.config))
            _no_secret(str(obj.config))
    config = ClientConfig(token=SECRET)
    _no_secret(repr(config))
    _no_secret(f"{config}")


def test_model_dump_and_framework_serialisation_never_show_the_token(
    server: LocalServer,
) -> None:
    chat, llm, llama = _instances(server)[2:]
    for model in (chat, llm, llama):
        _no_secret(repr(model.model_dump()))
        _no_secret(model.model_dump_json())
    for model in (chat, llm):
        _no_secret(dumps(model))
        _no_secret(json.dumps(dumpd(model), default=repr))
        _no_secret(dumps(model, pretty=True))
    _no_secret(json.dumps(llama.to_dict(), default=repr))
    _no_secret(llama.to_json())
    # the token is still usable where it belongs
    assert chat.friendli_token is not None
    assert chat.friendli_token.get_secret_value() == SECRET


@pytest.mark.parametrize("target", targets())
async def test_logs_errors_and_tracebacks_never_show_the_token(
    target: Target,
    server: LocalServer,
    log: Any,
    caplog: pytest.LogCaptureFixture,
    refused_url: str,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, every level
    errors: list[BaseException] = []
    server.inject_fault("status:429,retry_after:0.01", times=1)
    assert await target.run(server, "fine", token=SECRET, max_retries=1)
    for fault, exc in (
        ("status:500", fc.InternalServerError),
        ("error_event:1" if target.stream else "status:503", fc.APIStatusError),
        ("hang", fc.APITimeoutError),
        ("disconnect", fc.APIConnectionError),
    ):
        server.inject_fault(fault, times=2)
        with pytest.raises(exc) as info:
            await target.run(server, token=SECRET, max_retries=1, timeout=0.2)
        errors.append(info.value)
        server.clear_faults()
    with pytest.raises(fc.APIConnectionError) as refused:
        await target.run(refused_url, token=SECRET, max_retries=1)
    errors.append(refused.value)
    with pytest.raises(fc.InvalidRequestError) as invalid:
        await target.run(server, token=SECRET, params={"temperature": -1})
    errors.append(invalid.value)
    assert all(log_entry.token_matches(SECRET) for log_entry in log)
    for error in errors:
        _no_secret(_everything_about(error))
    assert caplog.records, "the retries were logged"
    for record in caplog.records:
        _no_secret(record.getMessage())
        _no_secret(logging.Formatter().format(record))
    _no_secret(caplog.text)


def test_printed_request_log_never_shows_the_token(
    server: LocalServer, log: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ChatFriendli(model=MODEL, api_key=SECRET, base_url=server.serverless_url).invoke("hi")
    for entry in log:
        print(entry)  # noqa: T201 - the point of the test
        print(dict(entry.headers))  # noqa: T201
    printed = capsys.readouterr().out
    assert "authorization" in printed
    _no_secret(printed)
    assert log.last.token_matches(SECRET)


# --------------------------------------------------------------------------- user httpx clients


def test_conflicting_authorization_on_a_user_client_is_refused_not_overwritten(
    server: LocalServer, log: Any
) -> None:
    http = httpx.Client(headers={"Authorization": "Bearer flp_someone_else"})
    model = ChatFriendli(
        model=MODEL, api_key=SECRET, base_url=server.serverless_url, http_client=http
    )
    with pytest.raises(fc.InvalidRequestError) as info:
        model.invoke("hi")
    assert "Authorization" in str(info.value)
    _no_secret(_everything_about(info.value))
    assert len(log) == 0
    assert http.headers["authorization"] == "Bearer flp_someone_else"


def test_conflicting_team_on_a_user_client_is_refused_not_overwritten(
    server: LocalServer, log: Any
) -> None:
    http = httpx.Client(headers={"X-Friendli-Team": "team-a"})
    client = FriendliClient(
        token=SECRET, team_id="team-b", base_url=server.serverless_url, http_client=http
    )
    with pytest.raises(fc.InvalidRequestError) as info:
        client.chat(model=MODEL, messages=[{"role": "user", "content": "hi"}])
    assert "X-Friendli-Team" in str(info.value)
    assert len(log) == 0


async def test_user_client_headers_are_kept(server: LocalServer, log: Any) -> None:
    headers = {"User-Agent": "my-app/1.0", "X-Trace": "abc", "X-Friendli-Team": "team-a"}
    http = httpx.AsyncClient(headers=headers)
    llm = FriendliLLM(
        model=MODEL,
        api_key=SECRET,
        team_id="team-a",
        base_url=server.serverless_url,
        async_http_client=http,
    )
    await llm.achat([_user("hi")])
    sent = log.last.headers
    assert sent["user-agent"] == "my-app/1.0"
    assert sent["x-trace"] == "abc"
    assert sent["x-friendli-team"] == "team-a"
    assert log.last.token_matches(SECRET)
    await http.aclose()


def test_authorization_of_a_user_client_is_used_when_no_token_is_configured(
    server: LocalServer, log: Any
) -> None:
    http = httpx.Client(headers={"Authorization": f"Bearer {SECRET}"})
    llm = Friendli(model=MODEL, base_url=server.serverless_url, http_client=http)
    assert llm.invoke("hello")
    assert log.last.token_matches(SECRET)
    _no_secret(repr(llm))


def _user(text: str) -> Any:
    from llama_index.core.base.llms.types import ChatMessage

    return ChatMessage(role="user", content=text)
