"""Shared by the cost tests: a priced snapshot model, long shared prompts, the expected bill.

The expected bill is computed here by hand from the snapshot's flat prices (not by
`friendli_core.pricing`), so a test comparing it with a handler's total checks the rule too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal

from friendli_core.catalog import ModelInfo, ModelPricing, known_model, known_models
from friendli_core.pricing import UsageCounts
from friendli_core.testing._cache import MIN_TOKENS

DEFAULT = "deepseek-ai/DeepSeek-V3.2"


def priced_model() -> ModelInfo:
    """The default model when the snapshot prices it, else the first priced snapshot model."""
    default = known_model(DEFAULT)
    if default is not None and isinstance(default.pricing, ModelPricing):
        return default
    return next(m for m in known_models() if isinstance(m.pricing, ModelPricing))


def unpriced_model() -> str:
    """A model served locally that no catalog prices (its cost is unknown)."""
    return "friendli-local-model"


def long_system_prompt() -> str:
    """A system prompt long enough for the local server's prompt cache, unique to the caller."""
    tag = uuid.uuid4().hex[:8]
    return "You answer briefly." + "".join(f" rule{tag}{i}" for i in range(MIN_TOKENS + 64))


def expected_cost(info: ModelInfo, usages: Iterable[UsageCounts]) -> Decimal:
    """Sum of each usage times the entry's flat prices (cached at input_cache_read)."""
    assert isinstance(info.pricing, ModelPricing)
    prices = info.pricing
    assert prices.input is not None
    assert prices.output is not None
    input_price, output_price = Decimal(prices.input), Decimal(prices.output)
    cached_price = Decimal(prices.input_cache_read or prices.input)
    total = Decimal(0)
    for usage in usages:
        total += usage.cached_tokens * cached_price
        total += (usage.prompt_tokens - usage.cached_tokens) * input_price
        total += usage.completion_tokens * output_price
    return total
