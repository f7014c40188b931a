"""Every core error is re-raised as a class with both the core and the LangChain parent."""

from __future__ import annotations

import pytest
from langchain_core import exceptions as lc

import friendli_core as fc
from langchain_friendli import _errors
from langchain_friendli._errors import reraise, translate_errors


def status(cls: type[fc.APIStatusError], code: int, message: str = "boom") -> fc.APIStatusError:
    return cls(
        f"Friendli API error {code}: {message}",
        status_code=code,
        request_id="req-1",
        api_message=message,
        method="POST",
        path="/x",
    )


CASES = [
    (
        fc.InvalidRequestError("bad"),
        lc.ModelInvalidRequestError,
        _errors.FriendliInvalidRequestError,
    ),
    (status(fc.BadRequestError, 400), lc.ModelInvalidRequestError, _errors.FriendliBadRequestError),
    (
        status(fc.BadRequestError, 400, "prompt exceeds the maximum context length"),
        lc.ContextOverflowError,
        _errors.FriendliContextOverflowError,
    ),
    (
        status(fc.UnprocessableEntityError, 422),
        lc.ModelInvalidRequestError,
        _errors.FriendliUnprocessableEntityError,
    ),
    (
        status(fc.UnprocessableEntityError, 422, "too many tokens"),
        lc.ContextOverflowError,
        _errors.FriendliUnprocessableContextOverflowError,
    ),
    (
        status(fc.AuthenticationError, 401),
        lc.ModelAuthenticationError,
        _errors.FriendliAuthenticationError,
    ),
    (
        status(fc.PermissionDeniedError, 403),
        lc.ModelPermissionDeniedError,
        _errors.FriendliPermissionDeniedError,
    ),
    (status(fc.NotFoundError, 404), lc.ModelNotFoundError, _errors.FriendliNotFoundError),
    (status(fc.ConflictError, 409), lc.ModelAPIError, _errors.FriendliConflictError),
    (status(fc.RateLimitError, 429), lc.ModelRateLimitError, _errors.FriendliRateLimitError),
    (status(fc.InternalServerError, 503), lc.ModelAPIError, _errors.FriendliInternalServerError),
    (status(fc.APIStatusError, 418), lc.ModelError, _errors.FriendliAPIStatusError),
    (fc.APITimeoutError("slow"), lc.ModelTimeoutError, _errors.FriendliTimeoutError),
    (fc.APIConnectionError("down"), lc.ModelConnectionError, _errors.FriendliConnectionError),
    (
        fc.IncompleteStreamError("cut"),
        lc.ModelConnectionError,
        _errors.FriendliIncompleteStreamError,
    ),
    (fc.APIStreamError("garbled"), lc.ModelAPIError, _errors.FriendliStreamError),
    (
        fc.APIResponseValidationError("junk"),
        lc.ModelAPIError,
        _errors.FriendliResponseValidationError,
    ),
]


@pytest.mark.parametrize(
    ("error", "lc_class", "expected"),
    CASES,
    ids=[type(c[0]).__name__ + str(i) for i, c in enumerate(CASES)],
)
def test_reraise_classifies_and_keeps_attributes(
    error: fc.FriendliError, lc_class: type, expected: type
) -> None:
    with pytest.raises(expected) as info:
        reraise(error)
    raised = info.value
    assert type(raised) is expected
    assert isinstance(raised, type(error))
    assert isinstance(raised, lc_class)
    assert raised.__cause__ is error
    assert str(raised) == str(error)
    assert raised.__dict__ == error.__dict__


def test_already_classified_errors_pass_through_unchanged() -> None:
    error = _errors.FriendliRateLimitError("x", status_code=429)
    with pytest.raises(_errors.FriendliRateLimitError) as info:
        reraise(error)
    assert info.value is error


def test_retryable_flags() -> None:
    assert _errors.FriendliRateLimitError.is_retryable
    assert _errors.FriendliTimeoutError.is_retryable
    assert not _errors.FriendliAuthenticationError.is_retryable


def test_translate_errors_context_manager() -> None:
    with pytest.raises(_errors.FriendliNotFoundError), translate_errors():
        raise status(fc.NotFoundError, 404)
    with pytest.raises(KeyError), translate_errors():
        raise KeyError("not a Friendli error")
