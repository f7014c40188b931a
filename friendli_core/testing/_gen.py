"""Lazy token streams: stop strings, ``max_tokens``, ``min_tokens``, fillers, logprobs (pure).

A reply is an iterator of pieces (see ``_tokens``), generated lazily so a 100,000-token stream
never sits in memory. ``Limited`` applies ``stop`` (truncate at the first occurrence, the stop
string excluded, holding back only as much text as the longest stop string needs) and
``max_tokens`` (``finish_reason`` becomes ``"length"`` when more text was pending), and records
the finish reason once exhausted. The same object drives non-streaming and streaming responses,
so a streamed reply concatenates to exactly the non-streamed one.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Sequence

from friendli_core.testing._tokens import digest, pieces

__all__ = ["Limited", "alternatives", "filler", "logprob_of", "pad_to"]

_WORDS = (  # noqa: SIM905 - a readable sentence
    "the quick local model keeps writing deterministic text so that long streams can be "
    "tested without a real model and every token is predictable"
).split()
_SENTENCE = 12
_ALTERNATIVES = (
    " the",
    " a",
    ",",
    ".",
    " and",
    " of",
    " to",
    " is",
    "\n",
    " in",
    " it",
    " that",
    " for",
    " on",
    " with",
    " as",
    " was",
    " be",
    " at",
    " by",
    " this",
    " or",
)


def filler(seed: int, words: Sequence[str] = ()) -> Iterator[str]:
    """Yield an endless deterministic sequence of word pieces (prompt words first, then a list)."""
    vocabulary = [w for w in words if w] or _WORDS
    start = seed % len(vocabulary)
    plain = [pieces(f" {w}") for w in vocabulary]
    ended = [pieces(f" {w}.") for w in vocabulary]
    for index in itertools.count():
        table = ended if index % _SENTENCE == _SENTENCE - 1 else plain
        yield from table[(start + index) % len(vocabulary)]


def pad_to(
    source: Iterable[str], minimum: int, seed: int, words: Sequence[str] = ()
) -> Iterator[str]:
    """Yield ``source``, then filler pieces until at least ``minimum`` tokens were produced."""
    count = 0
    for piece in source:
        count += 1
        yield piece
    if count < minimum:
        yield from itertools.islice(filler(seed, words), minimum - count)


class Limited:
    """Iterate a piece stream under ``stop`` strings and ``max_tokens``; see the module doc."""

    def __init__(self, source: Iterable[str], stop: Sequence[str], max_tokens: int | None) -> None:
        """Wrap ``source``; ``finish_reason`` is set once the iterator is exhausted."""
        self._source = iter(source)
        self._stops = [s for s in stop if s]
        self._longest = max((len(s) for s in self._stops), default=0)
        self._max = max_tokens
        self.finish_reason: str | None = None
        self.count = 0
        self._iter = self._run()

    def __iter__(self) -> Iterator[str]:
        """Return the limited piece iterator."""
        return self._iter

    def __next__(self) -> str:
        """Return the next piece."""
        return next(self._iter)

    def _cut(self, pending: list[str]) -> tuple[list[str], bool]:
        """Return the pieces before the first stop match (last one partial) and whether found."""
        text = "".join(pending)
        hits = [i for i in (text.find(s) for s in self._stops) if i >= 0]
        if not hits:
            return pending, False
        end = min(hits)
        out: list[str] = []
        offset = 0
        for piece in pending:
            if offset + len(piece) <= end:
                out.append(piece)
            elif offset < end:
                out.append(piece[: end - offset])
            offset += len(piece)
        return out, True

    def _safe_prefix(self, pending: list[str]) -> int:
        """Return how many leading pending pieces cannot be the start of a stop match."""
        total = sum(len(p) for p in pending)
        safe = 0
        for piece in pending:
            if len(piece) - 1 + self._longest > total:
                break
            total -= len(piece)
            safe += 1
        return safe

    def _emit(self, batch: Iterable[str]) -> Iterator[str]:
        for piece in batch:
            if self._max is not None and self.count >= self._max:
                self.finish_reason = "length"
                return
            self.count += 1
            yield piece

    def _run(self) -> Iterator[str]:
        pending: list[str] = []
        for piece in self._source:
            if self._max is not None and self.count >= self._max:
                self.finish_reason = "length"
                return
            pending.append(piece)
            if self._stops:
                kept, found = self._cut(pending)
                if found:
                    yield from self._emit(kept)
                    self.finish_reason = self.finish_reason or "stop"
                    return
                safe = self._safe_prefix(pending)
                batch, pending = pending[:safe], pending[safe:]
            else:
                batch, pending = pending, []
            yield from self._emit(batch)
            if self.finish_reason:
                return
        yield from self._emit(pending)
        self.finish_reason = self.finish_reason or "stop"


def logprob_of(seed: int, position: int, piece: str) -> float:
    """Return a deterministic, plausible log probability in [-0.69, -0.001] for a sampled piece.

    The sampled piece is always the most likely one (probability above 0.5), as with greedy
    decoding, so its alternatives (which share the remaining mass) rank below it.
    """
    unit = (digest(seed, position, piece) % 10_000) / 10_000
    return round(-0.001 - 0.69 * unit * unit, 4)


def alternatives(seed: int, position: int, piece: str, count: int) -> list[tuple[str, float]]:
    """Return ``count`` (token, logprob) pairs: the sampled piece first, then distinct others.

    The probabilities sum to at most 1: alternative ``k`` gets ``(1 - p0) / 2**(k + 1)``.
    """
    if count <= 0:
        return []
    chosen = logprob_of(seed, position, piece)
    out = [(piece, chosen)]
    rest = 1.0 - math.exp(chosen)
    start = digest(seed, position) % len(_ALTERNATIVES)
    pool = [a for a in _ALTERNATIVES[start:] + _ALTERNATIVES[:start] if a != piece]
    for k, token in enumerate(pool[: count - 1]):
        out.append((token, round(math.log(rest / 2 ** (k + 1)), 4)))
    return out
