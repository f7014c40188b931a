"""What `friendli_core._upstream_hooks` relies on in httpx and pydantic still holds.

Each test fails if the upstream behaviour a hook relies on disappears or changes: requests
built directly must equal what httpx's `build_request` gives; httpx must reach the cookie jar
through the client's `cookies` property (else the skipping jar is bypassed), and that jar must
end up holding what httpx's own would (checked end to end through a real server on 127.0.0.1:
one that sets a cookie gets it back); a `Prototype` copy must equal validation, fields-set,
extras and private attributes included, and share no mutable value with other copies.
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
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from friendli_core import AsyncFriendliClient, FriendliClient
from friendli_core._base import UNSET
from friendli_core._protocol import build_chat_request
from friendli_core._upstream_hooks.httpx_client import (
    OwnedAsyncClient,
    OwnedClient,
    _Cookies,
    default_headers,
    merge_headers,
)
from friendli_core._upstream_hooks.pydantic_copy import PYDANTIC_SLOTS, Prototype

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


# no deadline: each example builds an httpx.Client (an SSL context), slow on a loaded machine
@settings(deadline=None)
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
        spec = build_chat_request(
            client.config, CHAT, stream=stream, extra_headers=extra_headers, client_headers=None
        )
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
    spec = build_chat_request(client.config, CHAT, stream=False, client_headers=None)
    request = client._build_request(spec, 2)
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


def test_httpx_reaches_the_jar_through_the_cookies_property(cookie_server: Any) -> None:
    """httpx stores a response's cookies in the jar its `cookies` property returns: ours.

    If httpx ever used its own attribute instead, our jar would be bypassed: cookies would
    still work, but every response would pay for `http.cookiejar` again.
    """
    url, handler = cookie_server
    with FriendliClient(token="t", base_url=url) as client:
        jar = client._http.cookies
        assert type(jar) is _Cookies
        client.chat(**CHAT)
        assert client._http.cookies is jar
        assert dict(jar) == ({"lb": "node-2"} if handler.set_cookie else {})


# --------------------------------------------------------------------------- Prototype


class Inner(BaseModel):
    value: int = 0


class Shape(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: str
    tags: list[str] = Field(default_factory=list)
    meta: dict[str, int] = Field(default_factory=dict)
    inner: Inner = Field(default_factory=Inner)
    length: int = 0

    @model_validator(mode="after")
    def _length(self) -> Shape:
        self.length = len(self.text)
        return self


def test_copy_equals_validation_including_fields_set() -> None:
    proto = Prototype(Shape(text=""), replace={"text", "length"})
    made = proto.make(text="abc", length=3)
    expected = Shape(text="abc")
    assert made == expected
    assert list(made.__dict__) == list(expected.__dict__)  # the order repr and dumps follow
    assert repr(made) == repr(expected)
    assert made.model_fields_set == expected.model_fields_set
    assert made.model_extra == expected.model_extra == {}
    assert proto.fields == {"text", "length"}


def test_copies_own_their_containers() -> None:
    proto = Prototype(Shape(text="", tags=["t"], meta={"m": 1}), replace={"text"})
    first = proto.make(text="a")
    first.tags.append("x")
    first.meta["y"] = 2
    second = proto.make(text="b")
    assert second.tags == ["t"]
    assert second.meta == {"m": 1}
    assert first.tags is not second.tags


def test_replaced_fields_are_taken_as_given() -> None:
    """No validation per copy: that is the point, so callers pass only trusted values."""
    proto = Prototype(Shape(text=""), replace={"text"})
    assert proto.make(text="abc").length == 0  # the validator does not run again


def test_every_replaced_field_is_given_by_keyword() -> None:
    """A field left out would silently keep the template's value: `make` refuses it."""
    proto = Prototype(Shape(text=""), replace={"text", "length"})
    with pytest.raises(TypeError, match="length"):
        proto.make(text="abc")
    with pytest.raises(TypeError):
        proto.make("abc", 3)
    with pytest.raises(TypeError, match="tags"):
        proto.make(text="abc", length=3, tags=[])


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValueError, match=r"Shape has no fields \['nope'\]"):
        Prototype(Shape(text=""), replace={"text", "nope"})


class WithPrivate(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: str
    _cache: dict[str, int] = PrivateAttr(default_factory=dict)


def test_copies_own_fields_set_extras_and_private_attributes() -> None:
    """What `BaseModel.__copy__` gives each copy, `make` gives too: nothing is shared."""
    template = WithPrivate(text="", note="n")
    template._cache["k"] = 1
    proto = Prototype(template, replace={"text"})
    first, second = proto.make(text="a"), proto.make(text="b")
    assert first.model_extra == {"note": "n"}
    assert first._cache == {"k": 1}
    first.model_extra["more"] = 1  # type: ignore[index]
    first._cache = {"j": 2}  # shallow, as `__copy__`: the private mapping is the copy's own
    first.text = "changed"
    first.model_fields_set.add("other")
    assert second.model_extra == {"note": "n"}
    assert second._cache == {"k": 1}
    assert second.model_fields_set == template.model_fields_set == {"text", "note"}
    assert template.model_extra == {"note": "n"}
    expected = WithPrivate(text="b", note="n")
    expected._cache["k"] = 1
    assert second == expected


def test_pydantic_instances_have_the_slots_prototype_fills() -> None:
    """A slot pydantic adds (or renames) would be missing from every copy: this fails first."""
    assert BaseModel.__slots__ == PYDANTIC_SLOTS


def test_copy_fills_every_slot_as_pydantic_copy_does() -> None:
    template = WithPrivate(text="", note="n")
    template._cache["k"] = 1
    made = Prototype(template, replace={"text"}).make(text="")
    copied = template.__copy__()
    for name in PYDANTIC_SLOTS:
        assert getattr(made, name) == getattr(copied, name), name
