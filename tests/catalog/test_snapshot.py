"""The packaged catalog snapshot, `ModelInfo`, and the pure catalog look-ups."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest

from friendli_core import ModelInfo, ModelNotListedError, known_models
from friendli_core.catalog import (
    deprecation_notice,
    find_model,
    known_model,
    require_model,
    snapshot_source,
    warn_if_deprecated,
)

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)

# `GET /v1/models` of llama.cpp (recorded from tests/real_model's server, trimmed) and of vLLM.
LLAMA_CPP_ENTRY = {
    "id": "smollm2-135m-instruct",
    "object": "model",
    "owned_by": "llamacpp",
    "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]},
    "meta": {"vocab_type": 2, "n_vocab": 49152, "n_ctx": 2048, "n_ctx_train": 8192},
}
VLLM_ENTRY = {"id": "Qwen/Qwen3-8B", "object": "model", "owned_by": "vllm", "max_model_len": 32768}


def _document() -> dict[str, Any]:
    text = resources.files("friendli_core").joinpath("_data/catalog.json").read_text("utf-8")
    return dict(json.loads(text))


def test_snapshot_names_one_models_dev_commit() -> None:
    document = _document()
    source = snapshot_source()
    assert re.fullmatch(r"[0-9a-f]{40}", source.commit or ""), source.commit
    assert document["source"]["repository"] == "https://github.com/anomalyco/models.dev"
    assert document["source"]["branch"] == "main"
    assert (source.commit, source.date) == (
        document["source"]["commit"],
        document["source"]["date"],
    )
    assert datetime.fromisoformat(source.date).tzinfo is not None
    assert source.retrieved == source.date[:10]
    # recorded once: no entry carries a source, commit or provenance of its own
    for entry in document["models"]:
        assert set(entry) <= set(ModelInfo.model_fields), entry["id"]


def test_snapshot_has_no_retired_model_and_lists_its_removals() -> None:
    ids = {m.id for m in known_models()}
    assert len(ids) == len(known_models()) >= 5
    removed = snapshot_source().removed
    # merged PRs #3008 and #4109 deleted these from models.dev's main branch after f3fc692
    assert {r["id"] for r in removed} >= {"zai-org/GLM-5", "Qwen/Qwen3-235B-A22B-Instruct-2507"}
    for removal in removed:
        assert removal["id"] not in ids
        assert re.fullmatch(
            r"https://github\.com/anomalyco/models\.dev/(pull/\d+|commit/[0-9a-f]{40})",
            removal["change"],
        ), removal
        assert removal["date"] > snapshot_source().retrieved
    # retired before the commit: never in the snapshot
    for gone in ("meta-llama-3.1-8b-instruct", "zai-org/GLM-4.6", "MiniMaxAI/MiniMax-M2.7"):
        assert gone not in ids


def test_every_entry_has_a_context_length_and_a_tool_calling_flag() -> None:
    for model in known_models():
        assert isinstance(model.context_length, int), model.id
        assert model.context_length > 0, model.id
        assert isinstance(model.tool_calling, bool), model.id
        assert model.reasoning is not None, model.id  # models.dev requires the flag
        assert model.pricing is not None, model.id
        assert model.pricing.input == model.pricing.prompt, model.id


def test_the_default_model_is_in_the_snapshot_with_its_reasoning_facts() -> None:
    found = known_model("deepseek-ai/DeepSeek-V3.2")
    assert found is not None
    assert (found.reasoning, found.reasoning_options) == (True, [{"type": "toggle"}])
    assert found.interleaved is not None
    assert found.interleaved.field == "reasoning_content"


def test_snapshot_file_is_what_the_loader_reads() -> None:
    document = _document()
    assert [m["id"] for m in document["models"]] == [m.id for m in known_models()]
    assert [ModelInfo.model_validate(m) for m in document["models"]] == known_models()


def test_model_info_keeps_unknown_fields_and_reads_reported_context() -> None:
    llama = ModelInfo.model_validate(LLAMA_CPP_ENTRY)
    assert llama.context_window == 2048  # per-slot n_ctx, not the trained 8192
    assert llama.input_modalities == ["text"]
    assert llama.model_extra is not None
    assert llama.model_extra["owned_by"] == "llamacpp"
    assert ModelInfo.model_validate(VLLM_ENTRY).context_window == 32768
    trained_only = {**LLAMA_CPP_ENTRY, "meta": {"n_ctx_train": 8192}}
    assert ModelInfo.model_validate(trained_only).context_window == 8192
    friendli = ModelInfo.model_validate({"id": "m", "context_length": 4096, "max_model_len": 9})
    assert friendli.context_window == 4096
    assert ModelInfo(id="bare").context_window is None


def test_model_info_parses_a_spec_entry() -> None:
    entry = {
        "id": "zai-org/GLM-5.2",
        "name": "GLM 5.2",
        "created": 1,
        "context_length": 1_000_000,
        "max_completion_tokens": 131_072,
        "pricing": {"input": "1", "output": "2", "prompt": "1", "completion": "2"},
        "functionality": {"tool_call": True, "builtin_tool": False, "parallel_tool_call": True},
        "description": "d",
        "hugging_face_url": "https://huggingface.co/zai-org/GLM-5.2",
        "license": "https://example.com/license",
        "reasoning_options": [{"type": "effort", "values": ["high", "max"]}],
    }
    info = ModelInfo.model_validate(entry)
    assert info.functionality is not None
    assert (info.functionality.tool_call, info.functionality.structured_output) == (True, None)
    assert info.reasoning_options == [{"type": "effort", "values": ["high", "max"]}]
    assert info.model_dump(exclude_none=True)["reasoning_options"] == entry["reasoning_options"]


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (None, None),
        ("not a date", None),
        ("2027-06-01T00:00:00Z", None),
        ("2026-12-20T00:00:00Z", "will be deprecated on 2026-12-20"),
        ("2026-01-01T00:00:00Z", "was deprecated on 2026-01-01"),
    ],
)
def test_deprecation_notice(date: str | None, expected: str | None) -> None:
    notice = deprecation_notice(ModelInfo(id="m", deprecation_date=date), now=NOW)
    if expected is None:
        assert notice is None
    else:
        assert notice is not None
        assert expected in notice


def test_deprecation_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    info = ModelInfo(id="once-model", deprecation_date=(NOW - timedelta(days=400)).isoformat())
    with caplog.at_level(logging.WARNING, logger="friendli_core"):
        warn_if_deprecated(info)
        warn_if_deprecated(info)
        warn_if_deprecated(ModelInfo(id="current-model"))
    assert [r.getMessage() for r in caplog.records if "once-model" in r.getMessage()] == [
        deprecation_notice(info)
    ]
    assert not any("current-model" in r.getMessage() for r in caplog.records)


def test_find_and_require_model() -> None:
    models = [ModelInfo(id="zai-org/GLM-5.2"), ModelInfo(id="other", hugging_face_id="org/Other")]
    assert find_model("zai-org/GLM-5.2", models) is models[0]
    assert find_model("ORG/other", models) is models[1]
    assert find_model(None, models) is None
    assert require_model(None, models[:1], "here") is models[0]  # a container's only model
    with pytest.raises(ModelNotListedError, match=r"does not list model 'missing'.*'other'"):
        require_model("missing", models, "The catalog")
    with pytest.raises(ModelNotListedError, match="pass model="):
        require_model(None, models, "The catalog")


def test_known_models_carry_the_snapshots_commit_and_date() -> None:
    models = known_models()
    source = _document()["source"]
    assert (models.commit, models.date) == (source["commit"], source["date"])
    assert models.source == snapshot_source()
    assert isinstance(models, list)
    models.pop()  # a copy: the next call is whole again
    assert len(known_models()) == len(_document()["models"])


PINNED_COMMIT = "f3fc692299671838c7c65fd8126bf84d81a2e817"
# Read by hand from providers/friendli/models/<id>.toml and its base_model entry at models.dev
# f3fc692: (context, output, tool_call, reasoning, reasoning_options, input modalities,
# USD per million input/output tokens). MiniMax and GLM-5.x take tool_call and reasoning
# from their base entry; gemma also its limits and modalities; GLM-5.2 its limits (131,072
# output tokens, not the 1,048,576 of older file versions).
PINNED: dict[str, tuple[int, int, bool, bool, list[Any], list[str], str, str]] = {
    "MiniMaxAI/MiniMax-M2.5": (196_608, 196_608, True, True, [], ["text"], "0.3", "1.2"),
    "deepseek-ai/DeepSeek-V3.2": (
        163_840, 163_840, True, True, [{"type": "toggle"}], ["text"], "0.5", "1.5"
    ),
    "google/gemma-4-31B-it": (
        262_144, 32_768, True, True, [{"type": "toggle"}], ["text", "image"], "0.14", "0.4"
    ),
    "zai-org/GLM-5.1": (202_752, 202_752, True, True, [], ["text"], "1.4", "4.4"),
    "zai-org/GLM-5.2": (
        1_000_000, 131_072, True, True, [{"type": "effort", "values": ["high", "max"]}],
        ["text"], "1.4", "4.4",
    ),
}  # fmt: skip


def test_the_snapshot_states_the_facts_of_its_commit() -> None:
    if snapshot_source().commit != PINNED_COMMIT:
        pytest.skip(f"the facts below were read at models.dev {PINNED_COMMIT[:7]}")
    assert {m.id for m in known_models()} == set(PINNED)
    for model in known_models():
        context, output, tools, reasons, options, inputs, prompt, completion = PINNED[model.id]
        assert (model.context_length, model.max_completion_tokens) == (context, output), model.id
        assert (model.tool_calling, model.reasoning) == (tools, reasons), model.id
        assert (model.reasoning_options, model.input_modalities) == (options, inputs), model.id
        assert model.pricing is not None
        per_million = (Decimal(model.pricing.input or ""), Decimal(model.pricing.output or ""))
        assert per_million == (Decimal(prompt) / 10**6, Decimal(completion) / 10**6), model.id
