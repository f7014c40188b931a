"""Stop a run that cannot reach its endpoint (pure: the runner reports outcomes).

A request that fails with a connection error (after its retries) was never answered. Its error
line is held back until a request is answered (any reply, an error status too, shows that the
endpoint is reachable): then the held lines are written. After `STOP_AFTER` unanswered requests
in a row, the run stops: the held lines are dropped, so those requests have no line in OUTPUT
and running the same command again (after fixing the URL or the network) sends them, with no
flag needed.
"""

from __future__ import annotations

__all__ = ["STOP_AFTER", "ConnectionBreaker"]

STOP_AFTER = 10
"""Unanswered requests (connection errors after the retries) in a row that stop a run."""


class ConnectionBreaker:
    """Counts unanswered requests in a row; holds their lines until one is answered."""

    def __init__(self, limit: int = STOP_AFTER) -> None:
        """Stop after `limit` unanswered requests in a row."""
        self.limit = limit
        self.tripped = False
        self._held: list[bytes] = []

    def unanswered(self, line: bytes) -> bool:
        """Hold the error line of an unanswered request; True when this one stops the run."""
        if self.tripped:
            return False
        self._held.append(line)
        if len(self._held) < self.limit:
            return False
        self.tripped = True
        self._held.clear()
        return True

    def release(self) -> list[bytes]:
        """The held lines to write now (a request was answered, or the run ended).

        None once the run has stopped: those requests get no line.
        """
        held, self._held = self._held, []
        return held
