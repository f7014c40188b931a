"""`ModelInfo` holds what each catalog gives, and lists parse despite drift in fields we do not
rely on: literal dicts, `httpx.MockTransport` and the local server's two catalogs."""

from __future__ import annotations

import json
import logging
from importlib import resources
from typing import Any

import httpx
import pytest

from friendli_core import AsyncFriendliClient, FriendliClient, ModelInfo, known_models
from friendli_core.catalog import (
    InterleavedReasoning,
    ModelFunctionality,
    ModelPricing,
    parse_entries,
    reading_live_catalog,
    warn_if_deprecated,
    with_snapshot_facts,
)
from friendli_core.testing import LOCAL_TOKEN, LocalServer
from friendli_core.testing._openapi import validate

# One entry of `GET /serverless/v1/openrouter/models` (schema OpenRouterModelCatalogResponseItem)
OPENROUTER_ENTRY: dict[str, Any] = {
    "id": "zai-org/GLM-5.2",
    "hugging_face_id": "zai-org/GLM-5.2",
    "name": "GLM-5.2",
    "created": 1_750_000_000,
    "input_modalities": ["text"],
    "output_modalities": ["text"],
    "quantization": "fp8",
    "context_length": 1_000_000,
    "max_output_length": 131_072,
    "pricing": [
        {"prompt": "0.0000014", "completion": "0.0000044", "input_cache_read": "0.00000026"},
        {"prompt": "0.0000028", "completion": "0.0000088", "min_context": 200_000},
    ],
    "supported_sampling_parameters": ["temperature", "top_p", "seed"],
    "supported_features": ["tools", "json_mode", "reasoning"],
    "description": None,
    "deprecation_date": "2027-01-01T00:00:00Z",
    "is_ready": True,
    "is_free": False,
    "capacity_tpm": 1_000_000,
    "openrouter": {"slug": "z-ai/glm-5.2"},
    "datacenters": [{"country_code": "US"}],
}


def test_an_openrouter_entry_is_fully_read() -> None:
    info = ModelInfo.model_validate(OPENROUTER_ENTRY)
    assert info.supported_features == ["tools", "json_mode", "reasoning"]
    assert info.supported_sampling_parameters == ["temperature", "top_p", "seed"]
    assert (info.input_modalities, info.output_modalities) == (["text"], ["text"])
    assert (info.max_output_length, info.quantization, info.capacity_tpm) == (131072, "fp8", 10**6)
    assert info.deprecation is not None
    assert info.deprecation.year == 2027
    # tiered prices: the base tier is `pricing`, with the spec's aliases filled in
    assert info.pricing == ModelPricing(
        input="0.0000014",
        output="0.0000044",
        prompt="0.0000014",
        completion="0.0000044",
        input_cache_read="0.00000026",
    )
    assert info.pricing_tiers is not None
    assert info.pricing_tiers[1].model_extra == {"min_context": 200_000}
    assert info.openrouter == {"slug": "z-ai/glm-5.2"}
    assert info.model_extra == {}


def _spec_fields(schema: str) -> set[str]:
    text = resources.files("friendli_core.testing").joinpath("_spec/openapi-components.json")
    document = json.loads(text.read_text("utf-8"))
    return set(document["components"]["schemas"][schema]["properties"])


def test_model_info_declares_every_field_of_both_catalog_schemas() -> None:
    fields = set(ModelInfo.model_fields)
    assert _spec_fields("ModelCatalogResponseItem") <= fields
    assert _spec_fields("OpenRouterModelCatalogResponseItem") <= fields
    assert _spec_fields("PricingModel") <= set(ModelPricing.model_fields)
    assert _spec_fields("Functionality") <= set(ModelFunctionality.model_fields)


def test_drift_in_fields_we_do_not_rely_on_is_read_or_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    drifted = {
        "id": "org/drifted",
        "context_length": 8192,
        "created": "1700000000",  # a string where the spec says an integer
        "description": 42,  # a number where the spec says a string
        "pricing": {"input": 0.5, "output": 1},  # numbers, and no prompt/completion aliases
        "functionality": {"tool_call": True, "new_flag": "yes"},
        "license": {"unexpected": "object"},  # unreadable: dropped, the rest kept
        "brand_new_field": [1, 2],
        "interleaved": True,
    }
    with caplog.at_level(logging.WARNING, logger="friendli_core"):
        (info,) = parse_entries([drifted], "GET /models")
    assert (info.context_length, info.created, info.description) == (8192, 1_700_000_000, "42")
    assert info.pricing == ModelPricing(input="0.5", output="1", prompt="0.5", completion="1")
    assert info.tool_calling is True
    assert info.license is None
    assert info.interleaved == InterleavedReasoning(field=None)
    assert info.model_extra == {"brand_new_field": [1, 2]}
    assert [r.getMessage() for r in caplog.records] == [
        "GET /models: model 'org/drifted': ignored field(s) license that do not parse"
    ]


def test_an_entry_without_an_id_is_skipped_and_reported(caplog: pytest.LogCaptureFixture) -> None:
    entries = [{"id": "a"}, {"name": "no id"}, {"id": ""}, "not an object", {"id": 7}, {"id": "b"}]
    with caplog.at_level(logging.WARNING, logger="friendli_core"):
        models = parse_entries(entries, "GET /models")
    assert [m.id for m in models] == ["a", "b"]
    skipped = [r.getMessage() for r in caplog.records]
    assert len(skipped) == 4
    assert skipped[0].startswith("GET /models: entry 1 has no 'id' and is skipped: {'name'")


def _drifted_catalog(request: httpx.Request) -> httpx.Response:
    body = {
        "data": [
            {"id": "org/good", "context_length": 4096, "pricing": {"prompt": "1"}},
            {"name": "an entry without id"},
            {"id": "org/odd", "context_length": "many", "max_completion_tokens": 5.0},
        ],
        "object": "list",
    }
    return httpx.Response(200, json=body, request=request)


def test_list_models_survives_a_drifted_catalog(caplog: pytest.LogCaptureFixture) -> None:
    transport = httpx.MockTransport(_drifted_catalog)
    http = httpx.Client(transport=transport)
    with (
        caplog.at_level(logging.WARNING, logger="friendli_core"),
        FriendliClient(token="flp_x", http_client=http) as client,
    ):
        models = client.list_models()
    assert [m.id for m in models] == ["org/good", "org/odd"]
    assert models[0].pricing is not None
    assert models[0].pricing.input == "1"
    assert (models[1].context_length, models[1].max_completion_tokens) == (None, 5)
    messages = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET /serverless/v1/models: entry 1 has no 'id'" in messages
    assert "'org/odd': ignored field(s) context_length" in messages


async def test_the_async_client_lists_the_same_way() -> None:
    transport = httpx.MockTransport(_drifted_catalog)
    http = httpx.AsyncClient(transport=transport)
    async with AsyncFriendliClient(token="flp_x", http_client=http) as client:
        models = await client.list_models()
    assert [m.id for m in models] == ["org/good", "org/odd"]


def test_the_local_servers_openrouter_listing_matches_the_spec(
    friendli_server: LocalServer,
) -> None:
    url = f"{friendli_server.serverless_url}/openrouter/models"
    response = httpx.get(url, headers={"Authorization": f"Bearer {LOCAL_TOKEN}"})
    assert validate("OpenRouterModelListSuccess", response.json()) == []
    assert httpx.get(url).status_code == 401
    with FriendliClient(
        token=LOCAL_TOKEN, base_url=f"{friendli_server.serverless_url}/openrouter"
    ) as c:
        listed = {m.id: m for m in c.list_models()}
    for model in known_models():  # the same models, in the OpenRouter form
        served = listed[model.id]
        assert served.input_modalities == model.input_modalities
        assert served.context_length == model.context_length
        assert served.max_output_length == model.max_completion_tokens
        assert served.pricing is not None
        assert model.pricing is not None
        assert served.pricing.input == model.pricing.input
        assert "tools" in (served.supported_features or [])
        assert ("reasoning" in (served.supported_features or [])) is bool(model.reasoning)
        assert served.supported_sampling_parameters


def test_the_local_servers_catalog_keeps_the_snapshots_facts(friendli_server: LocalServer) -> None:
    with FriendliClient(token=LOCAL_TOKEN, base_url=friendli_server.serverless_url) as client:
        served = {m.id: m for m in client.list_models()}
    for model in known_models():
        live = served[model.id]
        assert (live.reasoning, live.reasoning_options) == (
            model.reasoning,
            model.reasoning_options,
        )
        assert live.interleaved == model.interleaved
        assert live.tool_calling == model.tool_calling


def test_deprecation_is_read_from_the_catalog_the_model_came_from(
    caplog: pytest.LogCaptureFixture,
) -> None:
    snapshot = ModelInfo(id="origin-model", deprecation_date="2020-02-02T00:00:00Z")
    live = ModelInfo(id="origin-model", deprecation_date="2020-03-03T00:00:00Z")
    with caplog.at_level(logging.WARNING, logger="friendli_core"):
        with reading_live_catalog():
            warn_if_deprecated(snapshot)  # built for from_server: the snapshot is not asked
            warn_if_deprecated(live, live=True)
        warn_if_deprecated(snapshot)  # built directly: the snapshot's date
    warned = [r.getMessage() for r in caplog.records if "origin-model" in r.getMessage()]
    assert len(warned) == 2
    assert "2020-03-03" in warned[0]
    assert "2020-02-02" in warned[1]


def test_a_model_info_round_trips_through_json() -> None:
    for model in known_models():
        text = json.dumps(model.model_dump(mode="json", exclude_none=True))
        assert ModelInfo.model_validate_json(text) == model


def test_a_live_entry_takes_only_the_snapshot_facts_it_lacks() -> None:
    live = ModelInfo(id="deepseek-ai/DeepSeek-V3.2", context_length=1, input_modalities=["x"])
    filled = with_snapshot_facts(live)
    snapshot = known_models()
    known = next(m for m in snapshot if m.id == live.id)
    assert (filled.reasoning, filled.reasoning_options) == (True, [{"type": "toggle"}])
    assert filled.interleaved == known.interleaved
    assert filled.output_modalities == ["text"]
    assert (filled.context_length, filled.input_modalities) == (1, ["x"])  # the live entry wins
    stated = ModelInfo(id=live.id, reasoning=False)
    assert with_snapshot_facts(stated).reasoning is False
    unlisted = ModelInfo(id="my-org/unlisted")
    assert with_snapshot_facts(unlisted) is unlisted
