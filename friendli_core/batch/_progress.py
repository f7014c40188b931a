"""Progress on stderr: a tqdm bar on a terminal, plain periodic lines otherwise.

tqdm (the `batch` extra) draws the bar; without it, or when the stream is not a terminal (a
log file, CI), a line like ``friendli-batch: 1200/10000 done, 3 failed, 85.1 req/s, ETA 1m43s``
is printed every `interval` seconds.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Protocol

from friendli_core._extras import EXTRAS, installed, require
from friendli_core.usage import CostTally, ModelTotals

__all__ = ["BatchResult", "PlainProgress", "Progress", "cost_lines", "make_progress", "usd"]

PLAIN_INTERVAL = 10.0
"""Seconds between plain progress lines."""
NO_BAR = (
    "friendli-batch: progress as plain lines; for a progress bar, "
    f'pip install "friendli-integrations[{EXTRAS["tqdm"]}]"'
)
"""Said on a terminal without tqdm, where a bar would be drawn."""


@dataclass
class BatchResult:
    """What a batch run did (this run only; lines already in the output are `skipped`).

    Attributes:
        output: The output file.
        total: Requests in the input.
        skipped: Requests that already had a line in the output (resumed runs).
        succeeded: Requests answered with a reply.
        failed: Requests recorded with an error (invalid lines included).
        usage: Tokens and estimated cost of the replies, from each reply's `usage` and the
            model's catalog prices (`friendli_core.usage.CostTally`): `prompt_tokens`,
            `prompt_tokens_cached`, `completion_tokens`, `reasoning_tokens`, `total_tokens`,
            `cost` (exact `Decimal` USD of the priced replies; `total_cost` as a float),
            `unpriced_requests` (replies whose cost is unknown) and `per_model`.
        seconds: Wall time of the run.
        interrupted: Stopped (SIGINT/SIGTERM) before every request had a line.
        lowest_concurrency: The smallest concurrency window reached (429 back-off).
        earlier_failed: Requests of the input with an error line from earlier runs.
        stopped: Why the run stopped early (the endpoint could not be reached), else "".
        token_refused: Requests of this run refused with 401 or 403 (the token or the team).
        token_variable: Where the endpoint kind reads its token (`FRIENDLI_TOKEN`, or
            `OPENAI_COMPATIBLE_API_KEY` for "openai-compatible").
    """

    output: Path
    total: int = 0
    skipped: int = 0
    succeeded: int = 0
    failed: int = 0
    usage: CostTally = field(default_factory=CostTally)
    seconds: float = 0.0
    interrupted: bool = False
    lowest_concurrency: int = 0
    earlier_failed: int = 0
    stopped: str = ""
    token_refused: int = 0
    token_variable: str = "FRIENDLI_TOKEN"  # noqa: S105 - a variable's name, not a secret

    @property
    def _token_kind(self) -> str:
        if self.token_variable != "FRIENDLI_TOKEN":  # noqa: S105 - a variable's name
            return "key of the server"
        return "Friendli personal access token (FRIENDLI_TEAM or --team-id for a team)"

    @property
    def errors(self) -> int:
        """Requests whose line in the output is an error, from this run and earlier ones."""
        return self.earlier_failed + self.failed

    @property
    def prompt_tokens(self) -> int:
        """Sum of `usage.prompt_tokens` of the replies (cached tokens included)."""
        return self.usage.prompt_tokens

    @property
    def completion_tokens(self) -> int:
        """Sum of `usage.completion_tokens` of the replies."""
        return self.usage.completion_tokens

    @property
    def estimated_cost(self) -> Decimal:
        """USD cost of the priced replies (`usage.cost`), as printed by the summary."""
        return self.usage.cost

    @property
    def done(self) -> int:
        """Requests with a line in the output, from this run and earlier ones."""
        return self.skipped + self.succeeded + self.failed

    @property
    def remaining(self) -> int:
        """Requests without a line in the output."""
        return self.total - self.done

    def summary(self) -> str:
        """A few lines for the end of a run."""
        rate = (self.succeeded + self.failed) / self.seconds if self.seconds > 0 else 0.0
        state = "Interrupted" if self.interrupted else "Stopped" if self.stopped else "Finished"
        lines = [
            (
                f"{state}: {self.done}/{self.total} requests have a line in {self.output} "
                f"({self.succeeded} succeeded, {self.failed} failed, "
                f"{self.skipped} from earlier runs)."
            ),
            *cost_lines(self.usage),
            f"Wall time: {_duration(self.seconds)} ({rate:.1f} requests/s).",
        ]
        if self.lowest_concurrency:
            lines.append(f"Rate limited: concurrency went down to {self.lowest_concurrency}.")
        if self.stopped:
            lines.append(self.stopped)
        if self.token_refused:  # every request would fail alike: say what to fix first
            lines.append(
                f"{self.token_refused} request(s) were refused with 401/403: the token (or team) "
                f"was not accepted. Set {self.token_variable} to a valid {self._token_kind}, "
                "then retry the failed requests."
            )
        if self.errors:
            lines.append(
                f"{self.errors} request(s) have an error line in {self.output}; to send them "
                "again, run the same command with --retry-failed."
            )
        return "\n".join(lines)


def usd(amount: Decimal) -> str:
    """`amount` in plain decimal notation (never `1E-7`), exact."""
    return f"${amount.normalize():f}" if amount else "$0"


def _tokens(totals: ModelTotals) -> str:
    return (
        f"{totals.prompt_tokens} prompt ({totals.prompt_tokens_cached} cached) + "
        f"{totals.completion_tokens} completion = {totals.total_tokens} tokens"
    )


def _count(number: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number} {noun if number == 1 else plural}"


def _priced(totals: ModelTotals, noun: str) -> str:
    unpriced = totals.unpriced_requests
    if unpriced and unpriced == totals.successful_requests:
        return "unknown (no catalog price)"
    if not unpriced:
        return usd(totals.cost)
    return f"{usd(totals.cost)} ({_count(unpriced, 'unpriced ' + noun)} not included)"


def cost_lines(usage: CostTally, noun: str = "reply") -> list[str]:
    """The summary's token and cost lines: the totals, then one line per model."""
    lines = [f"Tokens: {_tokens(usage)}", f"Estimated cost: {_priced(usage, noun)}"]
    lines.extend(
        f"  {model or '(no model)'}: {_count(totals.successful_requests, noun)}, "
        f"{_tokens(totals)}, cost {_priced(totals, noun)}"
        for model, totals in sorted(usage.per_model.items())
    )
    return lines


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    return f"{minutes}m{secs:02d}s" if minutes else f"{seconds:.1f}s"


class Progress(Protocol):
    """Receives one call per finished request."""

    def update(self, *, failed: bool) -> None:
        """A request finished (with a line written)."""

    def note(self, text: str) -> None:
        """Show a message (an invalid line, a resume note) without breaking the display."""

    def close(self) -> None:
        """The run ended."""


class PlainProgress:
    """A line every `interval` seconds (checked as requests finish)."""

    def __init__(
        self,
        total: int,
        done: int,
        stream: IO[str],
        *,
        interval: float = PLAIN_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start counting from `done` of `total`."""
        self._total, self._start_done, self._done, self._failed = total, done, done, 0
        self._stream, self._interval, self._clock = stream, interval, clock
        self._started = self._last = clock()

    def update(self, *, failed: bool) -> None:
        """Count a finished request; print a line when `interval` has passed."""
        self._done += 1
        self._failed += failed
        now = self._clock()
        if now - self._last >= self._interval:
            self._last = now
            self._print(now)

    def line(self, now: float) -> str:
        """The progress line at time `now`."""
        rate = (self._done - self._start_done) / max(now - self._started, 1e-9)
        eta = f"ETA {_duration((self._total - self._done) / rate)}" if rate > 0 else "ETA ?"
        return (
            f"friendli-batch: {self._done}/{self._total} done, {self._failed} failed, "
            f"{rate:.1f} req/s, {eta}"
        )

    def _print(self, now: float) -> None:
        self.note(self.line(now))

    def note(self, text: str) -> None:
        """Print a line."""
        print(text, file=self._stream, flush=True)

    def close(self) -> None:
        """Nothing to release (the summary follows)."""


class _Bar:
    def __init__(self, total: int, done: int, stream: IO[str]) -> None:
        from tqdm import tqdm  # noqa: PLC0415 - optional: the `batch` extra

        self._bar: Any = tqdm(
            total=total, initial=done, file=stream, unit="req", desc="friendli-batch", smoothing=0.1
        )
        self._failed = 0
        self._stream = stream

    def update(self, *, failed: bool) -> None:
        if failed:
            self._failed += 1
            self._bar.set_postfix(failed=self._failed, refresh=False)
        self._bar.update(1)

    def note(self, text: str) -> None:
        self._bar.write(text, file=self._stream)

    def close(self) -> None:
        self._bar.close()


def make_progress(
    total: int, done: int, *, stream: IO[str] | None = None, bar: bool | None = None
) -> Progress:
    """The progress display: a bar when `bar` (default: `stream` is a terminal and tqdm is there).

    Args:
        total: Requests in the input.
        done: Requests that already have a line in the output.
        stream: Where to write (default stderr).
        bar: Force (True) or refuse (False) the bar; None decides from the stream.
    """
    stream = stream or sys.stderr
    if bar:
        require("the progress bar", "tqdm")
    elif bar is None and stream.isatty():
        bar = installed("tqdm")
        if not bar:
            print(NO_BAR, file=stream, flush=True)
    return _Bar(total, done, stream) if bar else PlainProgress(total, done, stream)
