"""Token and cost totals over many requests: `CostTally` (thread-safe) and `ModelTotals`.

One tally backs LangChain's `get_friendli_callback()`, LlamaIndex's `FriendliCostHandler` and
friendli-batch's summary, so all three report the same attribute names, the names of
langchain-community's `get_openai_callback()`: `prompt_tokens`, `prompt_tokens_cached`,
`completion_tokens`, `reasoning_tokens`, `total_tokens`, `successful_requests` and
`total_cost` (float USD of the priced requests), plus `unpriced_requests` (requests whose
cost is unknown: see `friendli_core.pricing`) and `per_model`. `cost` is the exact `Decimal`.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from friendli_core.pricing import UsageCounts

__all__ = ["CostTally", "ModelTotals"]


class ModelTotals:
    """Totals of the requests added so far (also the per-model entries of a `CostTally`).

    Class-level defaults (immutable values) let a pydantic model inherit these as fields.
    """

    prompt_tokens: int = 0
    """Prompt tokens, cached ones included."""
    prompt_tokens_cached: int = 0
    """Prompt tokens the server read from its prompt cache."""
    completion_tokens: int = 0
    """Completion tokens, reasoning ones included."""
    reasoning_tokens: int = 0
    """Reasoning tokens (part of `completion_tokens`)."""
    total_tokens: int = 0
    """Prompt plus completion tokens."""
    successful_requests: int = 0
    """Requests the server answered with a usage."""
    unpriced_requests: int = 0
    """Successful requests whose cost is unknown (not part of `cost`)."""
    cost: Decimal = Decimal(0)
    """Exact cost in USD of the priced requests."""

    @property
    def total_cost(self) -> float:
        """Cost in USD of the priced requests, as a float (as `get_openai_callback` gives it)."""
        return float(self.cost)

    def _count(self, usage: UsageCounts, cost: Decimal | None) -> None:
        self.prompt_tokens += usage.prompt_tokens
        self.prompt_tokens_cached += usage.cached_tokens
        self.completion_tokens += usage.completion_tokens
        self.reasoning_tokens += usage.reasoning_tokens
        self.total_tokens += usage.total_tokens
        self.successful_requests += 1
        if cost is None:
            self.unpriced_requests += 1
        else:
            self.cost += cost

    def __repr__(self) -> str:
        """The counts and the exact cost on one line."""
        return (
            f"{type(self).__name__}(successful_requests={self.successful_requests}, "
            f"unpriced_requests={self.unpriced_requests}, prompt_tokens={self.prompt_tokens}, "
            f"prompt_tokens_cached={self.prompt_tokens_cached}, "
            f"completion_tokens={self.completion_tokens}, cost={self.cost!r})"
        )

    def __str__(self) -> str:
        """The totals, one per line, as `get_openai_callback` prints them (plus unpriced)."""
        return (
            f"Tokens Used: {self.total_tokens}\n"
            f"\tPrompt Tokens: {self.prompt_tokens}\n"
            f"\t\tPrompt Tokens Cached: {self.prompt_tokens_cached}\n"
            f"\tCompletion Tokens: {self.completion_tokens}\n"
            f"\t\tReasoning Tokens: {self.reasoning_tokens}\n"
            f"Successful Requests: {self.successful_requests}\n"
            f"\tUnpriced Requests: {self.unpriced_requests}\n"
            f"Total Cost (USD): ${self.total_cost}"
        )


# One lock for every tally: an addition takes a microsecond, and a tally without a lock of its
# own pickles and deep-copies (`dataclasses.asdict` of a batch result) like plain data.
_LOCK = threading.Lock()


class CostTally(ModelTotals):
    """Totals over every request added, overall and `per_model`; safe across threads."""

    _per_model: dict[str, ModelTotals]

    def __init__(self) -> None:
        """Start at zero."""
        self._start_tally()

    def _start_tally(self) -> None:
        self._per_model = {}

    def add(self, model: str | None, usage: UsageCounts, cost: Decimal | None) -> None:
        """Count one answered request of `model` (cost None: unknown)."""
        with _LOCK:
            self._count(usage, cost)
            entry = self._per_model.get(model or "")
            if entry is None:
                entry = self._per_model[model or ""] = ModelTotals()
            entry._count(usage, cost)  # noqa: SLF001 - the same class's bookkeeping

    @property
    def per_model(self) -> dict[str, ModelTotals]:
        """The totals of each model (by the model code requested; "" when none was named)."""
        with _LOCK:
            return dict(self._per_model)
