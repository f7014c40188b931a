"""`ModelInfo`, one entry of a model catalog, and the tolerant parsing of catalog lists.

An entry may come from four places, and `ModelInfo` declares the fields of all of them:

* Friendli's `GET /serverless/v1/models` (schema `ModelCatalogResponseItem`);
* `GET /serverless/v1/openrouter/models` (schema `OpenRouterModelCatalogResponseItem`: input
  and output modalities, supported features and sampling parameters, deprecation date), read
  by a client whose `base_url` ends in `/serverless/v1/openrouter` (`list_models()`);
* the packaged snapshot, which adds models.dev's reasoning facts (`reasoning`,
  `reasoning_options`, `interleaved`);
* an OpenAI-compatible `GET /models` (a container, vLLM, llama.cpp), which gives little more
  than the id, so `context_window` also reads the limits such servers report.

Unknown fields are kept (`model_extra`). A list is parsed entry by entry (`parse_entries`):
an entry without an `id` is skipped with a warning, and a field that does not parse (drift in
a field the integration does not rely on) is dropped with a warning; the rest still list.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

__all__ = [
    "InterleavedReasoning",
    "ModelFunctionality",
    "ModelInfo",
    "ModelPricing",
    "parse_entries",
]

logger = logging.getLogger("friendli_core")

# Where OpenAI-compatible servers report the context length of a model list entry, best first:
# Friendli's own field, vLLM's `max_model_len`, llama.cpp's per-slot `meta.n_ctx` (what a
# request may actually use), then the context it was trained with.
_CONTEXT_KEYS: tuple[tuple[str, ...], ...] = (
    ("context_length",),
    ("max_model_len",),
    ("meta", "n_ctx"),
    ("n_ctx",),
    ("meta", "n_ctx_train"),
)
# `PricingModel` names each token price twice; a catalog that gives one name gives both.
_PRICE_ALIASES = (("input", "prompt"), ("output", "completion"))


class ModelPricing(BaseModel):
    """Token prices in USD per token, as decimal strings (schema `PricingModel`).

    `input`/`prompt` and `output`/`completion` are aliases: either fills the other (the
    OpenRouter listing gives only `prompt` and `completion`). A number is read as its string.
    """

    model_config = ConfigDict(extra="allow", frozen=True, coerce_numbers_to_str=True)

    input: str | None = None
    output: str | None = None
    prompt: str | None = None
    completion: str | None = None
    input_cache_read: str | None = None
    audio_minute: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _fill_aliases(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        filled = dict(data)
        for one, other in _PRICE_ALIASES:
            if filled.get(one) is None and filled.get(other) is not None:
                filled[one] = filled[other]
            if filled.get(other) is None and filled.get(one) is not None:
                filled[other] = filled[one]
        return filled


class ModelFunctionality(BaseModel):
    """What the model supports (schema `Functionality`); None means the source does not say."""

    model_config = ConfigDict(extra="allow", frozen=True)

    tool_call: bool | None = None
    builtin_tool: bool | None = None
    parallel_tool_call: bool | None = None
    structured_output: bool | None = None


class InterleavedReasoning(BaseModel):
    """The model reads its earlier reasoning back on later turns (models.dev `interleaved`).

    `field` names the assistant-message field that carries it (`reasoning_content`); None when
    the source says only that the model interleaves.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    field: str | None = None


class ModelInfo(BaseModel):
    """One model of a catalog (see the module for the sources; unknown fields are kept).

    Every field but `id` may be None: a field the source does not state is unknown.
    """

    model_config = ConfigDict(extra="allow", frozen=True, coerce_numbers_to_str=True)

    id: str
    # ModelCatalogResponseItem
    name: str | None = None
    hugging_face_id: str | None = None
    created: int | None = None
    context_length: int | None = None
    max_completion_tokens: int | None = None
    pricing: ModelPricing | None = None
    functionality: ModelFunctionality | None = None
    description: str | None = None
    deprecation_date: str | None = None
    hugging_face_url: str | None = None
    license: str | None = None
    discount_to_user: float | None = None
    # OpenRouterModelCatalogResponseItem (its tiered `pricing` is read into `pricing_tiers`)
    input_modalities: list[str] | None = None
    output_modalities: list[str] | None = None
    quantization: str | None = None
    max_output_length: int | None = None
    pricing_tiers: list[ModelPricing] | None = None
    supported_sampling_parameters: list[str] | None = None
    supported_features: list[str] | None = None
    is_ready: bool | None = None
    is_free: bool | None = None
    capacity_tpm: int | None = None
    openrouter: dict[str, Any] | None = None
    datacenters: list[dict[str, Any]] | None = None
    # the packaged snapshot (models.dev)
    reasoning: bool | None = None
    reasoning_options: list[dict[str, Any]] | None = None
    interleaved: InterleavedReasoning | None = None

    @model_validator(mode="before")
    @classmethod
    def _read_variants(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        entry = dict(data)
        tiers = entry.get("pricing")
        if isinstance(tiers, list):  # OpenRouter's tiered pricing: the base tier is `pricing`
            entry["pricing_tiers"] = tiers
            entry["pricing"] = next(
                (t for t in tiers if isinstance(t, Mapping) and not t.get("min_context")), None
            )
        architecture = entry.get("architecture")  # llama.cpp
        if entry.get("input_modalities") is None and isinstance(architecture, Mapping):
            entry["input_modalities"] = architecture.get("input_modalities")
        return entry

    @field_validator("interleaved", mode="before")
    @classmethod
    def _interleaved_flag(cls, value: Any) -> Any:
        # models.dev writes `interleaved = true` when it does not name the field
        if value is True:
            return {}
        return None if value is False else value

    @property
    def context_window(self) -> int | None:
        """Tokens of context: `context_length`, else what the server reported (see module)."""
        fields = {**(self.model_extra or {}), "context_length": self.context_length}
        for path in _CONTEXT_KEYS:
            value: Any = fields
            for key in path:
                value = value.get(key) if isinstance(value, Mapping) else None
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value
        return None

    @property
    def deprecation(self) -> datetime | None:
        """`deprecation_date` as an aware datetime (None when absent or unreadable)."""
        if not self.deprecation_date:
            return None
        try:
            when = datetime.fromisoformat(self.deprecation_date)
        except ValueError:
            return None
        return when if when.tzinfo else when.replace(tzinfo=UTC)

    @property
    def tool_calling(self) -> bool | None:
        """Whether the model calls tools (`functionality.tool_call`); None when unknown."""
        return self.functionality.tool_call if self.functionality is not None else None


def _readable(entry: Mapping[str, Any], where: str) -> ModelInfo:
    """`entry` parsed, without the top-level fields that do not parse (each named once)."""
    data = dict(entry)
    while True:
        try:
            return ModelInfo.model_validate(data)
        except ValidationError as error:
            bad = {e["loc"][0] for e in error.errors() if e["loc"] and e["loc"][0] != "id"}
            if not bad & data.keys():
                raise
            logger.warning(
                "%s: model %r: ignored field(s) %s that do not parse",
                where,
                data["id"],
                ", ".join(sorted(map(str, bad))),
            )
            data = {k: v for k, v in data.items() if k not in bad}


def parse_entries(items: Iterable[Any], where: str) -> list[ModelInfo]:
    """The models of a catalog list; entries without a string `id` are skipped and logged."""
    models = []
    for index, item in enumerate(items):
        model_id = item.get("id") if isinstance(item, Mapping) else None
        if not isinstance(model_id, str) or not model_id:
            logger.warning("%s: entry %d has no 'id' and is skipped: %.200r", where, index, item)
            continue
        models.append(_readable(item, where))
    return models
