"""Connection settings declared once: every class has them, and `proxy` really proxies.

A small forwarding HTTP proxy on 127.0.0.1 relays each request to the local server and records
it with its `Proxy-Authorization`; each class (five adapter classes, both core clients and
`friendli-batch`) is pointed at it with `proxy=` and must send through it.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import pickle
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from friendli_core import AsyncFriendliClient, FriendliClient, InvalidRequestError
from friendli_core.batch.__main__ import _masked
from friendli_core.batch.__main__ import main as batch_main
from friendli_core.batch.__main__ import parser as batch_parser
from friendli_core.config import CONNECTION_SETTINGS
from friendli_core.testing import LocalServer
from langchain_friendli import ChatFriendli, Friendli, FriendliEmbeddings
from llama_index_friendli import FriendliEmbedding, FriendliLLM

MODEL = "deepseek-ai/DeepSeek-V3.2"
PASSWORD = "proxy-pass-s3cret"
ADAPTER_CLASSES = {
    "langchain": (ChatFriendli, Friendli, FriendliEmbeddings),
    "llama_index": (FriendliLLM, FriendliEmbedding),
}


class _Proxy(BaseHTTPRequestHandler):
    """Forwards absolute-form requests (`POST http://host/path`) and records them."""

    seen: list[tuple[str, str, str | None]]

    def _relay(self) -> None:
        target = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {
            k: v
            for k, v in self.headers.items()
            if k.lower() not in {"proxy-authorization", "proxy-connection", "connection"}
        }
        self.seen.append((self.command, self.path, self.headers.get("proxy-authorization")))
        upstream = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
        path = target.path + (f"?{target.query}" if target.query else "")
        upstream.request(self.command, path, body=body or None, headers=headers)
        reply = upstream.getresponse()
        content = reply.read()
        self.send_response(reply.status)
        for key, value in reply.getheaders():
            if key.lower() not in {"transfer-encoding", "content-length", "connection"}:
                self.send_header(key, value)
        self.send_header("content-length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)
        upstream.close()

    do_GET = do_POST = _relay  # noqa: N815 - http.server's handler names

    def log_message(self, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[tuple[str, str, str | None]]]]:
    """A proxy URL with credentials, and the requests the proxy relayed."""
    seen: list[tuple[str, str, str | None]] = []
    handler = type("Handler", (_Proxy,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://user:{PASSWORD}@127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()


def _through(seen: list[tuple[str, str, str | None]], path: str) -> None:
    """Assert the proxy relayed a request for `path`, with the URL's credentials."""
    credentials = "Basic " + base64.b64encode(f"user:{PASSWORD}".encode()).decode()
    assert any(url.endswith(path) and auth == credentials for _, url, auth in seen), seen


def _secret_is_kept(model: object) -> None:
    assert PASSWORD not in repr(model)
    assert PASSWORD.encode() not in pickle.dumps(model)


# --------------------------------------------------------------------------- the declaration


@pytest.mark.parametrize(
    ("framework", "cls"), [(f, c) for f, cs in ADAPTER_CLASSES.items() for c in cs]
)
def test_every_adapter_class_has_every_setting_under_its_framework_name(
    framework: str, cls: type[Any]
) -> None:
    for setting in CONNECTION_SETTINGS:
        field = cls.model_fields[setting.field_name(framework)]
        # embeddings default to the dedicated endpoint: a class may override a default
        assert field.description == setting.doc or setting.name == "endpoint", setting.name
        alias = setting.alias.get(framework)
        assert field.alias == alias, setting.name


def test_framework_names_are_mapped() -> None:
    chat = ChatFriendli(model=MODEL, api_key="flp_x", team_id="t", http_async_client=None)
    assert chat.friendli_token is not None
    assert chat.friendli_token.get_secret_value() == "flp_x"
    assert chat.friendli_team == "t"
    assert "async_http_client" in FriendliLLM.model_fields
    assert "http_async_client" in ChatFriendli.model_fields


def test_the_command_has_a_flag_for_each_declared_flag_setting() -> None:
    options = {a.dest for a in batch_parser()._actions}
    for setting in CONNECTION_SETTINGS:
        assert (setting.name in options) == setting.flag, setting.name
    assert "token" not in options  # FRIENDLI_TOKEN only


# --------------------------------------------------------------------------- proxy, per class


# (class, model keyword and value, endpoint, what one call does, the path it requests)
ADAPTER_CALLS = [
    (ChatFriendli, "model", "serverless", lambda m: m.invoke("Hi").content, "/chat/completions"),
    (Friendli, "model", "serverless", lambda m: m.invoke("Hi"), "/completions"),
    (FriendliEmbeddings, "model", "dedicated", lambda m: m.embed_query("Hi"), "/embeddings"),
    (FriendliLLM, "model", "serverless", lambda m: m.complete("Hi").text, "/chat/completions"),
    (
        FriendliEmbedding,
        "model_name",
        "dedicated",
        lambda m: m.get_text_embedding("Hi"),
        "/embeddings",
    ),
]


@pytest.mark.parametrize("case", ADAPTER_CALLS, ids=[c[0].__name__ for c in ADAPTER_CALLS])
def test_each_adapter_class_sends_through_the_proxy(
    friendli_server: LocalServer, proxy: Any, case: tuple[Any, ...]
) -> None:
    cls, model_key, endpoint, call, path = case
    url, seen = proxy
    base_url = getattr(friendli_server, f"{endpoint}_url")
    model = cls(
        **{model_key: MODEL if endpoint == "serverless" else "embedder"},
        endpoint=endpoint,
        api_key=friendli_server.token,
        base_url=base_url,
        proxy=url,
    )
    assert call(model)
    _through(seen, path)
    _secret_is_kept(model)


def test_the_core_clients_send_through_the_proxy(friendli_server: LocalServer, proxy: Any) -> None:
    url, seen = proxy
    options: dict[str, Any] = {
        "token": friendli_server.token,
        "base_url": friendli_server.serverless_url,
        "proxy": url,
    }
    with FriendliClient(**options) as client:
        assert client.chat(model=MODEL, messages=[{"role": "user", "content": "Hi"}]).choices
        _secret_is_kept(client.config)

    async def run() -> None:
        async with AsyncFriendliClient(**options) as client:
            assert await client.tokenize("Hi", model=MODEL)

    asyncio.run(run())
    _through(seen, "/chat/completions")
    _through(seen, "/tokenize")


def test_friendli_batch_sends_through_the_proxy(
    friendli_server: LocalServer, proxy: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = proxy
    monkeypatch.setenv("FRIENDLI_TOKEN", friendli_server.token)
    line = {"custom_id": "q1", "method": "POST", "url": "/v1/chat/completions"}
    body = {"model": MODEL, "messages": [{"role": "user", "content": "Hi"}]}
    (tmp_path / "in.jsonl").write_text(json.dumps({**line, "body": body}) + "\n")
    argv = [str(tmp_path / "in.jsonl"), str(tmp_path / "out.jsonl")]
    argv += ["--base-url", friendli_server.serverless_url, "--proxy", url, "--verify", "true"]
    assert batch_main(argv) == 0
    _through(seen, "/chat/completions")
    assert PASSWORD not in " ".join(_masked(argv))


def test_no_proxy_given_leaves_https_proxy_in_charge(
    friendli_server: LocalServer, proxy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = proxy
    monkeypatch.setenv("HTTP_PROXY", url)
    monkeypatch.setenv("NO_PROXY", "")
    client = FriendliClient(token=friendli_server.token, base_url=friendli_server.serverless_url)
    assert client.tokenize("Hi", model=MODEL)
    _through(seen, "/tokenize")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    before = len(seen)
    client = FriendliClient(token=friendli_server.token, base_url=friendli_server.serverless_url)
    assert client.tokenize("Hi", model=MODEL)
    assert len(seen) == before  # NO_PROXY: sent directly


# --------------------------------------------------------------------------- verify, refusals


def test_verify_takes_a_ca_bundle_path_and_stays_picklable(tmp_path: Path) -> None:
    import certifi

    client = FriendliClient(token="t", verify=certifi.where())
    assert client.config.verify == certifi.where()
    assert pickle.loads(pickle.dumps(client.config)).verify == certifi.where()  # noqa: S301
    chat = ChatFriendli(model=MODEL, api_key="t", verify=certifi.where())
    assert pickle.loads(pickle.dumps(chat)).verify == certifi.where()  # noqa: S301
    with pytest.raises(InvalidRequestError, match="CA bundle"):
        FriendliClient(token="t", verify=str(tmp_path / "missing.pem"))


def test_verify_false_reaches_the_pool() -> None:
    client = FriendliClient(token="t", verify=False)
    # the one TLS context every pool of the transport is given (tests/core/test_pool.py)
    ssl_context = client._http._transport._ssl  # type: ignore[attr-defined]
    assert ssl_context.verify_mode.name == "CERT_NONE"
    assert not ssl_context.check_hostname


@pytest.mark.parametrize("setting", [{"proxy": "http://127.0.0.1:1"}, {"verify": False}])
def test_proxy_or_verify_with_a_user_http_client_is_refused(setting: dict[str, Any]) -> None:
    with pytest.raises(InvalidRequestError, match="user-supplied http_client"):
        FriendliClient(token="t", http_client=httpx.Client(), **setting)
    chat = ChatFriendli(model=MODEL, api_key="t", http_client=httpx.Client(), **setting)
    with pytest.raises(InvalidRequestError, match="user-supplied http_client"):
        chat.invoke("Hi")


def test_max_connections_sizes_the_pool_and_keeps_every_connection_alive() -> None:
    client = FriendliClient(token="t", max_connections=7)
    # each of its pools keeps all its connections alive: tests/core/test_pool.py
    assert client._http._transport.max_connections == 7  # type: ignore[attr-defined]
    user = httpx.Client(limits=httpx.Limits(max_connections=3))
    mine = FriendliClient(token="t", http_client=user, max_connections=7)
    assert mine._http._transport._pool._max_connections == 3  # type: ignore[attr-defined]
    with pytest.raises(InvalidRequestError, match="max_connections"):
        FriendliClient(token="t", max_connections=0)
