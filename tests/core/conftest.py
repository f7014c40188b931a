"""Shared fixtures of the core tests: recorded transcripts, the spec validator, mock clients.

Every HTTP exchange goes through `httpx.MockTransport`; nothing here patches the core.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from friendli_core import AsyncFriendliClient, FriendliClient, RetryPolicy

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TOKEN = "flp_TESTSECRET0123456789abcdef"


# --------------------------------------------------------------------------- transcripts


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> Any:
    return json.loads(fixture_bytes(name))


# --------------------------------------------------------------------------- spec validation


class SpecChecker:
    """Validates instances against the spec's component schemas.

    Uses the vendored components of `friendli_core.testing._openapi` (extracted from the spec
    vendored in tests/spec; `tests/testing/test_openapi_vendor.py` checks the two agree).
    """

    def __init__(self) -> None:
        from friendli_core.testing import _openapi

        self._validate: Callable[[str, Any], list[str]] = _openapi.validate
        self.schemas: dict[str, Any] = _openapi._document()["components"]["schemas"]

    def validate(self, component: str, instance: Any) -> list[str]:
        return self._validate(component, instance)

    def properties(self, component: str) -> set[str]:
        """Property names the component declares (union over anyOf/oneOf branches)."""
        schema = self.schemas[component]
        names = set(schema.get("properties", {}))
        for branch in schema.get("anyOf", []) + schema.get("oneOf", []):
            ref = branch.get("$ref", "")
            if ref.startswith("#/components/schemas/"):
                names |= self.properties(ref.rsplit("/", 1)[1])
        return names


@pytest.fixture(scope="session")
def spec() -> SpecChecker:
    return SpecChecker()


# --------------------------------------------------------------------------- mock HTTP


class PiecesStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body delivered in the given pieces; optionally fails after them."""

    def __init__(self, pieces: Iterable[bytes], error: Exception | None = None) -> None:
        self.pieces = list(pieces)
        self.error = error
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self.pieces
        if self.error is not None:
            raise self.error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            yield piece
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def sse_response(
    body: bytes | Iterable[bytes], *, error: Exception | None = None, status: int = 200
) -> httpx.Response:
    pieces = [body] if isinstance(body, bytes) else list(body)
    return httpx.Response(
        status,
        headers={"content-type": "text/event-stream; charset=utf-8"},
        stream=PiecesStream(pieces, error),
    )


@dataclass
class Recorder:
    """A MockTransport handler that replays responses in order and records the requests."""

    responses: list[httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        item = self.responses[min(len(self.requests), len(self.responses)) - 1]
        if isinstance(item, Exception):
            raise item
        if callable(item) and not isinstance(item, httpx.Response):
            return item(request)
        return item

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


@dataclass
class Harness:
    """One client (sync or async) over a MockTransport, with a fake clock for retries."""

    mode: str
    client: Any
    sleeps: list[float]

    async def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(self.client, name)(*args, **kwargs)
        return await result if inspect.isawaitable(result) else result

    async def stream(self, name: str, **kwargs: Any) -> list[Any]:
        stream = await self.call(name, **kwargs)
        if self.mode == "sync":
            return list(stream)
        return [chunk async for chunk in stream]

    async def close(self) -> None:
        await self.call("close")


def make_harness(
    mode: str,
    handler: Callable[[httpx.Request], httpx.Response],
    *,
    client_headers: dict[str, str] | None = None,
    **options: Any,
) -> Harness:
    sleeps: list[float] = []
    options.setdefault("token", TOKEN)
    options.setdefault("retry_policy", RetryPolicy(max_retries=2, random=lambda: 0.0))
    transport = httpx.MockTransport(handler)
    if mode == "sync":
        http = httpx.Client(transport=transport, headers=client_headers)
        client: Any = FriendliClient(http_client=http, sleep=sleeps.append, **options)
    else:

        async def fake_sleep(seconds: float) -> None:
            sleeps.append(seconds)

        ahttp = httpx.AsyncClient(transport=transport, headers=client_headers)
        client = AsyncFriendliClient(http_client=ahttp, sleep=fake_sleep, **options)
    return Harness(mode, client, sleeps)


@pytest.fixture
def kit() -> SimpleNamespace:
    """The helpers above, for test modules (they cannot import conftest by a stable name)."""
    return SimpleNamespace(
        TOKEN=TOKEN,
        Recorder=Recorder,
        PiecesStream=PiecesStream,
        sse_response=sse_response,
        make_harness=make_harness,
        fixture_bytes=fixture_bytes,
        fixture_json=fixture_json,
    )


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def _no_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own FRIENDLI_* variables must not leak into the tests."""
    for name in ("FRIENDLI_TOKEN", "FRIENDLI_TEAM", "FRIENDLI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
