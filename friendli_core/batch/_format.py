"""The OpenAI batch file formats, read and written (pure: no I/O but the files' lines).

Input, one JSON object per line::

    {"custom_id": "q1", "method": "POST", "url": "/v1/chat/completions", "body": {...}}

Output, one line per finished request, in the order they finish::

    {"id": "batch_req_...", "custom_id": "q1",
     "response": {"status_code": 200, "request_id": "...", "body": {...}} | null,
     "error": null | {"code": "...", "message": "..."}}

`response` is set when the server answered (also with an error status), `error` when the
request failed (an error status, a connection failure after the retries, an invalid line).
"""

from __future__ import annotations

import itertools
import json
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from friendli_core.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APIStreamError,
    APITimeoutError,
    FriendliError,
    InvalidRequestError,
)

__all__ = [
    "URLS",
    "BatchInputError",
    "BatchLine",
    "InvalidLine",
    "Kind",
    "error_code",
    "failure_line",
    "output_line",
    "parse_line",
    "read_done",
    "read_output",
    "scan_input",
    "success_line",
]

Kind = Literal["chat", "completions"]
URLS: Mapping[str, Kind] = {
    "/v1/chat/completions": "chat",
    "/v1/completions": "completions",
}
"""The input `url`s and the endpoint each runs on (also accepted without the `/v1` prefix)."""
MAX_LISTED = 20
"""How many problems a refused input file lists before summing up the rest."""


class BatchInputError(InvalidRequestError):
    """The input or output file cannot be used (malformed lines, duplicate ids); nothing was sent.

    Attributes:
        problems: One `line N: ...` entry per problem found.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        """Create the error with its summary and the problems found."""
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True, slots=True)
class BatchLine:
    """One input request that can be sent."""

    line: int
    custom_id: str
    kind: Kind
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class InvalidLine:
    """One input line with a `custom_id` whose request cannot be sent (recorded as an error)."""

    line: int
    custom_id: str
    message: str


def _load(raw: bytes) -> object:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _custom_id(obj: object) -> str | None:
    if not isinstance(obj, dict):
        return None
    custom_id = obj.get("custom_id")
    return custom_id if isinstance(custom_id, str) and custom_id else None


def _kind(url: object) -> Kind | None:
    if not isinstance(url, str):
        return None
    return URLS.get(url) or URLS.get("/v1" + url)


def parse_line(line: int, raw: bytes) -> BatchLine | InvalidLine | None:
    """Read one input line (1-based `line`); None for a blank line.

    The body is checked here only for what the batch format requires; the core's parameter
    checks run when the request is sent (`InvalidRequestError`, recorded as an error).

    Raises:
        BatchInputError: The line is not a JSON object with a string `custom_id` (`scan_input`
            refuses such files before anything is sent).
    """
    if not raw.strip():
        return None
    obj, custom_id = _identified(line, raw)
    kind = _kind(obj.get("url"))
    body = obj.get("body")
    message = None
    if obj.get("method", "POST") != "POST":
        message = f"method must be POST; got {obj.get('method')!r}."
    elif kind is None:
        message = f"url must be one of {', '.join(URLS)}; got {obj.get('url')!r}."
    elif not isinstance(body, dict):
        message = "body must be a JSON object of request parameters."
    elif body.get("stream"):
        message = "batch requests are not streamed; remove stream from the body."
    if message is not None or not isinstance(body, dict):
        return InvalidLine(line, custom_id, message or "")
    params = {k: v for k, v in body.items() if k != "stream"}  # stream: false is the default
    return BatchLine(line, custom_id, kind, params)  # type: ignore[arg-type]


def _identified(line: int, raw: bytes) -> tuple[dict[str, Any], str]:
    """The line's JSON object and its `custom_id`; what `scan_input` refuses raises here."""
    obj = _load(raw)
    custom_id = _custom_id(obj)
    if custom_id is None:
        msg = f"line {line}: {_shape_problem(obj)}"
        raise BatchInputError(msg)
    assert isinstance(obj, dict)  # noqa: S101 - _custom_id returned a value
    return obj, custom_id


def _shape_problem(obj: object) -> str:
    if obj is None:
        return "not valid JSON."
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {type(obj).__name__}."
    return 'no "custom_id" (a non-empty string) to identify the request.'


def scan_input(lines: Iterable[bytes]) -> tuple[set[str], int]:
    """Check a whole input file before anything is sent: its ids, and how many requests.

    Returns:
        The set of `custom_id`s and the number of requests.

    Raises:
        BatchInputError: Lines that are not JSON objects with a `custom_id`, or ids used twice,
            each listed with its line number (the first `MAX_LISTED`).
    """
    seen: dict[str, int] = {}
    problems: list[str] = []
    head: list[bytes] = []  # the first lines, to tell a JSON document from JSONL
    count = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        if len(head) < _FIRST_LINES:
            head.append(raw.strip())
        try:  # only what `parse_line` refuses; the rest is checked when the line is sent
            _, custom_id = _identified(number, raw)
        except BatchInputError as exc:
            problems.append(str(exc))
            continue
        first = seen.setdefault(custom_id, number)
        if first != number:
            problems.append(f"line {number}: custom_id {custom_id!r} repeats line {first}.")
        count += 1
    if problems:
        listed = problems[:MAX_LISTED]
        if len(problems) > MAX_LISTED:
            listed.append(f"... and {len(problems) - MAX_LISTED} more.")
        msg = (
            f"The input has {len(problems)} problem(s); nothing was sent. Every line must be a "
            'JSON object with a unique "custom_id":\n  ' + "\n  ".join(listed)
        )
        raise BatchInputError(_jsonl_hint(head) + msg, listed)
    return set(seen), count


_FIRST_LINES = 5


def _jsonl_hint(first: list[bytes]) -> str:
    """A paragraph saying the format is JSONL when the first lines are a JSON array/document."""
    if not first:
        return ""
    if first[0].startswith(b"["):
        shape = "a JSON array"
    elif first[0] == b"{" or _spread_object(first):
        shape = "a JSON document spread over several lines"
    else:
        return ""
    return (
        f"The input looks like {shape}, but the format is JSONL: one request per line, each a "
        "JSON object on a line of its own (from a JSON array: jq -c '.[]' in.json > in.jsonl).\n"
    )


def _spread_object(first: list[bytes]) -> bool:
    """`{"key": value,` then `"key": ...`: an object pretty-printed with its first key inline."""
    return (
        len(first) > 1
        and first[0].startswith(b"{")
        and first[1].startswith(b'"')
        and _load(first[0]) is None
        and _load(first[1]) is None
    )


def read_output(lines: Iterator[bytes]) -> tuple[set[str], set[str]]:
    """The `custom_id`s that have a line in an output file, and those whose line is an error.

    Raises:
        BatchInputError: A line that is not a batch output line (not the right file?).
    """
    done: set[str] = set()
    failed: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        obj = _load(raw)
        custom_id = _custom_id(obj) if output_line(obj) else None
        if custom_id is None:
            msg = (
                f"The output file's line {number} is not a batch output line (a JSON object "
                "with custom_id, response and error); is it the right file? Nothing was sent."
            )
            raise BatchInputError(msg)
        done.add(custom_id)
        if isinstance(obj, dict) and obj.get("error") is not None:
            failed.add(custom_id)
    return done, failed


def output_line(obj: object) -> bool:
    """Whether a parsed line is a batch output line: it has `response` and `error`.

    An input line has a custom_id too: a copy of INPUT given as OUTPUT is not taken as done.
    """
    return isinstance(obj, dict) and "response" in obj and "error" in obj


def read_done(lines: Iterator[bytes]) -> set[str]:
    """The `custom_id`s that already have a line in an output file (see `read_output`)."""
    return read_output(lines)[0]


_RUN = secrets.token_hex(6)  # ids are unique across runs by this prefix, within one by a counter
_COUNTER = itertools.count()


def _new_id() -> str:
    return f"batch_req_{_RUN}{next(_COUNTER):010x}"


# one encoder: `json.dumps` with options builds a new encoder per call
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _dumps(value: object) -> str:
    return _ENCODER.encode(value)


def _dump(line: Mapping[str, Any]) -> bytes:
    return _dumps(line).encode("utf-8") + b"\n"


def success_line(custom_id: str, request_id: str | None, body: bytes) -> bytes:
    """The output line of a request that succeeded (newline included).

    Args:
        custom_id: The request's id.
        request_id: The response's `x-request-id`.
        body: The response body as the server sent it: JSON the client has parsed. Line
            breaks in JSON can only be whitespace between tokens, so they become spaces.
    """
    raw = body.strip().replace(b"\r", b" ").replace(b"\n", b" ")
    head = f'{{"id":"{_new_id()}","custom_id":{_dumps(custom_id)},"response":{{"status_code":200,'
    head += f'"request_id":{_dumps(request_id)},"body":'
    return head.encode("utf-8") + raw + b'},"error":null}\n'


_CODES: tuple[tuple[type[FriendliError], str], ...] = (
    (InvalidRequestError, "invalid_request"),
    (APITimeoutError, "timeout"),
    (APIConnectionError, "connection_error"),
    (APIResponseValidationError, "invalid_response"),
    (APIStreamError, "invalid_response"),
)


def error_code(error: FriendliError) -> str:
    """The output's `error.code`: the server's code or type, else the kind of failure."""
    if isinstance(error, APIStatusError):
        for value in (error.code, error.type):
            if isinstance(value, str) and value:
                return value
        return f"http_{error.status_code}"
    return next((code for cls, code in _CODES if isinstance(error, cls)), "error")


def failure_line(custom_id: str, error: FriendliError | str) -> bytes:
    """The output line of a request that failed, or of an invalid line (a message)."""
    response = None
    if isinstance(error, str):
        code, message = "invalid_request", error
    else:
        code, message = error_code(error), str(error)
        if isinstance(error, APIStatusError):
            response = {
                "status_code": error.status_code,
                "request_id": error.request_id,
                "body": error.body,
            }
    line = {
        "id": _new_id(),
        "custom_id": custom_id,
        "response": response,
        "error": {"code": code, "message": message},
    }
    return _dump(line)
