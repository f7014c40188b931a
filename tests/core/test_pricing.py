"""The pricing rule on literal catalog entries: every shape of the spec, and every unknown."""

from __future__ import annotations

import copy
import pickle
import threading
from decimal import Decimal
from typing import Any

import pytest

from friendli_core.catalog import ModelInfo, known_models
from friendli_core.pricing import (
    UsageCounts,
    priced_entry,
    pricing_cost,
    remember_served,
    usage_cost,
)
from friendli_core.usage import CostTally

FLAT = {"input": "0.000001", "output": "0.000004", "input_cache_read": "0.00000025"}
USAGE = UsageCounts(prompt_tokens=1000, completion_tokens=200, cached_tokens=400)


def _info(pricing: Any, **extra: Any) -> ModelInfo:
    return ModelInfo.model_validate({"id": "m", "pricing": pricing, **extra})


def test_flat_prices_cached_at_cache_read_the_rest_at_input_completion_at_output() -> None:
    expected = Decimal(400) * Decimal("0.00000025") + 600 * Decimal("0.000001")
    expected += 200 * Decimal("0.000004")
    assert usage_cost(USAGE, _info(FLAT)) == expected


def test_cached_tokens_cost_input_when_no_cache_price_is_given() -> None:
    prices = {"input": "0.000001", "output": "0.000004"}
    assert usage_cost(USAGE, _info(prices)) == Decimal("0.001") + Decimal("0.0008")


def test_a_free_cache_read_is_free_not_the_input_price() -> None:
    prices = {**FLAT, "input_cache_read": "0"}
    assert usage_cost(USAGE, _info(prices)) == 600 * Decimal("0.000001") + Decimal("0.0008")


def test_the_spec_aliases_prompt_and_completion_price_alone() -> None:
    aliases = {"prompt": "0.000001", "completion": "0.000004"}
    assert usage_cost(USAGE, _info(aliases)) == Decimal("0.0018")


def test_reasoning_tokens_are_billed_inside_completion_tokens() -> None:
    usage = {
        "prompt_tokens": 10,
        "completion_tokens": 50,
        "completion_tokens_details": {"reasoning_tokens": 40},
        "prompt_tokens_details": {"cached_tokens": 0},
    }
    counts = UsageCounts.from_usage(usage)
    assert counts == UsageCounts(10, 50, 0, 40)
    assert usage_cost(usage, _info(FLAT)) == 10 * Decimal("0.000001") + 50 * Decimal("0.000004")


TIERS = [
    {"prompt": "0.000001", "completion": "0.000002", "request": "0.01"},
    {"prompt": "0.000003", "completion": "0.000004", "min_context": 1000},
    {"prompt": "0.000005", "completion": "0.000006", "min_context": 5000},
]


@pytest.mark.parametrize(
    ("prompt", "input_price", "output_price"),
    [
        (999, "0.000001", "0.000002"),
        (1000, "0.000003", "0.000004"),
        (4999, "0.000003", "0.000004"),
        (5000, "0.000005", "0.000006"),
    ],
)
def test_the_tier_with_the_largest_min_context_at_or_below_the_prompt_applies(
    prompt: int, input_price: str, output_price: str
) -> None:
    usage = UsageCounts(prompt, 10)
    expected = prompt * Decimal(input_price) + 10 * Decimal(output_price) + Decimal("0.01")
    assert pricing_cost(list(reversed(TIERS)), usage) == expected


def test_a_catalog_entry_may_carry_its_tiers() -> None:
    info = _info(TIERS, discount_to_user=0.5)
    expected = (1000 * Decimal("0.000003") + 10 * Decimal("0.000004") + Decimal("0.01")) / 2
    assert usage_cost(UsageCounts(1000, 10), info) == expected


def test_a_request_price_is_added_once_per_request() -> None:
    tier = {"prompt": "0", "completion": "0", "request": "0.005", "image": "0.1"}
    assert pricing_cost(tier, UsageCounts(100, 100)) == Decimal("0.005")


def test_discount_to_user_takes_its_fraction_off() -> None:
    full = usage_cost(USAGE, _info(FLAT))
    assert full is not None
    assert usage_cost(USAGE, _info(FLAT, discount_to_user=0.25)) == full * Decimal("0.75")
    assert usage_cost(USAGE, _info(FLAT, discount_to_user=0)) == full


@pytest.mark.parametrize(
    "pricing",
    [
        None,
        {},
        {"input": "0.000001"},
        {"output": "0.000001"},
        {"input": "abc", "output": "0.000001"},
        {"input": "-0.1", "output": "0.000001"},
        {"input": "NaN", "output": "0.000001"},
        {"input": "0.000001", "output": "0.000001", "input_cache_read": "x"},
        {"input": "0.000001", "output": "0.000001", "output_reasoning": "0.1"},
        {"input": "0.000001", "output": "0.000001", "request": "x"},
        [],
        [{"prompt": "0.1", "completion": "0.1", "min_context": 2000}],
        [{"prompt": "0.1", "completion": "0.1", "min_context": "big"}],
        "0.000001",
        12,
    ],
)
def test_what_cannot_be_priced_exactly_is_unknown_never_zero(pricing: Any) -> None:
    assert pricing_cost(pricing, UsageCounts(100, 10)) is None


@pytest.mark.parametrize("discount", [-0.1, 1.5, "x", float("nan")])
def test_a_discount_outside_zero_to_one_is_unknown(discount: Any) -> None:
    assert pricing_cost(FLAT, USAGE, discount) is None


def test_usage_that_does_not_add_up_is_unknown() -> None:
    assert pricing_cost(FLAT, UsageCounts(10, 1, cached_tokens=11)) is None


def test_an_unknown_model_or_an_entry_without_pricing_is_unknown() -> None:
    assert usage_cost(USAGE, None) is None
    assert usage_cost(USAGE, ModelInfo(id="free?")) is None
    assert priced_entry("no/such-model", "serverless") is None


def test_a_snapshot_model_is_priced_by_its_snapshot_entry_on_serverless_only() -> None:
    priced = next(m for m in known_models() if m.pricing is not None)
    assert priced_entry(priced.id, "serverless") == priced
    for endpoint in ("dedicated", "container", "openai-compatible"):
        assert priced_entry(priced.id, endpoint) is None
    assert priced_entry(None, "serverless") is None


def test_a_live_entry_read_by_from_server_replaces_the_snapshot_price() -> None:
    live = ModelInfo(id="cost-test/live-only", pricing={"input": "1", "output": "2"})
    remember_served("container", live)
    assert priced_entry(live.id, "serverless") is None
    remember_served("serverless", live)
    assert priced_entry(live.id, "serverless") is live
    assert usage_cost(UsageCounts(1, 1), priced_entry(live.id, "serverless")) == Decimal(3)


def test_the_snapshot_entries_with_prices_are_all_priceable() -> None:
    for info in known_models():
        if info.pricing is not None:
            assert usage_cost(USAGE, info) is not None, info.id


def test_the_tally_sums_per_model_and_counts_unpriced_requests() -> None:
    tally = CostTally()
    tally.add("a", UsageCounts(10, 5, 4, 2), Decimal("0.5"))
    tally.add("a", UsageCounts(1, 1), Decimal("0.25"))
    tally.add("b", UsageCounts(3, 3), None)
    assert (tally.prompt_tokens, tally.completion_tokens, tally.total_tokens) == (14, 9, 23)
    assert (tally.prompt_tokens_cached, tally.reasoning_tokens) == (4, 2)
    assert (tally.successful_requests, tally.unpriced_requests) == (3, 1)
    assert tally.cost == Decimal("0.75")
    assert tally.total_cost == 0.75
    assert tally.per_model["a"].successful_requests == 2
    assert tally.per_model["b"].unpriced_requests == 1
    assert tally.per_model["b"].total_cost == 0.0
    text = str(tally)
    assert "Prompt Tokens Cached: 4" in text
    assert "Unpriced Requests: 1" in text
    assert "Total Cost (USD): $0.75" in text


def test_the_tally_loses_nothing_across_threads() -> None:
    tally = CostTally()

    def work() -> None:
        for _ in range(500):
            tally.add("m", UsageCounts(1, 1), Decimal("0.001"))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert tally.successful_requests == 4000
    assert tally.cost == Decimal("4.000")


def test_a_tally_pickles_and_copies_as_plain_data() -> None:
    tally = CostTally()
    tally.add("m", UsageCounts(3, 2, 1), Decimal("0.5"))
    for copied in (pickle.loads(pickle.dumps(tally)), copy.deepcopy(tally)):  # noqa: S301
        assert (copied.cost, copied.prompt_tokens_cached) == (Decimal("0.5"), 1)
        assert copied.per_model["m"].successful_requests == 1
        copied.add("m", UsageCounts(1, 1), None)
    assert tally.successful_requests == 1
    assert repr(tally.per_model["m"]).startswith("ModelTotals(successful_requests=1,")


def test_usage_is_read_from_a_typed_reply_too_undeclared_details_included() -> None:
    from friendli_core.types import ChatCompletion

    usage = {
        "prompt_tokens": 1200,
        "completion_tokens": 30,
        "total_tokens": 1230,
        "prompt_tokens_details": {"cached_tokens": 1024},
        "completion_tokens_details": {"reasoning_tokens": 7},
    }
    reply = ChatCompletion.model_validate(
        {
            "id": "x",
            "object": "chat.completion",
            "created": 1,
            "model": "m",
            "choices": [],
            "usage": usage,
        }
    )
    assert UsageCounts.from_usage(reply.usage) == UsageCounts(1200, 30, 1024, 7)
    assert UsageCounts.from_usage(usage) == UsageCounts(1200, 30, 1024, 7)
    assert UsageCounts.from_usage({"prompt_tokens": 3}) == UsageCounts(3, 0)
