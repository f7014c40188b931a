"""Friendli errors classified for LangChain.

Every `friendli_core` error that reaches a `ChatFriendli` or `Friendli` caller is re-raised as a
class that inherits from both the core error and the matching `langchain_core.exceptions`
`ModelError` subclass, so both `except friendli_core.RateLimitError` and
`except langchain_core.exceptions.ModelRateLimitError` work::

    core error                     LangChain class             raised as (Friendli...)
    MissingTokenError (pre-send)   ModelAuthenticationError    MissingTokenError
    InvalidRequestError (pre-send) ModelInvalidRequestError    InvalidRequestError
    BadRequestError 400            ModelInvalidRequestError    BadRequestError
      context limit exceeded       + ContextOverflowError      ContextOverflowError
    UnprocessableEntityError 422   ModelInvalidRequestError    UnprocessableEntityError
      context limit exceeded       + ContextOverflowError      UnprocessableContextOverflowError
    AuthenticationError 401        ModelAuthenticationError    AuthenticationError
    PermissionDeniedError 403      ModelPermissionDeniedError  PermissionDeniedError
    NotFoundError 404              ModelNotFoundError          NotFoundError
    ConflictError 409              ModelAPIError (retryable)   ConflictError
    RateLimitError 429             ModelRateLimitError         RateLimitError
    InternalServerError 5xx        ModelAPIError               InternalServerError
    other APIStatusError           ModelError                  APIStatusError
    APITimeoutError                ModelTimeoutError           TimeoutError
    APIConnectionError             ModelConnectionError        ConnectionError
    IncompleteStreamError          ModelConnectionError        IncompleteStreamError
    APIStreamError                 ModelAPIError               StreamError
    APIResponseValidationError     ModelAPIError               ResponseValidationError

The re-raised error keeps every attribute of the original (`status_code`, `request_id`, `body`,
`api_message`, ...) and chains it as `__cause__`. Context overflow is recognised from the
server's error message, as Friendli defines no dedicated code for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from langchain_core import exceptions as lc

import friendli_core as fc

__all__ = [
    "FriendliAPIStatusError",
    "FriendliAuthenticationError",
    "FriendliBadRequestError",
    "FriendliConflictError",
    "FriendliConnectionError",
    "FriendliContextOverflowError",
    "FriendliIncompleteStreamError",
    "FriendliInternalServerError",
    "FriendliInvalidRequestError",
    "FriendliMissingTokenError",
    "FriendliNotFoundError",
    "FriendliPermissionDeniedError",
    "FriendliRateLimitError",
    "FriendliResponseValidationError",
    "FriendliStreamError",
    "FriendliTimeoutError",
    "FriendliUnprocessableContextOverflowError",
    "FriendliUnprocessableEntityError",
]


class FriendliInvalidRequestError(fc.InvalidRequestError, lc.ModelInvalidRequestError):
    """Invalid parameters or configuration, found before anything was sent."""


class FriendliMissingTokenError(fc.MissingTokenError, lc.ModelAuthenticationError):
    """No Friendli token is configured: set FRIENDLI_TOKEN or pass api_key=...; nothing was sent."""


class FriendliBadRequestError(fc.BadRequestError, lc.ModelInvalidRequestError):
    """400: the server rejected the request."""


class FriendliContextOverflowError(FriendliBadRequestError, lc.ContextOverflowError):
    """400: the input does not fit in the model's context window."""


class FriendliUnprocessableEntityError(fc.UnprocessableEntityError, lc.ModelInvalidRequestError):
    """422: the request body failed the server's validation."""


class FriendliUnprocessableContextOverflowError(
    FriendliUnprocessableEntityError, lc.ContextOverflowError
):
    """422: the input does not fit in the model's context window."""


class FriendliAuthenticationError(fc.AuthenticationError, lc.ModelAuthenticationError):
    """401: the token is missing, wrong or expired."""


class FriendliPermissionDeniedError(fc.PermissionDeniedError, lc.ModelPermissionDeniedError):
    """403: the token may not use this model, endpoint or team."""


class FriendliNotFoundError(fc.NotFoundError, lc.ModelNotFoundError):
    """404: unknown model, endpoint ID or path."""


class FriendliConflictError(fc.ConflictError, lc.ModelAPIError):
    """409: a conflicting request (retryable)."""


class FriendliRateLimitError(fc.RateLimitError, lc.ModelRateLimitError):
    """429: too many requests or tokens."""


class FriendliInternalServerError(fc.InternalServerError, lc.ModelAPIError):
    """5xx: the server failed."""


class FriendliAPIStatusError(fc.APIStatusError, lc.ModelError):
    """Any other error status."""


class FriendliTimeoutError(fc.APITimeoutError, lc.ModelTimeoutError):
    """The request timed out."""


class FriendliConnectionError(fc.APIConnectionError, lc.ModelConnectionError):
    """The server could not be reached, or the connection broke."""


class FriendliIncompleteStreamError(fc.IncompleteStreamError, lc.ModelConnectionError):
    """The stream ended early; the output is partial."""


class FriendliStreamError(fc.APIStreamError, lc.ModelAPIError):
    """The stream broke the SSE protocol."""


class FriendliResponseValidationError(fc.APIResponseValidationError, lc.ModelAPIError):
    """A successful response whose body could not be parsed."""


# Most specific first: subclasses are checked before their parents.
_CLASSES: tuple[tuple[type[fc.FriendliError], type[fc.FriendliError]], ...] = (
    (fc.MissingTokenError, FriendliMissingTokenError),
    (fc.InvalidRequestError, FriendliInvalidRequestError),
    (fc.BadRequestError, FriendliBadRequestError),
    (fc.UnprocessableEntityError, FriendliUnprocessableEntityError),
    (fc.AuthenticationError, FriendliAuthenticationError),
    (fc.PermissionDeniedError, FriendliPermissionDeniedError),
    (fc.NotFoundError, FriendliNotFoundError),
    (fc.ConflictError, FriendliConflictError),
    (fc.RateLimitError, FriendliRateLimitError),
    (fc.InternalServerError, FriendliInternalServerError),
    (fc.APIStatusError, FriendliAPIStatusError),
    (fc.APITimeoutError, FriendliTimeoutError),
    (fc.APIConnectionError, FriendliConnectionError),
    (fc.IncompleteStreamError, FriendliIncompleteStreamError),
    (fc.APIStreamError, FriendliStreamError),
    (fc.APIResponseValidationError, FriendliResponseValidationError),
)
_OVERFLOW: dict[type[fc.FriendliError], type[fc.FriendliError]] = {
    FriendliBadRequestError: FriendliContextOverflowError,
    FriendliUnprocessableEntityError: FriendliUnprocessableContextOverflowError,
}
_OVERFLOW_TEXT = re.compile(
    r"context (length|window|size|limit)|maximum context|too many (input )?tokens|"
    r"prompt is too long|exceeds? the (model'?s? )?(maximum|max)",
    re.IGNORECASE,
)
_LANGCHAIN_CLASSES = {cls for _, cls in _CLASSES} | set(_OVERFLOW.values())


def _target_class(error: fc.FriendliError) -> type[fc.FriendliError] | None:
    for core_cls, lc_cls in _CLASSES:
        if isinstance(error, core_cls):
            if lc_cls in _OVERFLOW and isinstance(error, fc.APIStatusError):
                text = error.api_message or error.message
                if _OVERFLOW_TEXT.search(text):
                    return _OVERFLOW[lc_cls]
            return lc_cls
    return None


def reraise(error: fc.FriendliError) -> NoReturn:
    """Raise `error` again as its LangChain-classified subclass (see the module docstring).

    The new exception carries the original's attributes and message, with the original as
    `__cause__`. Errors without a LangChain class, and errors that already are one, are raised
    unchanged.

    Raises:
        FriendliError: Always.
    """
    target = None if type(error) in _LANGCHAIN_CLASSES else _target_class(error)
    if target is None:
        raise error
    converted = target.__new__(target)
    converted.__dict__.update(error.__dict__)
    converted.args = error.args
    raise converted.with_traceback(error.__traceback__) from error


@contextmanager
def translate_errors() -> Iterator[None]:
    """Re-raise any `friendli_core` error raised in the block through `reraise`."""
    try:
        yield
    except fc.FriendliError as error:
        reraise(error)
