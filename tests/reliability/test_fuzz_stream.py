"""Property-based fuzzing of the SSE decoding and chunk parsing, through the real clients.

Bodies are served by `httpx.MockTransport` as a stream split at arbitrary points, so the SSE
framing (`friendli_core._sse` inside the client) sees every possible chunk boundary. The contract: a stream
either yields the correct chunks or raises a `FriendliError` - never another exception, never
a hang (the bodies are finite; pytest-timeout guards the loop).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import friendli_core as fc
from friendli_core import AsyncFriendliClient, FriendliClient

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(240)]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXAMPLES = 300
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Pieces(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body delivered in the given pieces (sync or async)."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces

    def __iter__(self) -> Iterator[bytes]:
        yield from self.pieces

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            yield piece


class Served:
    """The body (and status) the mock transport serves next; counts the requests."""

    def __init__(self) -> None:
        self.status = 200
        self.pieces: list[bytes] = []
        self.content_type = "text/event-stream; charset=utf-8"
        self.requests = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        headers = {"content-type": self.content_type, "x-request-id": "req_fuzz"}
        return httpx.Response(self.status, headers=headers, stream=Pieces(list(self.pieces)))

    def serve(self, body: bytes, cuts: list[int], status: int = 200) -> None:
        points = sorted({min(c, len(body)) for c in cuts})
        bounds = [0, *points, len(body)]
        self.pieces = [body[a:b] for a, b in itertools.pairwise(bounds) if b > a]
        self.status = status
        self.requests = 0


@pytest.fixture(scope="module")
def served() -> Served:
    return Served()


@pytest.fixture(scope="module")
def client(served: Served) -> Iterator[FriendliClient]:
    http = httpx.Client(transport=httpx.MockTransport(served.handler))
    with FriendliClient(
        token="flp_fuzz", base_url="http://fuzz.test/v1", http_client=http, max_retries=0
    ) as c:
        yield c
    http.close()


def _chat(client: FriendliClient) -> list[fc.ChatCompletionChunk]:
    with client.stream_chat(model="m", messages=[{"role": "user", "content": "x"}]) as stream:
        return list(stream)


def _completions(client: FriendliClient) -> list[fc.CompletionChunk]:
    with client.stream_completions(model="m", prompt="x") as stream:
        return list(stream)


# --------------------------------------------------------------------------- valid streams


VALID_FIXTURES = [
    "core_chat_basic.sse",
    "core_chat_logprobs.sse",
    "core_chat_n2.sse",
    "core_chat_reasoning.sse",
    "core_chat_tools.sse",
    "core_completions_basic.sse",
    "core_completions_legacy.sse",
    "core_completions_logprobs.sse",
]


def _newlines(body: bytes, style: str) -> bytes:
    lines = body.replace(b"\r\n", b"\n").split(b"\n")
    return {"lf": b"\n", "crlf": b"\r\n", "cr": b"\r"}[style].join(lines)


@given(
    name=st.sampled_from(VALID_FIXTURES),
    style=st.sampled_from(["lf", "crlf", "cr"]),
    data=st.data(),
)
@FUZZ
def test_valid_streams_parse_identically_at_any_split(
    client: FriendliClient, served: Served, name: str, style: str, data: st.DataObject
) -> None:
    body = _newlines((FIXTURES / name).read_bytes(), style)
    read = _completions if "completions" in name else _chat
    served.serve(body, [])
    expected = read(client)
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=40), label="cuts")
    served.serve(body, cuts)
    assert read(client) == expected
    assert expected
    assert any(c.finish_reason for chunk in expected for c in chunk.choices)


# --------------------------------------------------------------------------- structured fuzz

_TEXT = st.text(max_size=20)
_GOOD = "good"
_BAD = {"not_json", "deep", "error_json", "error_event", "not_object", "wrong_types"}


def _chat_chunk(text: str, finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}],
    }


@st.composite
def event_script(draw: st.DrawFn) -> list[tuple[str, Any]]:
    """A sequence of (kind, payload) events, mostly valid, sometimes broken."""
    kinds = st.sampled_from(
        [_GOOD] * 6 + ["comment", "blank", "retry_field", "finish", "done", *sorted(_BAD)]
    )
    script = []
    for kind in draw(st.lists(kinds, max_size=12)):
        if kind == _GOOD:
            script.append((kind, draw(_TEXT)))
        elif kind == "deep":
            script.append((kind, draw(st.integers(900, 200_000))))
        elif kind == "error_json":
            script.append((kind, draw(_error_payloads)))
        elif kind == "not_json":
            script.append((kind, draw(_plain_text.filter(_not_json))))
        else:
            script.append((kind, None))
    return script


_plain_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30
)


def _not_json(text: str) -> bool:
    if not text.strip() or "\n" in text or "\r" in text or text.strip() == "[DONE]":
        return False
    try:
        json.loads(text)
    except ValueError:
        return True
    return False


_json_leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=10)
_json = st.recursive(
    _json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
_error_payloads = st.fixed_dictionaries(
    {"error": _json},
    optional={
        "detail": _json | st.lists(st.dictionaries(st.sampled_from(["loc", "msg"]), _json)),
        "message": _json,
        "code": _json,
        "status": _json,
    },
)


def _encode(kind: str, payload: Any) -> bytes:
    lines: dict[str, str] = {
        "comment": ": keep-alive",
        "blank": "data:    ",
        "retry_field": "retry: 1000\nid: 7",
        "finish": "data: " + json.dumps(_chat_chunk("", "stop")),
        "done": "data: [DONE]",
        "error_event": 'event: error\ndata: {"error": {"message": "boom", "code": 503}}',
        "not_object": "data: [1, 2, 3]",
        "wrong_types": 'data: {"choices": [{"index": "zero", "delta": 5}]}',
    }
    if kind == _GOOD:
        text = "data: " + json.dumps(_chat_chunk(payload))
    elif kind == "deep":
        text = "data: " + "[" * payload
    elif kind == "error_json":
        text = "data: " + json.dumps(payload)
    elif kind == "not_json":
        text = "data: " + payload
    else:
        text = lines[kind]
    return (text + "\n\n").encode()


def _expected(script: list[tuple[str, Any]]) -> tuple[list[str], type[Exception] | None]:
    """What the client must yield (contents) and raise, following the SSE/stream rules."""
    contents: list[str] = []
    open_choice = False  # a choice got content but no finish_reason yet
    for kind, payload in script:
        if kind == "done":
            return contents, fc.IncompleteStreamError if open_choice else None
        if kind in {"error_event", "error_json"}:
            return contents, fc.APIStatusError
        if kind in _BAD:
            return contents, fc.APIStreamError
        if kind == _GOOD:
            contents.append(payload)
            open_choice = True
        elif kind == "finish":
            contents.append("")
            open_choice = False
    return contents, fc.IncompleteStreamError


def _check_outcome(raised: fc.FriendliError | None, expected: type[Exception] | None) -> None:
    if expected is None:
        assert raised is None, f"unexpected {raised!r}"
    else:
        assert isinstance(raised, expected), f"expected {expected.__name__}, got {raised!r}"


@given(script=event_script(), style=st.sampled_from(["lf", "crlf"]), data=st.data())
@FUZZ
def test_structured_chat_streams_yield_correct_chunks_or_typed_errors(
    client: FriendliClient,
    served: Served,
    script: list[tuple[str, Any]],
    style: str,
    data: st.DataObject,
) -> None:
    body = _newlines(b"".join(_encode(k, p) for k, p in script), style)
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=30), label="cuts")
    served.serve(body, cuts)
    contents, error = _expected(script)
    seen: list[str] = []
    raised: fc.FriendliError | None = None
    try:
        with client.stream_chat(model="m", messages=[{"role": "user", "content": "x"}]) as s:
            seen.extend(chunk.choices[0].delta.content or "" for chunk in s)
    except fc.FriendliError as exc:
        raised = exc
    _check_outcome(raised, error)
    assert seen == contents[: len(seen)]
    if error is None:
        assert seen == contents
    assert served.requests == 1


@given(script=event_script(), data=st.data())
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
async def test_structured_chat_streams_async(
    served: Served, script: list[tuple[str, Any]], data: st.DataObject
) -> None:
    body = b"".join(_encode(k, p) for k, p in script)
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=30), label="cuts")
    served.serve(body, cuts)
    contents, error = _expected(script)
    seen: list[str] = []
    http = httpx.AsyncClient(transport=httpx.MockTransport(served.handler))
    client = AsyncFriendliClient(
        token="flp_fuzz", base_url="http://fuzz.test/v1", http_client=http, max_retries=0
    )
    raised: fc.FriendliError | None = None
    try:
        stream = await client.stream_chat(model="m", messages=[{"role": "user", "content": "x"}])
        async with stream:
            async for chunk in stream:
                seen.append(chunk.choices[0].delta.content or "")  # noqa: PERF401
    except fc.FriendliError as exc:
        raised = exc
    finally:
        await http.aclose()
    _check_outcome(raised, error)
    assert seen == contents[: len(seen)]


# --------------------------------------------------------------------------- arbitrary bytes


_sse_noise = st.lists(
    st.sampled_from(
        [
            *(b"data: ", b"data:", b"event: error\n", b"event: message\n", b"\n", b"\r\n", b"\r"),
            *(b"[DONE]", b"{", b"}", b'"error"', b'"choices"', b":", b"[", b"]", b",", b"\xff\xfe"),
            *(b'{"event":"complete","choices":', b'{"event":"token_sampled"', b"\x00", b"\xc3"),
        ]
    )
    | st.binary(max_size=12),
    max_size=60,
).map(b"".join)


@given(body=st.binary(max_size=400) | _sse_noise, data=st.data())
@FUZZ
def test_arbitrary_bytes_end_in_chunks_or_a_typed_error(
    client: FriendliClient, served: Served, body: bytes, data: st.DataObject
) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=20), label="cuts")
    for read in (_chat, _completions):
        served.serve(body, cuts)
        try:
            chunks = read(client)
        except fc.FriendliError:
            continue
        assert all(isinstance(c, fc.ChatCompletionChunk | fc.CompletionChunk) for c in chunks)


@given(payload=_json | _error_payloads, data=st.data())
@FUZZ
def test_arbitrary_json_events_end_in_chunks_or_a_typed_error(
    client: FriendliClient, served: Served, payload: Any, data: st.DataObject
) -> None:
    """Any JSON value as an event, for both parsers, as plain data and as an error event."""
    event = data.draw(st.sampled_from(["", "event: error\n"]), label="event")
    body = f"{event}data: {json.dumps(payload)}\n\ndata: [DONE]\n\n".encode()
    for read in (_chat, _completions):
        served.serve(body, [])
        raised: fc.FriendliError | None = None
        try:
            read(client)
        except fc.FriendliError as exc:
            raised = exc
        if event:
            assert isinstance(raised, fc.APIStatusError), raised


# --------------------------------------------------------------------------- error bodies


@given(
    status=st.integers(400, 599),
    body=st.binary(max_size=200) | _json.map(lambda v: json.dumps(v).encode()),
    as_json=st.booleans(),
    data=st.data(),
)
@FUZZ
def test_error_responses_are_typed_status_errors(  # noqa: PLR0917 - hypothesis + fixtures
    client: FriendliClient,
    served: Served,
    status: int,
    body: bytes,
    as_json: bool,
    data: st.DataObject,
) -> None:
    if data.draw(st.booleans(), label="error-shaped"):
        body = json.dumps(data.draw(_error_payloads, label="payload")).encode()
    served.content_type = "application/json" if as_json else "text/plain"
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=5), label="cuts")
    served.serve(body, cuts, status=status)
    try:
        for call in (
            lambda: client.chat(model="m", messages=[{"role": "user", "content": "x"}]),
            lambda: _chat(client),
        ):
            with pytest.raises(fc.APIStatusError) as info:
                call()
            assert info.value.status_code == status
            assert info.value.request_id == "req_fuzz"
            assert str(status) in str(info.value)
    finally:
        served.content_type = "text/event-stream; charset=utf-8"


@given(body=st.binary(max_size=300) | _json.map(lambda v: json.dumps(v).encode()))
@FUZZ
def test_arbitrary_success_bodies_are_parsed_or_a_validation_error(
    client: FriendliClient, served: Served, body: bytes
) -> None:
    served.content_type = "application/json"
    served.serve(body, [])
    try:
        client.chat(model="m", messages=[{"role": "user", "content": "x"}])
    except fc.APIResponseValidationError:
        pass
    finally:
        served.content_type = "text/event-stream; charset=utf-8"
