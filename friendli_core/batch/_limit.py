"""Adaptive concurrency: additive increase, multiplicative decrease (AIMD), as TCP does.

The rule, in `AIMDWindow`:

* the window starts at the maximum (`--concurrency`);
* a 429 response halves it (never below 1), once per round trip: a 429 for a request sent
  before the last halving does not halve again (those requests were sent into the old window);
* each success adds `1 / window`, so a whole window of successes adds one slot, up to the
  maximum.

`Gate` admits a new request only while fewer than `int(window)` are in flight; requests
already in flight (also those waiting out a Retry-After) keep their slot until they finish,
so the number in flight shrinks as they do.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

__all__ = ["AIMDWindow", "Gate"]


class AIMDWindow:
    """The window of allowed requests in flight (pure: the caller passes the times)."""

    def __init__(self, maximum: int) -> None:
        """Start with `maximum` slots."""
        if maximum < 1:
            msg = f"concurrency must be >= 1; got {maximum}"
            raise ValueError(msg)
        self.maximum = maximum
        self.window = float(maximum)
        self.lowest = maximum
        self._halved_at = float("-inf")

    @property
    def slots(self) -> int:
        """How many requests may be in flight now."""
        return int(self.window)

    def rate_limited(self, sent_at: float, now: float) -> None:
        """A request sent at `sent_at` got a 429 at `now`: halve, once per round trip."""
        if sent_at < self._halved_at:
            return
        self.window = max(1.0, self.window / 2)
        self.lowest = min(self.lowest, self.slots)
        self._halved_at = now

    def succeeded(self) -> None:
        """A request succeeded: grow by one slot per window of successes."""
        self.window = min(float(self.maximum), self.window + 1.0 / self.window)


class Gate:
    """Admits requests while the window has room (one event loop)."""

    def __init__(self, maximum: int, clock: Callable[[], float] = time.monotonic) -> None:
        """Create the gate with an `AIMDWindow` of `maximum` slots."""
        self.window = AIMDWindow(maximum)
        self.in_flight = 0
        self.closed = False
        self._clock = clock
        self._changed = asyncio.Condition()

    async def enter(self) -> bool:
        """Wait for a free slot and take it; False (and no slot) once the gate is closed."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.closed or self.in_flight < self.window.slots)
            if self.closed:
                return False
            self.in_flight += 1
            return True

    async def leave(self) -> None:
        """Give a slot back."""
        async with self._changed:
            self.in_flight -= 1
            self._changed.notify_all()

    async def close(self) -> None:
        """Admit nothing more; wake whoever waits."""
        async with self._changed:
            self.closed = True
            self._changed.notify_all()

    def rate_limited(self, sent_at: float) -> None:
        """Note a 429 for a request sent at `sent_at` (a `clock()` reading)."""
        self.window.rate_limited(sent_at, self._clock())

    def succeeded(self) -> None:
        """Note a success (the slot is given back by `leave`, which wakes the waiters)."""
        self.window.succeeded()

    def now(self) -> float:
        """The clock `rate_limited` compares with."""
        return self._clock()
