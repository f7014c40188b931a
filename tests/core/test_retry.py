"""Retry policy (pure) and retries through both clients with a fake clock (no real sleeps)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from friendli_core import (
    APIConnectionError,
    APIStreamError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    IncompleteStreamError,
    InternalServerError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    UnprocessableEntityError,
)
from friendli_core._retry import MAX_RETRY_AFTER, is_retryable, parse_retry_after
from friendli_core.errors import make_status_error

CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
OK = {
    "id": "c",
    "object": "chat.completion",
    "created": 1,
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


# --------------------------------------------------------------------------- pure


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after-ms": "junk", "retry-after": "9"}, 9.0),
        ({"retry-after-ms": "-1", "retry-after": "2"}, 2.0),
        ({"retry-after": "soon"}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


def test_parse_retry_after_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC).timestamp()
    later = format_datetime(datetime(2026, 1, 1, 12, 0, 7, tzinfo=UTC), usegmt=True)
    earlier = format_datetime(datetime(2026, 1, 1, 11, 0, 0, tzinfo=UTC), usegmt=True)
    assert parse_retry_after({"retry-after": later}, now=now) == pytest.approx(7.0)
    assert parse_retry_after({"retry-after": earlier}, now=now) == 0.0


def test_parse_retry_after_is_case_insensitive_with_httpx_headers() -> None:
    assert parse_retry_after(httpx.Headers({"Retry-After-Ms": "100"})) == 0.1


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        *[(make_status_error(s, ""), True) for s in (408, 409, 429, 500, 502, 503, 504)],
        *[(make_status_error(s, ""), False) for s in (400, 401, 403, 404, 413, 422)],
        (APIConnectionError("x"), True),
        (APITimeoutError("x"), True),
        (APIStreamError("x"), False),
        (IncompleteStreamError("x"), False),
        (InvalidRequestError("x"), False),
    ],
)
def test_is_retryable(error: Exception, retryable: bool) -> None:
    assert is_retryable(error) is retryable  # type: ignore[arg-type]


def test_backoff_is_exponential_capped_and_jittered_down() -> None:
    policy = RetryPolicy(max_retries=10, initial_delay=0.5, max_delay=8.0, random=lambda: 0.0)
    assert [policy.backoff(a) for a in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    jittered = RetryPolicy(initial_delay=1.0, random=lambda: 1.0)
    assert jittered.backoff(0) == 0.75  # at most 25% removed, never added


def test_delay_gives_up_after_max_retries_and_on_fatal_errors() -> None:
    policy = RetryPolicy(max_retries=2, random=lambda: 0.0)
    err = make_status_error(503, "")
    assert policy.delay(0, err) == 0.5
    assert policy.delay(1, err) == 1.0
    assert policy.delay(2, err) is None
    assert policy.delay(0, make_status_error(400, "")) is None
    assert RetryPolicy(max_retries=0).delay(0, err) is None


def test_delay_honours_server_wait_up_to_a_bound() -> None:
    policy = RetryPolicy(max_retries=3, random=lambda: 0.0)
    assert policy.delay(0, make_status_error(429, "", retry_after=3.0)) == 3.0
    assert policy.delay(2, make_status_error(429, "", retry_after=0.0)) == 0.0
    too_long = make_status_error(429, "", retry_after=MAX_RETRY_AFTER + 1)
    assert policy.delay(1, too_long) == 1.0  # falls back to backoff instead of hanging


# --------------------------------------------------------------------------- through the clients


async def test_429_retry_after_is_honoured(kit, mode: str) -> None:
    recorder = kit.Recorder(
        [
            httpx.Response(429, headers={"Retry-After": "2"}, json={"message": "slow"}),
            httpx.Response(200, json=OK),
        ]
    )
    harness = kit.make_harness(mode, recorder)
    result = await harness.call("chat", **CHAT)
    assert result.choices[0].message.content == "ok"
    assert harness.sleeps == [2.0]
    assert len(recorder.requests) == 2
    first, second = recorder.requests
    assert first.content == second.content
    assert first.headers["authorization"] == second.headers["authorization"]


async def test_429_retry_after_ms_is_honoured(kit, mode: str) -> None:
    recorder = kit.Recorder(
        [httpx.Response(429, headers={"retry-after-ms": "250"}), httpx.Response(200, json=OK)]
    )
    harness = kit.make_harness(mode, recorder)
    await harness.call("chat", **CHAT)
    assert harness.sleeps == [0.25]


async def test_5xx_retried_up_to_max_then_typed_error(kit, mode: str) -> None:
    responses = [
        httpx.Response(
            503, headers={"x-request-id": f"req-{i}"}, json={"message": f"overloaded {i}"}
        )
        for i in range(5)
    ]
    recorder = kit.Recorder(responses)
    harness = kit.make_harness(
        mode, recorder, retry_policy=RetryPolicy(max_retries=3, random=lambda: 0.0)
    )
    with pytest.raises(InternalServerError) as info:
        await harness.call("chat", **CHAT)
    err = info.value
    assert len(recorder.requests) == 4
    assert harness.sleeps == [0.5, 1.0, 2.0]
    assert (err.status_code, err.request_id, err.api_message) == (503, "req-3", "overloaded 3")


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, UnprocessableEntityError),
    ],
)
@pytest.mark.parametrize("method", ["chat", "stream_chat"])
async def test_client_errors_are_never_retried(
    kit, mode: str, status: int, cls: type[Exception], method: str
) -> None:
    recorder = kit.Recorder(
        [httpx.Response(status, json={"message": "no"}), httpx.Response(200, json=OK)]
    )
    harness = kit.make_harness(mode, recorder)
    with pytest.raises(cls):
        await harness.call(method, **CHAT)
    assert len(recorder.requests) == 1
    assert harness.sleeps == []


async def test_connection_errors_retried_then_api_connection_error(kit, mode: str) -> None:
    recorder = kit.Recorder([httpx.ConnectError("connection refused")])
    harness = kit.make_harness(mode, recorder)
    with pytest.raises(APIConnectionError, match="connection refused") as info:
        await harness.call("completions", model="m", prompt="a")
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.path == "/serverless/v1/completions"
    assert len(recorder.requests) == 3
    # the first retry after a dropped connection is immediate, then exponential backoff
    assert harness.sleeps == [0.0, 1.0]


async def test_connection_error_then_success(kit, mode: str) -> None:
    recorder = kit.Recorder(
        [httpx.RemoteProtocolError("server disconnected"), httpx.Response(200, json=OK)]
    )
    harness = kit.make_harness(mode, recorder)
    result = await harness.call("chat", **CHAT)
    assert result.id == "c"
    assert len(recorder.requests) == 2


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectTimeout("c"),
        httpx.ReadTimeout("r"),
        httpx.WriteTimeout("w"),
        httpx.PoolTimeout("p"),
    ],
)
async def test_timeouts_become_api_timeout_error(kit, mode: str, exc: Exception) -> None:
    recorder = kit.Recorder([exc])
    harness = kit.make_harness(
        mode, recorder, retry_policy=RetryPolicy(max_retries=1, random=lambda: 0.0)
    )
    with pytest.raises(APITimeoutError, match=type(exc).__name__):
        await harness.call("chat", **CHAT)
    assert len(recorder.requests) == 2


async def test_timeout_while_reading_the_body(kit, mode: str) -> None:
    body = kit.PiecesStream([b'{"id": "c",'], error=httpx.ReadTimeout("slow body"))
    recorder = kit.Recorder([httpx.Response(200, stream=body), httpx.Response(200, json=OK)])
    harness = kit.make_harness(mode, recorder)
    result = await harness.call("chat", **CHAT)
    assert result.id == "c"
    assert len(recorder.requests) == 2


async def test_streams_retried_before_the_first_chunk(kit, mode: str) -> None:
    recorder = kit.Recorder(
        [
            httpx.Response(503, json={"message": "warming up"}),
            kit.sse_response([], error=httpx.ReadError("reset before any byte")),
            kit.sse_response(kit.fixture_bytes("core_chat_basic.sse")),
        ]
    )
    harness = kit.make_harness(
        mode, recorder, retry_policy=RetryPolicy(max_retries=3, random=lambda: 0.0)
    )
    chunks = await harness.stream("stream_chat", **CHAT)
    assert len(chunks) == 5
    assert len(recorder.requests) == 3
    assert harness.sleeps == [0.5, 1.0]


async def test_stream_error_event_before_first_chunk_is_retried(kit, mode: str) -> None:
    error_first = b'event: error\ndata: {"error": {"message": "busy", "code": 503}}\n\n'
    recorder = kit.Recorder(
        [kit.sse_response(error_first), kit.sse_response(kit.fixture_bytes("core_chat_basic.sse"))]
    )
    harness = kit.make_harness(mode, recorder)
    chunks = await harness.stream("stream_chat", **CHAT)
    assert len(chunks) == 5
    assert len(recorder.requests) == 2


async def test_max_retries_zero_and_config_default(kit, mode: str) -> None:
    recorder = kit.Recorder([httpx.Response(500)])
    harness = kit.make_harness(mode, recorder, retry_policy=RetryPolicy(max_retries=0))
    with pytest.raises(InternalServerError):
        await harness.call("chat", **CHAT)
    assert len(recorder.requests) == 1

    recorder = kit.Recorder([httpx.Response(502)])
    harness = kit.make_harness(mode, recorder, retry_policy=None, max_retries=1)
    with pytest.raises(InternalServerError):
        await harness.call("chat", **CHAT)
    assert len(recorder.requests) == 2
    assert len(harness.sleeps) == 1
    assert 0.375 <= harness.sleeps[0] <= 0.5


async def test_too_long_retry_after_falls_back_to_backoff(kit, mode: str) -> None:
    recorder = kit.Recorder(
        [httpx.Response(429, headers={"retry-after": "3600"}), httpx.Response(200, json=OK)]
    )
    harness = kit.make_harness(mode, recorder)
    await harness.call("chat", **CHAT)
    assert harness.sleeps == [0.5]


async def test_retries_are_logged_without_secrets(
    kit, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = kit.Recorder([httpx.Response(429), httpx.Response(200, json=OK)])
    harness = kit.make_harness(mode, recorder)
    with caplog.at_level(logging.DEBUG):
        await harness.call("chat", **CHAT)
    retry_logs = [r.getMessage() for r in caplog.records if r.name == "friendli_core"]
    assert any(
        "Retrying POST /serverless/v1/chat/completions" in m and "RateLimitError" in m
        for m in retry_logs
    )
    assert all(kit.TOKEN not in r.getMessage() for r in caplog.records)


async def test_rate_limit_error_exposes_retry_after_when_exhausted(kit, mode: str) -> None:
    recorder = kit.Recorder(
        [httpx.Response(429, headers={"retry-after": "1"}, json={"message": "slow"})]
    )
    harness = kit.make_harness(
        mode, recorder, retry_policy=RetryPolicy(max_retries=1, random=lambda: 0.0)
    )
    with pytest.raises(RateLimitError) as info:
        await harness.call("chat", **CHAT)
    assert info.value.retry_after == 1.0
    assert harness.sleeps == [1.0]
