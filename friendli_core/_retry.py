"""Retry policy (pure): what is retried, and how long to wait.

Retried: connection errors and timeouts, and statuses 408, 409, 429 and >= 500. Never retried:
any other 4xx, invalid requests, and stream errors after the first event was delivered (the
clients only retry before that). The server's `retry-after-ms` or `Retry-After` (seconds or an
HTTP date) is honoured up to `MAX_RETRY_AFTER`; otherwise exponential backoff with jitter,
capped at `max_delay`. The first retry after a connection error (not a timeout) is
immediate: the usual cause is a kept-alive connection that the server closed while idle, which
self-hosted servers (llama.cpp, for one) do right after a stream.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from friendli_core.errors import APIConnectionError, APIStatusError, FriendliError

__all__ = ["RetryPolicy"]

RETRYABLE_STATUSES = frozenset({408, 409, 429})
MAX_RETRY_AFTER = 60.0


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait from `retry-after-ms` or `Retry-After`, or None if absent or invalid.

    Args:
        headers: Response headers (case-insensitive mapping, or lower-case keys).
        now: Current unix time, for HTTP-date values (defaults to the clock).
    """
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            ms = float(raw_ms)
        except ValueError:
            ms = -1.0
        if ms >= 0:
            return ms / 1000.0
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        # email.utils loads socket: imported for the rare HTTP-date form only
        from email.utils import parsedate_to_datetime  # noqa: PLC0415

        try:
            when = parsedate_to_datetime(raw).timestamp()
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when - (time.time() if now is None else now)
    return max(seconds, 0.0)


def is_retryable(error: FriendliError) -> bool:
    """Whether an error may be retried."""
    if isinstance(error, APIStatusError):
        return error.status_code in RETRYABLE_STATUSES or error.status_code >= 500  # noqa: PLR2004
    return isinstance(error, APIConnectionError)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with backoff.

    Attributes:
        max_retries: Retries after the first attempt.
        initial_delay: Backoff base in seconds.
        max_delay: Backoff cap in seconds.
        random: Source of jitter in [0, 1) (replaceable for tests).
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    random: Callable[[], float] = field(default=random.random, repr=False)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff for a 0-based attempt number, with up to 25% jitter removed."""
        delay = min(self.initial_delay * (2.0**attempt), self.max_delay)
        return delay * (1.0 - 0.25 * self.random())

    def delay(self, attempt: int, error: FriendliError) -> float | None:
        """Seconds to wait before retrying after `error`, or None to give up and raise it.

        Args:
            attempt: How many retries were already made (0 after the first failure).
            error: The error of the last attempt.
        """
        if attempt >= self.max_retries or not is_retryable(error):
            return None
        told = error.retry_after if isinstance(error, APIStatusError) else None
        if told is not None and told <= MAX_RETRY_AFTER:
            return told
        if attempt == 0 and type(error) is APIConnectionError:
            return 0.0  # most often a kept-alive connection the server had closed: resend now
        return self.backoff(attempt)
