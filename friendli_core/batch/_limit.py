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
import contextlib
import time
from collections import deque
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
    """Admits requests while the window has room (one event loop).

    Taking a free slot and giving one back do not wait (no lock): a worker that finishes a
    request and takes the next one does so in the same step of the event loop.
    """

    def __init__(self, maximum: int, clock: Callable[[], float] = time.monotonic) -> None:
        """Create the gate with an `AIMDWindow` of `maximum` slots."""
        self.window = AIMDWindow(maximum)
        self.in_flight = 0
        self.closed = False
        self._clock = clock
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def enter(self) -> bool:
        """Wait for a free slot and take it; False (and no slot) once the gate is closed."""
        while not self.closed and self.in_flight >= self.window.slots:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.cancelled():
                    self._discard(waiter)
                else:  # woken, then cancelled: the wake-up goes to the next waiter
                    self._wake(1)
                raise
        if self.closed:
            return False
        self.in_flight += 1
        return True

    def leave(self) -> None:
        """Give a slot back, and wake as many waiters as there are free slots."""
        self.in_flight -= 1
        self._wake(self.window.slots - self.in_flight)

    def close(self) -> None:
        """Admit nothing more; wake whoever waits."""
        self.closed = True
        self._wake(len(self._waiters))

    def rate_limited(self, sent_at: float) -> None:
        """Note a 429 for a request sent at `sent_at` (a `clock()` reading)."""
        self.window.rate_limited(sent_at, self._clock())

    def succeeded(self) -> None:
        """Note a success (the slot is given back by `leave`, which wakes the waiters)."""
        self.window.succeeded()

    def now(self) -> float:
        """The clock `rate_limited` compares with."""
        return self._clock()

    def _wake(self, count: int) -> None:
        while count > 0 and self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                count -= 1

    def _discard(self, waiter: asyncio.Future[None]) -> None:
        with contextlib.suppress(ValueError):  # already woken
            self._waiters.remove(waiter)
