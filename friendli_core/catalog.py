"""What Friendli knows about its models: `ModelInfo`, the packaged snapshot, pure look-ups.

`ModelInfo` is one entry of a catalog: Friendli's `GET /serverless/v1/models` and
`/serverless/v1/openrouter/models`, the packaged snapshot, or an OpenAI-compatible `GET /models`
(its fields and tolerant list parsing live in `friendli_core._model_info`).

`known_models()` returns the snapshot packaged in `friendli_core/_data/catalog.json` (no
network), built by `scripts/refresh_catalog.py` from one commit of models.dev or from the live
catalog. The file records its source, commit and date once: `known_models().commit` and
`.date` (also `snapshot_source()`), so a stale snapshot is visible where the models are.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any, NamedTuple, Required, TypedDict

from friendli_core._model_info import (
    InterleavedReasoning,
    ModelFunctionality,
    ModelInfo,
    ModelPricing,
    parse_entries,
)
from friendli_core.errors import ModelNotListedError, UnsupportedEndpointError

__all__ = [
    "DEPRECATION_HORIZON",
    "SNAPSHOT_FACTS",
    "InterleavedReasoning",
    "KnownModels",
    "ModelFunctionality",
    "ModelInfo",
    "ModelPricing",
    "RenderParams",
    "SnapshotSource",
    "deprecation_notice",
    "find_model",
    "known_model",
    "known_models",
    "parse_entries",
    "reading_live_catalog",
    "require_model",
    "served_model",
    "snapshot_source",
    "warn_if_deprecated",
    "with_snapshot_facts",
]

logger = logging.getLogger("friendli_core")

DEPRECATION_HORIZON = timedelta(days=30)
"""A model whose deprecation date is closer than this (or past) is warned about."""

SNAPSHOT_FACTS = (
    "reasoning",
    "reasoning_options",
    "interleaved",
    "input_modalities",
    "output_modalities",
)
"""Facts the snapshot states (from models.dev) that Friendli's `GET /models` does not: a live
entry without them takes the snapshot's (`with_snapshot_facts`, `scripts/refresh_catalog.py`)."""


class RenderParams(TypedDict, total=False):
    """Keyword arguments of `render_chat` / `count_chat_tokens` (schema `ChatRenderBody`)."""

    model: str | None
    messages: Required[list[dict[str, Any]]]
    tools: list[dict[str, Any]] | None
    chat_template_kwargs: dict[str, Any] | None


class SnapshotSource(NamedTuple):
    """Where the packaged snapshot's facts come from, recorded once in the file.

    Attributes:
        source: The source's name and address (models.dev's repository, or the live URLs).
        commit: The models.dev commit the snapshot was built from (None for the live form).
        date: That commit's date, or when the live catalog was read (ISO 8601).
        removed: Models the source removed after `commit`, left out of the snapshot, each
            with the date and the merged change that removed it.
    """

    source: str
    commit: str | None
    date: str
    removed: tuple[Mapping[str, str], ...]

    @property
    def retrieved(self) -> str:
        """The calendar day the facts are as of (`date`'s YYYY-MM-DD)."""
        return self.date[:10]


@functools.cache
def _snapshot() -> tuple[SnapshotSource, tuple[ModelInfo, ...]]:
    text = resources.files("friendli_core").joinpath("_data/catalog.json").read_text("utf-8")
    document = json.loads(text)
    where = document["source"]
    address = where.get("repository") or where.get("url")
    source = SnapshotSource(
        f"{where['name']} ({address})",
        where.get("commit"),
        where["date"],
        tuple(dict(r) for r in document.get("removed", [])),
    )
    return source, tuple(ModelInfo.model_validate(entry) for entry in document["models"])


class KnownModels(list[ModelInfo]):
    """The snapshot's models (a plain list of `ModelInfo`) with the source they come from.

    Attributes:
        source: Where the facts come from (`snapshot_source()`).
    """

    def __init__(self, models: Iterable[ModelInfo], source: SnapshotSource) -> None:
        """`models`, read from `source`."""
        super().__init__(models)
        self.source = source

    @property
    def commit(self) -> str | None:
        """The models.dev commit the snapshot was built from (None for a live read)."""
        return self.source.commit

    @property
    def date(self) -> str:
        """That commit's date, or when the live catalog was read (ISO 8601)."""
        return self.source.date


def known_models() -> KnownModels:
    """The packaged snapshot of the serverless catalog (no network).

    Which models.dev commit (or live read) it was built from, and that commit's date, are its
    `commit` and `date`: an old date means the list may miss models Friendli serves today.
    """
    source, models = _snapshot()
    return KnownModels(models, source)


def snapshot_source() -> SnapshotSource:
    """The snapshot's source, its commit and date, and the models removed since."""
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
_LIVE = ContextVar("friendli_reading_live_catalog", default=False)


@contextlib.contextmanager
def reading_live_catalog() -> Iterator[None]:
    """Build a model that `from_server` describes from the live catalog.

    Inside, the snapshot's deprecation notice (`warn_if_deprecated` at construction) stays
    quiet: the live entry's `deprecation_date` is the one that counts (`served_model`).
    """
    token = _LIVE.set(True)
    try:
        yield
    finally:
        _LIVE.reset(token)


def warn_if_deprecated(info: ModelInfo | None, *, live: bool = False) -> None:
    """Log the deprecation notice of `info` once per model and date in this process.

    `live`: `info` comes from a live catalog; a snapshot entry (the default) is not warned
    about while `reading_live_catalog()` is active.
    """
    if info is None or (_LIVE.get() and not live):
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

    Serverless: Friendli's `GET /models`, with the snapshot's facts it does not state
    (`with_snapshot_facts`); container or any OpenAI-compatible base URL: `GET {base_url}/models`.
    A deprecation near or past logs its warning.

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
    if endpoint == "serverless":
        info = with_snapshot_facts(info)
    warn_if_deprecated(info, live=True)
    return info


def with_snapshot_facts(info: ModelInfo) -> ModelInfo:
    """A live serverless entry with the `SNAPSHOT_FACTS` it lacks taken from the snapshot.

    The live entry wins wherever it states a fact; a model the snapshot does not list is
    returned as it is.
    """
    known = known_model(info.id)
    if known is None:
        return info
    missing = {
        name: getattr(known, name)
        for name in SNAPSHOT_FACTS
        if getattr(info, name) is None and getattr(known, name) is not None
    }
    return info.model_copy(update=missing) if missing else info
