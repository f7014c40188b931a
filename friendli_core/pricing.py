"""What one request costs: Friendli's per-token prices applied to the server's `usage` (pure).

The rule (`usage_cost`), for one model's catalog entry (`ModelInfo`):

- cached prompt tokens (`prompt_tokens_details.cached_tokens`) at `input_cache_read` when the
  entry gives it, else at `input`; the other prompt tokens at `input`;
- completion tokens, reasoning tokens included (they are part of `completion_tokens`), at
  `output`;
- plus the per-request price (`request`) when the entry has one;
- the whole times `1 - discount_to_user` when the entry gives a discount.

`pricing` takes every shape of the spec: flat (`PricingModel`: `input`/`output`, or their
aliases `prompt`/`completion`), one `OpenRouterPricingTier`, or a list of tiers
(`ModelInfo.pricing_tiers`), of which the one with the largest `min_context` at or below the
prompt tokens applies (the per-request price is given on the base tier only). Prices of other
modalities (`image`, `audio_minute`) are not token prices and do not enter a token bill.
Arithmetic is `Decimal`.

Anything the rule cannot price exactly gives None ("unknown"), never 0 and never a guess: no
entry, no pricing, a missing or unreadable price, a key the rule does not know, no tier for
the prompt's size, a discount outside [0, 1], or usage that does not add up.

Which entry prices a model (`priced_entry`): only the serverless endpoint is priced per token
(dedicated endpoints and containers are billed by the hour), from the live catalog when the
model was resolved with `from_server` in this process (`remember_served`), else from the
packaged snapshot (`friendli_core.known_models()`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from friendli_core.catalog import ModelInfo

__all__ = [
    "UsageCounts",
    "priced_entry",
    "pricing_cost",
    "remember_served",
    "usage_cost",
]

# Keys of a price entry the rule knows: token prices, the per-request price, the tier bound,
# and prices of other modalities, which a token bill leaves out.
_TOKEN_KEYS = frozenset({"input", "output", "prompt", "completion", "input_cache_read"})
_KNOWN_KEYS = _TOKEN_KEYS | {"request", "min_context", "image", "audio_minute"}

_served: dict[str, ModelInfo] = {}
_read: dict[int, tuple[ModelInfo, _Schedule | None]] = {}
_READ_LIMIT = 1024
_served_lock = threading.Lock()


class UsageCounts(NamedTuple):
    """The token counts of one response (`reasoning_tokens` are part of `completion_tokens`)."""

    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int = 0
    reasoning_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens

    @classmethod
    def from_usage(cls, usage: Any) -> UsageCounts:
        """Read the server's `usage` object (OpenAI shape, details included): dict or typed."""
        prompt = _field(_field(usage, "prompt_tokens_details"), "cached_tokens")
        completion = _field(_field(usage, "completion_tokens_details"), "reasoning_tokens")
        return cls(
            int(_field(usage, "prompt_tokens") or 0),
            int(_field(usage, "completion_tokens") or 0),
            int(prompt or 0),
            int(completion or 0),
        )


def _field(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):  # the common cases first: no ABC check, no attribute miss
        return obj.get(name)
    if isinstance(obj, Mapping):
        return obj.get(name)
    if not hasattr(obj, "__pydantic_extra__"):
        return getattr(obj, name, None)
    found = vars(obj).get(name)  # a typed reply: its fields, then the fields it did not declare
    extra: dict[str, Any] | None = obj.__pydantic_extra__
    return found if found is not None or not extra else extra.get(name)


def _price(value: Any) -> Decimal | None:
    """A price as a finite, non-negative Decimal, else None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        price = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return price if price.is_finite() and price >= 0 else None


def _tier_bound(tier: Mapping[str, Any]) -> int | None:
    bound = tier.get("min_context")
    if bound is None:
        return 0
    return bound if isinstance(bound, int) and not isinstance(bound, bool) else None


def _token_prices(tier: Mapping[str, Any]) -> tuple[Decimal, Decimal, Decimal] | None:
    """(input, cached input, output) prices of one tier, or None when one is missing."""
    if not set(tier) <= _KNOWN_KEYS:
        return None
    read = {key: _price(tier[key]) for key in _TOKEN_KEYS if tier.get(key) is not None}
    given = {key: price for key, price in read.items() if price is not None}
    if len(given) != len(read):
        return None
    input_price = given.get("input", given.get("prompt"))
    output_price = given.get("output", given.get("completion"))
    if input_price is None or output_price is None:
        return None
    return input_price, given.get("input_cache_read", input_price), output_price


def _plain(pricing: Any) -> Any:
    return pricing.model_dump(exclude_none=True) if hasattr(pricing, "model_dump") else pricing


def _as_tiers(pricing: Any) -> list[Mapping[str, Any]] | None:
    pricing = _plain(pricing)
    if isinstance(pricing, Mapping):
        return [pricing]
    if isinstance(pricing, Sequence) and not isinstance(pricing, str):
        tiers = [_plain(tier) for tier in pricing]
        return tiers if all(isinstance(tier, Mapping) for tier in tiers) else None
    return None


class _Tier(NamedTuple):
    min_context: int
    input: Decimal
    cached: Decimal
    output: Decimal
    request: Decimal | None  # None: the tier gives none (the base tier's applies)


class _Schedule(NamedTuple):
    """Prices read once: the tiers by `min_context`, and the share paid after the discount."""

    tiers: tuple[_Tier, ...]
    paid: Decimal


def _schedule(pricing: Any, discount_to_user: Any) -> _Schedule | None:
    """Read `pricing` (any shape of the spec), or None when anything in it is unknown."""
    raw_tiers = _as_tiers(pricing)
    if not raw_tiers:
        return None
    tiers = []
    for raw in raw_tiers:
        bound, prices = _tier_bound(raw), _token_prices(raw)
        request = _price(raw["request"]) if raw.get("request") is not None else None
        if bound is None or prices is None or (raw.get("request") is not None and request is None):
            return None
        tiers.append(_Tier(bound, *prices, request))
    discount = _price(discount_to_user) if discount_to_user is not None else Decimal(0)
    if discount is None or discount > 1:
        return None
    return _Schedule(tuple(sorted(tiers, key=lambda tier: tier.min_context)), 1 - discount)


def _bill(schedule: _Schedule, usage: UsageCounts) -> Decimal | None:
    cached, prompt = usage.cached_tokens, usage.prompt_tokens
    applicable = [tier for tier in schedule.tiers if tier.min_context <= prompt]
    if not applicable or not 0 <= cached <= prompt:
        return None
    tier = applicable[-1]
    request = tier.request if tier.request is not None else schedule.tiers[0].request
    cost = (
        cached * tier.cached
        + (prompt - cached) * tier.input
        + usage.completion_tokens * tier.output
    )
    cost += request or 0
    return cost if schedule.paid == 1 else cost * schedule.paid


def pricing_cost(pricing: Any, usage: UsageCounts, discount_to_user: Any = None) -> Decimal | None:
    """The cost in USD of `usage` under `pricing` (any shape of the spec), or None if unknown.

    Args:
        pricing: A price mapping (or `ModelPricing`), or a list of tiers.
        usage: The response's token counts.
        discount_to_user: The entry's fractional discount (0.2: 20% off), or None.
    """
    schedule = _schedule(pricing, discount_to_user)
    return _bill(schedule, usage) if schedule is not None else None


def usage_cost(usage: Any, info: ModelInfo | None) -> Decimal | None:
    """The cost in USD of one response's `usage` for the model `info`, or None if unknown.

    Args:
        usage: `UsageCounts`, or the server's `usage` object (a dict or a typed `Usage`).
        info: The model's catalog entry (see `priced_entry`); None gives None.
    """
    if info is None:
        return None
    read = _read.get(id(info))
    if read is None or read[0] is not info:  # entries are frozen: read each one's prices once
        if len(_read) >= _READ_LIMIT:
            _read.clear()
        read = _read[id(info)] = (
            info,
            _schedule(info.pricing_tiers or info.pricing, info.discount_to_user),
        )
    schedule = read[1]
    if schedule is None:
        return None
    return _bill(
        schedule, usage if isinstance(usage, UsageCounts) else UsageCounts.from_usage(usage)
    )


def remember_served(endpoint: str, info: ModelInfo) -> None:
    """Price `info.id` from this live entry from now on (called by the adapters' `from_server`).

    Only serverless entries are kept: other endpoints are not priced per token.
    """
    if endpoint == "serverless":
        with _served_lock:
            _served[info.id] = info


def priced_entry(model: str | None, endpoint: str) -> ModelInfo | None:
    """The catalog entry that prices `model` on `endpoint`, or None (cost unknown).

    Serverless only: the live entry read by `from_server`, else the packaged snapshot's.
    """
    if endpoint != "serverless" or not model:
        return None
    live = _served.get(model)
    if live is not None:
        return live
    from friendli_core.catalog import known_model  # noqa: PLC0415 - the snapshot on first use

    return known_model(model)
