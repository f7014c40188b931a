"""The httpx clients the core creates for itself (`friendli_core._http`).

Requests built directly must equal what httpx's `build_request` gives, and the cookie jar that
skips responses without cookies must end up holding what httpx's own jar would. Cookies are
checked end to end through a real server on 127.0.0.1: one that sets a cookie gets it back.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.cookiejar import CookieJar, DefaultCookiePolicy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from friendli_core import AsyncFriendliClient, FriendliClient
from friendli_core._base import UNSET
from friendli_core._http import OwnedAsyncClient, OwnedClient, default_headers, merge_headers

CHAT = {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}
REPLY = {
    "id": "c-1",
    "object": "chat.completion",
    "created": 0,
    "model": "m",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}

# --------------------------------------------------------------------------- merge_headers

_NAMES = st.sampled_from(["Accept", "accept", "User-Agent", "user-agent", "X-A", "x-a", "X-B"])
_HEADERS = st.dictionaries(_NAMES, st.text("abc/*", max_size=4), max_size=5)


def _httpx_merge(defaults: httpx.Headers, headers: dict[str, str]) -> list[tuple[str, str]]:
    merged = httpx.Headers(defaults)
    merged.update(headers)
    return [(name.decode(), value.decode()) for name, value in merged.raw]


def test_merge_headers_keeps_unnamed_defaults_in_order_then_appends() -> None:
    defaults = httpx.Headers({"Accept": "*/*", "Connection": "keep-alive", "User-Agent": "h"})
    headers = {"user-agent": "friendli", "Authorization": "Bearer t", "accept": "text/plain"}
    assert merge_headers(default_headers(httpx.Client(headers=defaults)), headers)[-3:] == [
        ("user-agent", "friendli"),
        ("Authorization", "Bearer t"),
        ("accept", "text/plain"),
    ]
    client = httpx.Client()
    merged = merge_headers(default_headers(client), headers)
    assert merged == _httpx_merge(client.headers, headers)
    assert [name for name, _ in merged[:2]] == ["Accept-Encoding", "Connection"]


@given(defaults=_HEADERS, headers=_HEADERS)
def test_merge_headers_equals_httpx_update(defaults: dict[str, str], headers: dict[str, str]):
    client = httpx.Client(headers=defaults)
    expected = _httpx_merge(client.headers, headers)
    assert merge_headers(default_headers(client), headers) == expected


# --------------------------------------------------------------------------- direct requests


def _same_request(built: httpx.Request, direct: httpx.Request) -> None:
    assert direct.method == built.method
    assert direct.url == built.url
    assert direct.headers.raw == built.headers.raw
    assert direct.read() == built.read()
    assert direct.extensions == built.extensions


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(
    ("extra_headers", "timeout"),
    [
        (None, UNSET),
        ({"accept": "application/x-ndjson", "USER-AGENT": "mine", "X-Trace": "1"}, 5.0),
        ({"Connection": "close", "Accept-Encoding": "identity"}, httpx.Timeout(3.0, read=9.0)),
    ],
)
def test_owned_client_builds_what_build_request_builds(
    stream: bool, extra_headers: dict[str, str] | None, timeout: Any
) -> None:
    for client in (
        FriendliClient(token="t", team_id="team", default_headers={"X-Default": "d"}),
        AsyncFriendliClient(token="t", endpoint="dedicated"),
    ):
        spec = client._chat_spec(CHAT, stream=stream, extra_headers=extra_headers)
        built = client._http.build_request(
            spec.method,
            spec.url,
            headers=spec.headers,
            content=spec.content,
            timeout=client._request_timeout(timeout),
        )
        _same_request(built, client._build_request(spec, timeout))


def test_user_clients_go_through_build_request() -> None:
    """A user's client may carry a base URL, params, cookies and headers: all are kept."""
    http = httpx.Client(params={"q": "1"}, cookies={"c": "v"}, headers={"X-User": "u"})
    client = FriendliClient(token="t", http_client=http)
    request = client._build_request(client._chat_spec(CHAT, stream=False, extra_headers=None), 2)
    assert request.url.params["q"] == "1"
    assert request.headers["cookie"] == "c=v"
    assert request.headers["x-user"] == "u"
    assert request.extensions["timeout"] == httpx.Timeout(2).as_dict()


# --------------------------------------------------------------------------- the cookie jar


def _response(headers: list[tuple[str, str]]) -> httpx.Response:
    request = httpx.Request("POST", "http://api.example.com/v1/chat/completions")
    return httpx.Response(200, headers=headers, request=request)


@pytest.mark.parametrize(
    "headers",
    [
        [],
        [("content-type", "application/json")],
        [("Set-Cookie", "lb=a; Path=/")],
        [("set-cookie", "lb=a; Path=/"), ("set-cookie", "s=b; Path=/v1; HttpOnly")],
        [("Set-Cookie2", 'lb="a"; Version="1"; Path="/"')],
        [("Set-Cookie", "gone=x; Max-Age=0")],
    ],
)
@pytest.mark.parametrize("rfc2965", [False, True])
@pytest.mark.parametrize("owned", [OwnedClient, OwnedAsyncClient])
def test_jar_stores_what_httpx_stores(
    owned: Any, rfc2965: bool, headers: list[tuple[str, str]]
) -> None:
    client = owned(timeout=httpx.Timeout(1))
    client.cookies = CookieJar(DefaultCookiePolicy(rfc2965=rfc2965))
    ours = client.cookies
    theirs = httpx.Cookies(CookieJar(DefaultCookiePolicy(rfc2965=rfc2965)))
    for jar in (ours, theirs):
        jar.set("gone", "y", domain="api.example.com", path="/")
        jar.extract_cookies(_response(headers))
    assert sorted((c.name, c.value, c.path) for c in ours.jar) == sorted(
        (c.name, c.value, c.path) for c in theirs.jar
    )


class _CookieServer(BaseHTTPRequestHandler):
    """Answers chat completions; the first answer sets a load-balancer cookie."""

    cookies_seen: list[str | None]
    set_cookie: bool

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        self.cookies_seen.append(self.headers.get("cookie"))
        body = json.dumps(REPLY).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        if self.set_cookie and len(self.cookies_seen) == 1:
            self.send_header("set-cookie", "lb=node-2; Path=/")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture(params=[True, False], ids=["sets-cookie", "no-cookie"])
def cookie_server(request: pytest.FixtureRequest) -> Iterator[tuple[str, type[_CookieServer]]]:
    handler = type("Handler", (_CookieServer,), {"cookies_seen": [], "set_cookie": request.param})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", handler
    finally:
        server.shutdown()
        server.server_close()


def _expected_cookies(handler: type[_CookieServer]) -> list[str | None]:
    return [None, "lb=node-2", "lb=node-2"] if handler.set_cookie else [None, None, None]


def test_cookies_set_by_the_server_are_sent_back(cookie_server: Any) -> None:
    url, handler = cookie_server
    with FriendliClient(token="t", base_url=url) as client:
        assert [client.chat(**CHAT).choices[0].message.content for _ in range(3)] == ["ok"] * 3
    assert handler.cookies_seen == _expected_cookies(handler)


async def test_cookies_set_by_the_server_are_sent_back_async(cookie_server: Any) -> None:
    url, handler = cookie_server
    async with AsyncFriendliClient(token="t", base_url=url) as client:
        for _ in range(3):
            assert (await client.chat(**CHAT)).choices[0].message.content == "ok"
    assert handler.cookies_seen == _expected_cookies(handler)
