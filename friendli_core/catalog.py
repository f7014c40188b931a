"""What Friendli knows about its models: `ModelInfo`, the packaged snapshot, pure look-ups.

`ModelInfo` is one entry of the serverless catalog (`GET /serverless/v1/models`, schema
`ModelCatalogResponseItem`), unknown fields kept. The same type holds an entry of an
OpenAI-compatible `GET /models` list (a container, vLLM, llama.cpp): those carry no
`context_length`, so `ModelInfo.context_window` also reads the limits such servers report.

`known_models()` returns the snapshot packaged in `friendli_core/_data/catalog.json` (no
network); `scripts/refresh_catalog.py` (`make refresh-catalog`, with `FRIENDLI_TOKEN`) rewrites
it from the live catalog. The file records its source and date (`snapshot_source()`), and which
public page each entry's facts came from.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any, NamedTuple, Required, TypedDict

from pydantic import BaseModel, ConfigDict

from friendli_core.errors import ModelNotListedError, UnsupportedEndpointError

__all__ = [
    "DEPRECATION_HORIZON",
    "ModelFunctionality",
    "ModelInfo",
    "ModelPricing",
    "RenderParams",
    "SnapshotSource",
    "deprecation_notice",
    "find_model",
    "known_model",
    "known_models",
    "require_model",
    "served_model",
    "snapshot_source",
    "warn_if_deprecated",
]

logger = logging.getLogger("friendli_core")

DEPRECATION_HORIZON = timedelta(days=30)
"""A model whose deprecation date is closer than this (or past) is warned about."""

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


class RenderParams(TypedDict, total=False):
    """Keyword arguments of `render_chat` / `count_chat_tokens` (schema `ChatRenderBody`)."""

    model: str | None
    messages: Required[list[dict[str, Any]]]
    tools: list[dict[str, Any]] | None
    chat_template_kwargs: dict[str, Any] | None


class ModelPricing(BaseModel):
    """Token prices in USD per token, as decimal strings (schema `PricingModel`)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    input: str | None = None
    output: str | None = None
    prompt: str | None = None
    completion: str | None = None
    input_cache_read: str | None = None
    audio_minute: str | None = None


class ModelFunctionality(BaseModel):
    """What the model supports (schema `Functionality`); None means the source does not say."""

    model_config = ConfigDict(extra="allow", frozen=True)

    tool_call: bool | None = None
    builtin_tool: bool | None = None
    parallel_tool_call: bool | None = None
    structured_output: bool | None = None


class ModelInfo(BaseModel):
    """One model of a catalog (schema `ModelCatalogResponseItem`; unknown fields are kept).

    Every field but `id` may be None: an OpenAI-compatible list gives little more than the id,
    and the packaged snapshot leaves out what its source does not state.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
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
    def reasoning_options(self) -> list[dict[str, Any]] | None:
        """The catalog's `reasoning_options` (beyond the schema), or None when not given."""
        options = (self.model_extra or {}).get("reasoning_options")
        return [dict(o) for o in options if isinstance(o, Mapping)] if options is not None else None

    @property
    def input_modalities(self) -> list[str] | None:
        """Input modalities (`input_modalities`, or llama.cpp's `architecture`), if given."""
        extra = self.model_extra or {}
        found = extra.get("input_modalities")
        if found is None and isinstance(extra.get("architecture"), Mapping):
            found = extra["architecture"].get("input_modalities")
        return [str(m) for m in found] if isinstance(found, list) else None


class SnapshotSource(NamedTuple):
    """Where and when the packaged snapshot was taken, and the source of each entry."""

    source: str
    retrieved: str
    provenance: Mapping[str, str]


@functools.cache
def _snapshot() -> tuple[SnapshotSource, tuple[ModelInfo, ...]]:
    text = resources.files("friendli_core").joinpath("_data/catalog.json").read_text("utf-8")
    document = json.loads(text)
    source = SnapshotSource(
        document["source"], document["retrieved"], dict(document.get("provenance", {}))
    )
    return source, tuple(ModelInfo.model_validate(entry) for entry in document["models"])


def known_models() -> list[ModelInfo]:
    """The packaged snapshot of the serverless catalog (no network; see `snapshot_source`)."""
    return list(_snapshot()[1])


def snapshot_source() -> SnapshotSource:
    """The snapshot's source, retrieval date and per-model provenance."""
    return _snapshot()[0]


def find_model(model: str | None, models: Iterable[ModelInfo]) -> ModelInfo | None:
    """The entry named `model` (by id, else by case-insensitive id or Hugging Face id)."""
    if not model:
        return None
    entries = list(models)
    for entry in entries:
        if entry.id == model:
            return entry
    folded = model.casefold()
    for entry in entries:
        if folded in {entry.id.casefold(), (entry.hugging_face_id or "").casefold()}:
            return entry
    return None


def known_model(model: str | None) -> ModelInfo | None:
    """The snapshot's entry for a serverless model code, or None when it is not listed."""
    return find_model(model, _snapshot()[1])


def require_model(model: str | None, models: Sequence[ModelInfo], where: str) -> ModelInfo:
    """The entry for `model` in a server's catalog; a container's only model when None.

    Raises:
        ModelNotListedError: The catalog does not list `model` (or lists several models and
            none was named).
    """
    if model is None and len(models) == 1:
        return models[0]
    found = find_model(model, models)
    if found is not None:
        return found
    listed = ", ".join(repr(m.id) for m in models[:20]) or "no models"
    if model:
        msg = (
            f"{where} does not list model {model!r}; it lists {listed}. Check the name "
            "(model codes are case-sensitive, e.g. 'zai-org/GLM-5.2')."
        )
    else:
        msg = f"No model was named and {where} lists {listed}: pass model=... to choose one."
    raise ModelNotListedError(msg)


def deprecation_notice(
    info: ModelInfo, now: datetime | None = None, horizon: timedelta = DEPRECATION_HORIZON
) -> str | None:
    """A warning text when `info` is deprecated or will be within `horizon`, else None."""
    when = info.deprecation
    if when is None:
        return None
    now = now or datetime.now(UTC)
    if when > now + horizon:
        return None
    tense = "was deprecated on" if when <= now else "will be deprecated on"
    return (
        f"Friendli model {info.id!r} {tense} {when:%Y-%m-%d %H:%M} UTC; requests may fail after "
        "that date. Choose a current model from friendli_core.known_models() or the catalog."
    )


_warned: set[tuple[str, str]] = set()


def warn_if_deprecated(info: ModelInfo | None) -> None:
    """Log the deprecation notice of `info` once per model and date in this process."""
    if info is None:
        return
    notice = deprecation_notice(info)
    key = (info.id, info.deprecation_date or "")
    if notice is not None and key not in _warned:
        _warned.add(key)
        logger.warning(notice)


def served_model(
    endpoint: str,
    model: str | None,
    base_url: Callable[[], str],
    list_models: Callable[[], Sequence[ModelInfo]],
    *,
    instead: str,
) -> ModelInfo:
    """The live catalog entry of `model` on its endpoint (the adapters' `from_server`).

    Serverless: Friendli's `GET /models`; container or any OpenAI-compatible base URL:
    `GET {base_url}/models`. A deprecation near or past logs its warning.

    Args:
        endpoint: The model's endpoint.
        model: The model code, or None for a container's only model.
        base_url: The client's base URL (named in the error when the model is not listed).
        list_models: Fetches the catalog (the adapter maps errors its own way).
        instead: What to do on a dedicated endpoint, which publishes no catalog.

    Raises:
        UnsupportedEndpointError: A dedicated endpoint; nothing is sent.
        ModelNotListedError: The catalog does not list the model.
    """
    if endpoint == "dedicated":
        msg = f"dedicated endpoints publish no model catalog; {instead}"
        raise UnsupportedEndpointError(msg)
    info = require_model(model, list_models(), f"The catalog at {base_url()}/models")
    warn_if_deprecated(info)
    return info
