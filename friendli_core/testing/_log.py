"""The thread-safe log of requests the local server received (pure).

Secrets never enter the log: the ``authorization`` header is stored masked
(``"Bearer flp_…abcd"``, or ``"Bearer ***"`` for short tokens); ``RecordedRequest.token_sha256``
keeps the SHA-256 of the bearer token so tests can still check which token was sent
(``token_matches``), and ``auth_ok`` records whether the server accepted it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RecordedRequest", "RequestLog", "bearer_token", "mask_authorization"]

_MIN_MASKABLE = 12


def bearer_token(value: str | None) -> str | None:
    """Return the token of an ``Authorization: Bearer <token>`` value, or ``None``."""
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def mask_authorization(value: str) -> str:
    """Return a masked form of an Authorization header value that is safe to print."""
    token = bearer_token(value)
    if token is None:
        return "***"
    if len(token) < _MIN_MASKABLE:
        return "Bearer ***"
    return f"Bearer {token[:4]}…{token[-4:]}"


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class RecordedRequest:
    """One received request: method, path, lower-case headers (auth masked), parsed body."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: Any
    token_sha256: str | None = None
    auth_ok: bool | None = None
    request_id: str = ""
    query: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: Any,
        **extra: Any,
    ) -> RecordedRequest:
        """Record a request, masking its Authorization header and hashing its token."""
        lowered = {k.lower(): v for k, v in headers.items()}
        token = bearer_token(lowered.get("authorization"))
        if "authorization" in lowered:
            lowered["authorization"] = mask_authorization(lowered["authorization"])
        digest = _sha256(token) if token is not None else None
        return cls(method, path, lowered, body, token_sha256=digest, **extra)

    def token_matches(self, token: str) -> bool:
        """Return whether the request carried ``Authorization: Bearer <token>``."""
        return self.token_sha256 is not None and self.token_sha256 == _sha256(token)

    @property
    def team(self) -> str | None:
        """Return the ``X-Friendli-Team`` header, if sent."""
        return self.headers.get("x-friendli-team")


class RequestLog:
    """A thread-safe, append-only list of ``RecordedRequest`` with ``last`` and ``clear()``."""

    def __init__(self) -> None:
        """Create an empty log."""
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []

    def append(self, request: RecordedRequest) -> None:
        """Add a request."""
        with self._lock:
            self._items.append(request)

    def clear(self) -> None:
        """Forget every recorded request."""
        with self._lock:
            self._items.clear()

    def snapshot(self) -> list[RecordedRequest]:
        """Return a copy of the recorded requests, oldest first."""
        with self._lock:
            return list(self._items)

    @property
    def last(self) -> RecordedRequest:
        """Return the most recent request; raise ``LookupError`` if none was recorded."""
        with self._lock:
            if not self._items:
                msg = "no request was recorded"
                raise LookupError(msg)
            return self._items[-1]

    def __len__(self) -> int:
        """Return the number of recorded requests."""
        with self._lock:
            return len(self._items)

    def __iter__(self) -> Iterator[RecordedRequest]:
        """Iterate over a snapshot of the recorded requests."""
        return iter(self.snapshot())

    def __getitem__(self, index: int) -> RecordedRequest:
        """Return the request at ``index`` (negative indexes count from the end)."""
        with self._lock:
            return self._items[index]
