"""Connection mistakes say what was tried (issue #26): a base URL ending in an API path is
refused at construction with the prefix to pass; connection and timeout errors name the scheme,
host and port, never the token or the query."""

from __future__ import annotations

import socket

import httpx
import pytest

from friendli_core import (
    APIConnectionError,
    APITimeoutError,
    AsyncFriendliClient,
    ClientConfig,
    FriendliClient,
    InternalServerError,
    InvalidRequestError,
)
from friendli_core.config import API_PATHS, url_origin

MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize("path", ["/chat/completions", "/completions", "/embeddings"])
@pytest.mark.parametrize("slash", ["", "/"])
def test_a_base_url_ending_in_an_api_path_is_refused(path: str, slash: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        FriendliClient(base_url=f"https://user:pw@api.example.com/v1{path}{slash}?key=secret")
    message = str(caught.value)
    assert f"ends in the API path {path!r}" in message
    assert "base_url='https://api.example.com/v1'" in message
    assert "secret" not in message
    assert "pw" not in message


def test_every_path_the_client_appends_is_refused_as_a_base_url() -> None:
    sent: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path.removeprefix("/v1"))
        return httpx.Response(500)

    client = FriendliClient(
        base_url="http://127.0.0.1:9/v1",
        endpoint="container",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(record)),
    )
    calls = [
        lambda: client.chat(messages=MESSAGES),
        lambda: client.completions(prompt="hi"),
        lambda: client.embeddings(input=["hi"]),
        lambda: client.tokenize("hi"),
        lambda: client.detokenize([1]),
    ]
    for call in calls:
        with pytest.raises(InternalServerError):
            call()
    assert set(sent) <= set(API_PATHS)
    assert len(set(sent)) == len(calls)
    for path in sent:
        with pytest.raises(InvalidRequestError, match="ends in the API path"):
            ClientConfig(base_url="http://127.0.0.1:9/v1" + path)


def test_an_api_prefix_is_still_taken() -> None:
    assert ClientConfig(base_url="http://127.0.0.1:8000/v1/").base_url == "http://127.0.0.1:8000/v1"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused_names_scheme_host_and_port() -> None:
    port = _closed_port()
    client = FriendliClient(
        token="flp_secret_token", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0
    )
    with pytest.raises(APIConnectionError) as caught:
        client.chat(model="m", messages=MESSAGES)
    message = str(caught.value)
    assert f"at http://127.0.0.1:{port}" in message
    assert "POST /v1/chat/completions" in message
    assert "flp_secret_token" not in message


async def test_async_timeouts_name_scheme_host_and_port() -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = AsyncFriendliClient(
        token="flp_secret_token",
        base_url="https://api.example.com/serverless/v1?token=query_secret",
        max_retries=0,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(hang)),
    )
    with pytest.raises(APITimeoutError) as caught:
        await client.chat(model="m", messages=MESSAGES)
    message = str(caught.value)
    assert "at https://api.example.com:443" in message
    assert "query_secret" not in message
    assert "flp_secret_token" not in message


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://u:p@[::1]:81/x?q=1", "http://[::1]:81"),
        ("https://h.example/v1", "https://h.example:443"),
        ("http://h.example/v1", "http://h.example:80"),
    ],
)
def test_url_origin(url: str, origin: str) -> None:
    assert url_origin(url) == origin


def test_url_origin_of_a_port_that_is_not_a_number() -> None:
    assert url_origin("http://user:pw@h.example:port/v1") == "http://h.example:80"
