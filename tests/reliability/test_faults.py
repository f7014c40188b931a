"""Faults over real loopback HTTP, for every class of the stack, sync and async, streaming or not.

Faults are queued on the local server (`LocalServer.inject_fault(spec, times=N)`); the server's
request log counts the attempts that reached it, the `friendli_core` retry records count the
retries. Every wait is real: 5xx faults carry a short `retry-after-ms` from the server (honoured
by the client, as a real server's would be), and connection failures use the client's own
backoff, whose first retry is immediate.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from langchain_core import exceptions as lc

import friendli_core as fc
from friendli_core.testing import LocalServer, RequestLog
from tests.reliability._stack import Target, targets

pytestmark = pytest.mark.reliability

ALL = targets()
STREAMING = targets(stream=True, invoke=True)
TIMEOUT_MARGIN = 1.0


def _check_langchain_class(target: Target, error: Exception, lc_class: type[Exception]) -> None:
    """LangChain callers can also catch the matching `langchain_core` error."""
    if target.cls in ("chat", "llm"):
        assert isinstance(error, lc_class), type(error).__mro__


# --------------------------------------------------------------------------- 429 + Retry-After


@pytest.mark.parametrize("target", ALL)
async def test_429_waits_as_told_then_succeeds_with_one_retry(
    target: Target, friendli_server: LocalServer, friendli_requests: RequestLog, retries: Any
) -> None:
    friendli_server.inject_fault("status:429,retry_after:0.2", times=1)
    started = time.monotonic()
    text = await target.run(friendli_server, "rate limited once", max_retries=2)
    elapsed = time.monotonic() - started
    assert "rate limited once" in text
    assert elapsed >= 0.2
    assert len(friendli_requests) == 2
    assert len(retries) == 1
    assert "in 0.20s" in retries.records[0].getMessage()


# --------------------------------------------------------------------------- 5xx


@pytest.mark.parametrize("status", [500, 502, 503])
@pytest.mark.parametrize("target", ALL)
async def test_5xx_then_success_within_max_retries(
    target: Target,
    status: int,
    friendli_server: LocalServer,
    friendli_requests: RequestLog,
    retries: Any,
) -> None:
    friendli_server.inject_fault(f"status:{status},retry_after:0.01", times=2)
    text = await target.run(friendli_server, "flaky upstream", max_retries=2)
    assert "flaky upstream" in text
    assert len(friendli_requests) == 3
    assert len(retries) == 2


@pytest.mark.parametrize("status", [500, 502, 503])
@pytest.mark.parametrize("target", ALL)
async def test_5xx_beyond_max_retries_is_a_typed_error(
    target: Target,
    status: int,
    friendli_server: LocalServer,
    friendli_requests: RequestLog,
    retries: Any,
) -> None:
    friendli_server.inject_fault(f"status:{status}:upstream exploded,retry_after:0.01", times=3)
    sink: list[Any] = []
    with pytest.raises(fc.InternalServerError) as info:
        await target.run(friendli_server, sink=sink, max_retries=2)
    error = info.value
    assert len(friendli_requests) == 3
    assert len(retries) == 2
    assert error.status_code == status
    assert error.request_id == friendli_requests[-1].request_id
    assert error.api_message is not None
    assert error.api_message.startswith("upstream exploded")
    assert "upstream exploded" in str(error)
    assert sink == []
    _check_langchain_class(target, error, lc.ModelAPIError)


# --------------------------------------------------------------------------- 4xx


_CLIENT_ERRORS = {
    400: (fc.BadRequestError, lc.ModelInvalidRequestError),
    401: (fc.AuthenticationError, lc.ModelAuthenticationError),
    403: (fc.PermissionDeniedError, lc.ModelPermissionDeniedError),
    404: (fc.NotFoundError, lc.ModelNotFoundError),
    422: (fc.UnprocessableEntityError, lc.ModelInvalidRequestError),
}


@pytest.mark.parametrize("status", sorted(_CLIENT_ERRORS))
@pytest.mark.parametrize("target", ALL)
async def test_4xx_is_raised_at_once_never_retried(
    target: Target,
    status: int,
    friendli_server: LocalServer,
    friendli_requests: RequestLog,
    retries: Any,
) -> None:
    friendli_server.inject_fault(f"status:{status}:you did it wrong", times=5)
    core_class, lc_class = _CLIENT_ERRORS[status]
    with pytest.raises(core_class) as info:
        await target.run(friendli_server, max_retries=3)
    error = info.value
    assert len(friendli_requests) == 1
    assert len(retries) == 0
    assert error.status_code == status
    assert error.request_id == friendli_requests[-1].request_id
    assert error.api_message is not None
    assert error.api_message.startswith("you did it wrong")
    _check_langchain_class(target, error, lc_class)
    friendli_server.clear_faults()


@pytest.mark.parametrize("target", ALL)
async def test_wrong_token_is_an_authentication_error_with_the_server_message(
    target: Target, friendli_server: LocalServer, friendli_requests: RequestLog, retries: Any
) -> None:
    with pytest.raises(fc.AuthenticationError) as info:
        await target.run(friendli_server, token="flp_not_the_right_one", max_retries=3)
    assert len(friendli_requests) == 1
    assert len(retries) == 0
    assert "invalid bearer token" in (info.value.api_message or "")


@pytest.mark.parametrize("target", ALL)
async def test_schema_violation_is_a_422_with_the_server_message(
    target: Target, friendli_server: LocalServer, friendli_requests: RequestLog, retries: Any
) -> None:
    """A field passed through unchecked (`extra_body`) that the server's schema refuses."""
    with pytest.raises(fc.UnprocessableEntityError) as info:
        await target.run(
            friendli_server, params={"extra_body": {"max_tokens": "lots"}}, max_retries=3
        )
    assert len(friendli_requests) == 1
    assert len(retries) == 0
    assert "max_tokens" in (info.value.api_message or "")


# --------------------------------------------------------------------------- connection faults


@pytest.mark.parametrize("target", ALL)
async def test_connection_refused_is_retried_then_a_connection_error(
    target: Target, refused_url: str, retries: Any
) -> None:
    with pytest.raises(fc.APIConnectionError) as info:
        await target.run(refused_url, max_retries=1)
    assert not isinstance(info.value, fc.APITimeoutError)
    assert len(retries) == 1
    assert all("APIConnectionError" in r.getMessage() for r in retries.records)
    _check_langchain_class(target, info.value, lc.ModelConnectionError)


@pytest.mark.parametrize("target", ALL)
async def test_disconnect_before_headers_is_retried_then_succeeds(
    target: Target, friendli_server: LocalServer, friendli_requests: RequestLog, retries: Any
) -> None:
    friendli_server.inject_fault("disconnect", times=1)
    text = await target.run(friendli_server, "second time lucky", max_retries=1)
    assert "second time lucky" in text
    assert len(friendli_requests) == 2
    assert len(retries) == 1


@pytest.mark.parametrize("target", ALL)
async def test_disconnect_before_headers_beyond_retries_is_a_connection_error(
    target: Target, friendli_server: LocalServer, friendli_requests: RequestLog, retries: Any
) -> None:
    friendli_server.inject_fault("disconnect", times=2)
    sink: list[Any] = []
    with pytest.raises(fc.APIConnectionError) as info:
        await target.run(friendli_server, sink=sink, max_retries=1)
    assert not isinstance(info.value, fc.APITimeoutError)
    assert len(friendli_requests) == 2
    assert len(retries) == 1
    assert sink == []
    _check_langchain_class(target, info.value, lc.ModelConnectionError)


@pytest.mark.parametrize("target", targets(stream=True))
async def test_stream_dropped_before_first_chunk_is_retried(
    target: Target, friendli_server: LocalServer, friendli_requests: RequestLog, retries: Any
) -> None:
    """Nothing was delivered yet, so a retry cannot duplicate output."""
    friendli_server.inject_fault("disconnect_after:0", times=1)
    text = await target.run(friendli_server, "retry before output", max_retries=1)
    assert "retry before output" in text
    assert len(friendli_requests) == 2
    assert len(retries) == 1


# --------------------------------------------------------------------------- mid-stream faults


_MID_STREAM = {
    "disconnect_after:2": fc.APIConnectionError,
    "no_done": fc.IncompleteStreamError,
    "malformed:2": fc.APIStreamError,
    "error_event:2": fc.InternalServerError,
    "status:429,error_event:2": fc.RateLimitError,
}


@pytest.mark.parametrize("fault", sorted(_MID_STREAM))
@pytest.mark.parametrize("target", STREAMING)
async def test_mid_stream_fault_raises_and_never_presents_a_complete_answer(
    target: Target,
    fault: str,
    friendli_server: LocalServer,
    friendli_requests: RequestLog,
    retries: Any,
) -> None:
    friendli_server.inject_fault(fault, times=1)
    sink: list[Any] = []
    result: Any = None
    with pytest.raises(_MID_STREAM[fault]) as info:
        result = await target.run(friendli_server, "a reply that breaks", sink=sink, max_retries=2)
    assert result is None, "no final answer is returned"
    if fault == "no_done":
        # every chunk arrived, only the end marker is missing: the caller still gets the error
        assert not isinstance(info.value, fc.APIStatusError)
    else:
        assert target.complete_chunks(sink) == []
        if not target.via_invoke:
            assert sink, "the chunks before the fault reach the caller"
    assert len(friendli_requests) == 1, "output was delivered: never retried"
    assert len(retries) == 0
    if isinstance(info.value, fc.APIStatusError):
        assert info.value.api_message
        assert "injected error event" in info.value.api_message
    _check_langchain_class(target, info.value, lc.ModelError)


# --------------------------------------------------------------------------- timeouts


@pytest.mark.parametrize("target", ALL)
async def test_hanging_server_times_out_within_the_configured_timeout(
    target: Target, friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    friendli_server.inject_fault("hang", times=1)
    started = time.monotonic()
    with pytest.raises(fc.APITimeoutError) as info:
        await target.run(friendli_server, timeout=0.3, max_retries=0)
    elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 0.3 + TIMEOUT_MARGIN
    assert len(friendli_requests) == 1
    _check_langchain_class(target, info.value, lc.ModelTimeoutError)


@pytest.mark.parametrize("target", targets(classes=("core", "chat")))
async def test_timeouts_are_retried_within_max_retries(
    target: Target, friendli_server: LocalServer, friendli_requests: RequestLog, retries: Any
) -> None:
    friendli_server.inject_fault("hang", times=2)
    started = time.monotonic()
    with pytest.raises(fc.APITimeoutError):
        await target.run(friendli_server, timeout=0.2, max_retries=1)
    elapsed = time.monotonic() - started
    assert 0.4 <= elapsed < 0.4 + TIMEOUT_MARGIN
    assert len(friendli_requests) == 2
    assert len(retries) == 1


@pytest.mark.parametrize("target", targets(stream=True))
async def test_stream_stalling_mid_way_times_out_without_a_complete_answer(
    target: Target, friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    friendli_server.inject_fault("slow:3", times=1)
    sink: list[Any] = []
    started = time.monotonic()
    with pytest.raises(fc.APITimeoutError):
        await target.run(friendli_server, sink=sink, timeout=0.3, max_retries=2)
    elapsed = time.monotonic() - started
    assert elapsed < 0.3 + TIMEOUT_MARGIN
    assert target.complete_chunks(sink) == []
    assert len(friendli_requests) == 1
