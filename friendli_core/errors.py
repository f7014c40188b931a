"""Typed errors raised by `friendli_core`.

Every error the core raises is a `FriendliError`. The hierarchy::

    FriendliError
    ├── InvalidRequestError          bad parameters or configuration, raised before sending
    │   └── MissingTokenError        no token for serverless/dedicated (set FRIENDLI_TOKEN)
    ├── StreamConsumedError          a `Stream` iterated a second time (it is read once)
    └── APIError                     anything that happened talking to the server
        ├── APIConnectionError       the request or the stream could not be completed
        │   └── APITimeoutError      a connect/read/write/pool timeout
        ├── APIResponseValidationError   a 2xx body that is not the expected JSON
        ├── APIStreamError           a stream that broke the protocol (malformed event,
        │   │                        ended without `[DONE]` or a finish_reason)
        │   └── IncompleteStreamError
        └── APIStatusError           the server answered with an error status, or sent an
            │                        `error` event mid-stream (status taken from its code)
            ├── BadRequestError              400
            ├── AuthenticationError          401
            ├── PermissionDeniedError        403
            ├── NotFoundError                404
            ├── ConflictError                409
            ├── UnprocessableEntityError     422
            ├── RateLimitError               429
            └── InternalServerError          >= 500

`APIStatusError` carries `status_code`, `request_id`, `body` (parsed JSON or text), and the
server's `message`, `type` and `code` parsed from the body. Match on classes and fields, never on
message text. No error message or repr contains the API token: messages are built only from the
status, the request path and the server's own message.

Every error pickles as itself (class, message and every attribute), so one raised in a
`multiprocessing` worker or a Ray task reaches the parent as the same class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APIStreamError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "FriendliError",
    "IncompleteStreamError",
    "InternalServerError",
    "InvalidRequestError",
    "MissingTokenError",
    "ModelNotListedError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "StreamConsumedError",
    "UnprocessableEntityError",
    "UnsupportedEndpointError",
    "make_status_error",
    "parse_error_body",
]


def _restore(cls: type[FriendliError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """Rebuild a pickled error without calling its `__init__` (see `FriendliError`)."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class FriendliError(Exception):
    """Base class of every error raised by `friendli_core`."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the same class with the same message and attributes.

        `Exception` pickles as `cls(*args)`, which fails for errors whose `__init__` takes
        keyword-only fields (`status_code`, ...): a `multiprocessing` pool whose worker raised
        one would hang, and Ray would report it as unserializable.
        """
        return (_restore, (type(self), self.args, self.__dict__))


class StreamConsumedError(FriendliError, RuntimeError):
    """A stream was iterated a second time: a stream is read once."""


class InvalidRequestError(FriendliError, ValueError):
    """The request parameters or the client configuration are invalid; nothing was sent."""


class MissingTokenError(InvalidRequestError):
    """No token is configured for an endpoint that needs one; nothing was sent."""


class UnsupportedEndpointError(InvalidRequestError):
    """The endpoint does not offer this operation (e.g. `/chat/render` on a container)."""


class ModelNotListedError(FriendliError, LookupError):
    """The server's model catalog does not list the requested model."""


class APIError(FriendliError):
    """An error while talking to the API.

    Attributes:
        message: Human-readable description.
        method: HTTP method of the request, when known.
        path: URL path of the request, when known (never the query or credentials).
    """

    def __init__(self, message: str, *, method: str | None = None, path: str | None = None) -> None:
        """Create the error with its message and the request it concerns."""
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path


class APIConnectionError(APIError):
    """The connection failed or broke before the response was complete."""


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write or pool)."""


class APIResponseValidationError(APIError):
    """A successful response whose body could not be parsed."""


class APIStreamError(APIError):
    """A streamed response broke the SSE protocol (malformed event or unexpected data)."""


class IncompleteStreamError(APIStreamError):
    """The stream ended without `[DONE]` or without a finish_reason: the output is partial."""


class APIStatusError(APIError):
    """The server answered with an error status (or an `error` event mid-stream).

    Attributes:
        status_code: The HTTP status (for a mid-stream error event: the code it carries).
        request_id: The `x-request-id` response header, if any.
        body: The parsed JSON body, or its text when not JSON.
        api_message: The server's message, parsed from the body.
        type: The server's error type, if given.
        code: The server's error code, if given.
        retry_after: Seconds the server asked to wait (`retry-after-ms` / `Retry-After`).
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        request_id: str | None = None,
        body: object = None,
        api_message: str | None = None,
        type: str | None = None,  # noqa: A002 - mirrors the API's field name
        code: object = None,
        retry_after: float | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        """Create the error from the parsed parts of the response."""
        super().__init__(message, method=method, path=path)
        self.status_code = status_code
        self.request_id = request_id
        self.body = body
        self.api_message = api_message
        self.type = type
        self.code = code
        self.retry_after = retry_after

    def __repr__(self) -> str:
        """Show the class, status, request id and message."""
        return (
            f"{type(self).__name__}(status_code={self.status_code}, "
            f"request_id={self.request_id!r}, message={self.message!r})"
        )


class BadRequestError(APIStatusError):
    """400: the server rejected the request."""


class AuthenticationError(APIStatusError):
    """401: the token is missing, wrong or expired."""


class PermissionDeniedError(APIStatusError):
    """403: the token may not use this model, endpoint or team."""


class NotFoundError(APIStatusError):
    """404: unknown model, endpoint ID or path."""


class ConflictError(APIStatusError):
    """409: a conflicting request (retried)."""


class UnprocessableEntityError(APIStatusError):
    """422: the body is well-formed JSON but fails validation."""


class RateLimitError(APIStatusError):
    """429: too many requests or tokens (retried, honouring Retry-After)."""


class InternalServerError(APIStatusError):
    """5xx: the server failed (retried)."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def _error_class(status: int) -> type[APIStatusError]:
    if status >= 500:  # noqa: PLR2004
        return InternalServerError
    return _STATUS_ERRORS.get(status, APIStatusError)


def _detail_text(detail: object) -> str | None:
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, Mapping):
                where = item.get("loc")
                loc = ".".join(map(str, where)) if isinstance(where, list | tuple) else ""
                loc = where if isinstance(where, str) else loc
                parts.append(f"{loc}: {item.get('msg', '')}".strip(": "))
            else:
                parts.append(str(item))
        return "; ".join(parts) or None
    return None


def parse_error_body(body: object) -> tuple[str | None, str | None, object]:
    """Read `(message, type, code)` from an error body.

    Order: `message`, then `error.message` (OpenAI style), then `detail` (FastAPI style).

    Args:
        body: The parsed JSON body (or text).

    Returns:
        The server's message, error type and code; each may be None.
    """
    if isinstance(body, str):
        return (body.strip() or None), None, None
    if not isinstance(body, Mapping):
        return None, None, None
    error = body.get("error")
    err: Mapping[str, Any] = error if isinstance(error, Mapping) else {}
    message = body.get("message")
    if not isinstance(message, str):
        message = err.get("message") if isinstance(err.get("message"), str) else None
    if message is None and isinstance(error, str):
        message = error
    if message is None:
        message = _detail_text(body.get("detail"))
    etype = err.get("type", body.get("type"))
    code = err.get("code", body.get("code"))
    return message, (etype if isinstance(etype, str) else None), code


def make_status_error(
    status: int,
    body: object,
    *,
    request_id: str | None = None,
    retry_after: float | None = None,
    method: str | None = None,
    path: str | None = None,
    hint: str = "",
) -> APIStatusError:
    """Build the typed error for an error status (or a mid-stream error event).

    Args:
        status: HTTP status code.
        body: Parsed JSON body, or the text when it is not JSON.
        request_id: The `x-request-id` header.
        retry_after: Seconds the server asked to wait, if any.
        method: The request method.
        path: The request path.
        hint: What to do about it, added to the message.

    Returns:
        An instance of the `APIStatusError` subclass for the status.
    """
    api_message, etype, code = parse_error_body(body)
    where = f" for {method} {path}" if method and path else ""
    text = f"Friendli API error {status}{where}: {api_message or 'no message in the response'}"
    if request_id:
        text += f" (request id {request_id})"
    if hint:
        text += f". {hint}"
    return _error_class(status)(
        text,
        status_code=status,
        request_id=request_id,
        body=body,
        api_message=api_message,
        type=etype,
        code=code,
        retry_after=retry_after,
        method=method,
        path=path,
    )
