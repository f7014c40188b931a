"""Error hierarchy, status-to-class table, and error-body parsing (pure and over HTTP)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from friendli_core import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APIStreamError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FriendliError,
    IncompleteStreamError,
    InternalServerError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from friendli_core.errors import make_status_error, parse_error_body

STATUS_TABLE = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (409, ConflictError),
    (422, UnprocessableEntityError),
    (429, RateLimitError),
    (500, InternalServerError),
    (502, InternalServerError),
    (503, InternalServerError),
    (504, InternalServerError),
    (529, InternalServerError),
]


@pytest.mark.parametrize(("status", "cls"), STATUS_TABLE)
def test_status_maps_to_class(status: int, cls: type[APIStatusError]) -> None:
    err = make_status_error(status, {"message": "m"})
    assert type(err) is cls
    assert err.status_code == status


@pytest.mark.parametrize("status", [402, 405, 408, 413, 418, 451])
def test_other_statuses_are_plain_status_errors(status: int) -> None:
    err = make_status_error(status, "x")
    assert type(err) is APIStatusError
    assert err.status_code == status


def test_hierarchy() -> None:
    for cls in {c for _, c in STATUS_TABLE}:
        assert issubclass(cls, APIStatusError)
    assert issubclass(APIStatusError, APIError)
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APIConnectionError, APIError)
    assert issubclass(IncompleteStreamError, APIStreamError)
    assert issubclass(APIStreamError, APIError)
    assert issubclass(APIResponseValidationError, APIError)
    assert issubclass(APIError, FriendliError)
    assert issubclass(InvalidRequestError, FriendliError)
    assert issubclass(InvalidRequestError, ValueError)
    assert not issubclass(InvalidRequestError, APIError)


BODIES: list[tuple[Any, str | None, str | None, Any]] = [
    ({"message": "Model not found"}, "Model not found", None, None),
    (
        {"error": {"message": "Invalid token", "type": "auth_error", "code": "invalid_api_key"}},
        "Invalid token",
        "auth_error",
        "invalid_api_key",
    ),
    (
        {"message": "top", "error": {"message": "nested", "type": "t", "code": 400}},
        "top",
        "t",
        400,
    ),
    ({"detail": "Not authenticated"}, "Not authenticated", None, None),
    (
        {"detail": [{"loc": ["body", "messages"], "msg": "field required", "type": "missing"}]},
        "body.messages: field required",
        None,
        None,
    ),
    (
        {"detail": [{"loc": ["body", "a"], "msg": "bad"}, {"loc": ["query", "b"], "msg": "worse"}]},
        "body.a: bad; query.b: worse",
        None,
        None,
    ),
    ({"error": "upstream timeout"}, "upstream timeout", None, None),
    (
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        "Overloaded",
        "overloaded_error",
        None,
    ),
    ("Bad Gateway\n", "Bad Gateway", None, None),
    ("", None, None, None),
    ({}, None, None, None),
    ([1, 2], None, None, None),
    (None, None, None, None),
    ({"message": 5, "detail": "fallback"}, "fallback", None, None),
]


@pytest.mark.parametrize(("body", "message", "etype", "code"), BODIES)
def test_parse_error_body(body: Any, message: str | None, etype: str | None, code: Any) -> None:
    assert parse_error_body(body) == (message, etype, code)


def test_make_status_error_fields_and_text() -> None:
    body = {"error": {"message": "Slow down", "type": "rate_limit", "code": "rl"}}
    err = make_status_error(
        429, body, request_id="req-1", retry_after=2.5, method="POST", path="/v1/chat/completions"
    )
    assert isinstance(err, RateLimitError)
    assert (err.status_code, err.request_id, err.retry_after) == (429, "req-1", 2.5)
    assert (err.api_message, err.type, err.code, err.body) == (
        "Slow down",
        "rate_limit",
        "rl",
        body,
    )
    assert (err.method, err.path) == ("POST", "/v1/chat/completions")
    assert str(err) == err.message
    assert "429" in str(err)
    assert "POST /v1/chat/completions" in str(err)
    assert "Slow down" in str(err)
    assert "req-1" in str(err)
    assert repr(err) == (
        f"RateLimitError(status_code=429, request_id='req-1', message={err.message!r})"
    )


def test_status_error_without_server_message_says_so() -> None:
    assert "no message in the response" in str(make_status_error(500, ""))


# --------------------------------------------------------------------------- over HTTP

HTTP_BODIES = [
    ({"message": "Unknown model: foo"}, "Unknown model: foo"),
    (
        {"error": {"message": "Unknown model: foo", "type": "invalid_request_error"}},
        "Unknown model: foo",
    ),
    ({"detail": "Unknown model: foo"}, "Unknown model: foo"),
    ("Unknown model: foo", "Unknown model: foo"),
]


@pytest.mark.parametrize(("body", "message"), HTTP_BODIES)
@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, BadRequestError), (404, NotFoundError), (422, UnprocessableEntityError)],
)
async def test_error_response_bodies_over_http(
    kit, mode: str, *, body: Any, message: str, status: int, cls: type[APIStatusError]
) -> None:
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    ctype = "text/plain" if isinstance(body, str) else "application/json"
    response = httpx.Response(
        status, content=content, headers={"content-type": ctype, "x-request-id": "req-42"}
    )
    harness = kit.make_harness(mode, kit.Recorder([response]))
    with pytest.raises(cls) as info:
        await harness.call("chat", model="foo", messages=[{"role": "user", "content": "hi"}])
    err = info.value
    assert err.api_message == message
    assert err.request_id == "req-42"
    assert err.path == "/serverless/v1/chat/completions"
    assert message in str(err)


async def test_stream_error_status_is_raised_at_the_call(kit, mode: str) -> None:
    response = httpx.Response(401, json={"message": "Invalid token"})
    harness = kit.make_harness(mode, kit.Recorder([response]))
    with pytest.raises(AuthenticationError, match="Invalid token"):
        await harness.call("stream_chat", model="m", messages=[{"role": "user", "content": "hi"}])
