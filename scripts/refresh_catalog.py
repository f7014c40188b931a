"""Rebuild the packaged model catalog snapshot (`friendli_core/_data/catalog.json`).

Two sources, one per run (CONTRIBUTING.md, "Refreshing the catalog snapshot"):

* **A models.dev checkout** (offline): `--checkout PATH`, a directory tree of one commit of
  `anomalyco/models.dev`'s main branch. Every `providers/friendli/models/**/*.toml` becomes an
  entry; an entry with `base_model` is resolved the way models.dev's build does
  (`mergeBaseModel` in `packages/core/src/generate.ts`): the base entry `models/<base>.toml`,
  without the fields the build does not inherit, deep-merged under the provider entry (plain
  tables merge key by key, anything else is replaced), then the dotted paths of
  `base_model_omit` deleted. The commit and its date come from `git -C PATH log -1`, or from
  `--commit` and `--date` when PATH is not a git checkout (e.g. `git archive` output). Models
  that main-branch history removed after that commit (`REMOVALS`) are left out and listed.
* **The live catalog** (with `FRIENDLI_TOKEN`): `GET {base_url}/models` joined by id with
  `GET {base_url}/openrouter/models` (input modalities, supported features, deprecation dates).
  What models.dev states and neither of them does (`friendli_core.catalog.SNAPSHOT_FACTS`:
  reasoning facts, which the reasoning checks read; modalities) an entry keeps from the
  snapshot it replaces (same id), and the file names that snapshot's source.

Either way the file records its source once (`source`: where, commit, date), and an entry
holds only what the source states: an unknown field is absent, never guessed.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import tomllib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from friendli_core.catalog import SNAPSHOT_FACTS

SNAPSHOT = Path(__file__).resolve().parents[1] / "friendli_core" / "_data" / "catalog.json"
PROVIDER = "friendli"
MODELS_DEV = "https://github.com/anomalyco/models.dev"

# Fields of a base entry that models.dev's build does not pass on (`inheritableModelMetadata`).
_NOT_INHERITED = frozenset({"id", "benchmarks", "license", "links", "weights"})
_PER_MILLION = -6  # decimal exponent: USD per million tokens -> USD per token


class Removal(NamedTuple):
    """A model that models.dev's main branch removed after the snapshot's commit."""

    id: str
    date: str
    change: str
    note: str

    def as_dict(self) -> dict[str, str]:
        """The entry of the snapshot's `removed` list."""
        return self._asdict()


REMOVALS: tuple[Removal, ...] = (
    Removal(
        "zai-org/GLM-5",
        "2026-07-03",
        f"{MODELS_DEV}/pull/3008",
        "merged PR 'Remove friendli GLM-5 model': deletes "
        "providers/friendli/models/zai-org/GLM-5.toml (superseded by GLM-5.2)",
    ),
    Removal(
        "Qwen/Qwen3-235B-A22B-Instruct-2507",
        "2026-08-06",
        f"{MODELS_DEV}/pull/4109",
        "merged PR 'chore(friendli): remove Qwen3-235B-A22B-Instruct-2507': deletes "
        "providers/friendli/models/Qwen/Qwen3-235B-A22B-Instruct-2507.toml (no longer "
        "served by the Friendli API)",
    ),
)
"""Removals on models.dev's main branch after the packaged snapshot's commit (merged only)."""


class Source(NamedTuple):
    """Which commit of models.dev a checkout holds."""

    commit: str
    date: str


def merge_deep(destination: Mapping[str, Any], source: Mapping[str, Any]) -> dict[str, Any]:
    """Like remeda's `mergeDeep`: `{**destination, **source}`, recursing where both are tables."""
    merged = {**destination, **source}
    for key, value in source.items():
        below = destination.get(key)
        if isinstance(below, Mapping) and isinstance(value, Mapping):
            merged[key] = merge_deep(below, value)
    return merged


def apply_omit(target: dict[str, Any], paths: Sequence[str]) -> None:
    """Delete each dotted path of `base_model_omit`, then the tables it left empty."""
    for path in paths:
        parts = path.split(".")
        chain = [target]
        for part in parts[:-1]:
            below = chain[-1].get(part)
            if not isinstance(below, dict):
                break
            chain.append(below)
        else:
            if parts[-1] not in chain[-1]:
                continue
            del chain[-1][parts[-1]]
            for depth in range(len(chain) - 1, 0, -1):
                if chain[depth]:
                    break
                del chain[depth - 1][parts[depth - 1]]


def resolve(entry: Mapping[str, Any], bases: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A provider entry with its `base_model` merged in (models.dev's `mergeBaseModel`).

    Raises:
        ValueError: The base entry does not exist.
    """
    if "base_model" not in entry:
        return copy.deepcopy(dict(entry))
    overrides = {k: v for k, v in entry.items() if k not in {"base_model", "base_model_omit"}}
    base = bases.get(entry["base_model"])
    if base is None:
        msg = f"Unable to resolve base_model: {entry['base_model']}"
        raise ValueError(msg)
    inherited = {k: v for k, v in base.items() if k not in _NOT_INHERITED}
    merged = copy.deepcopy(merge_deep(inherited, overrides))
    apply_omit(merged, entry.get("base_model_omit", []))
    return merged


def per_token(price: Decimal) -> str:
    """A USD-per-million-tokens price as an exact USD-per-token decimal string."""
    value = price.scaleb(_PER_MILLION).normalize()
    return format(value, "f")


def _pricing(model_id: str, cost: Mapping[str, Any]) -> dict[str, str]:
    unknown = set(cost) - {"input", "output", "cache_read"}
    if unknown:
        msg = f"{model_id}: cost field(s) {sorted(unknown)} have no PricingModel field"
        raise ValueError(msg)
    prompt, completion = per_token(Decimal(cost["input"])), per_token(Decimal(cost["output"]))
    pricing = {"input": prompt, "output": completion, "prompt": prompt, "completion": completion}
    if "cache_read" in cost:
        pricing["input_cache_read"] = per_token(Decimal(cost["cache_read"]))
    return pricing


def _reasoning_options(options: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    # models.dev's schema reads the effort value "null" as null (`ReasoningEffortValue`).
    return [
        {k: ([None if x == "null" else x for x in v] if k == "values" else v) for k, v in o.items()}
        for o in options
    ]


def catalog_entry(model_id: str, model: Mapping[str, Any]) -> dict[str, Any]:
    """A resolved models.dev entry in the shape of the spec's `ModelCatalogResponseItem`.

    Raises:
        ValueError: The entry lacks a context length or a tool-calling flag (models.dev's
            schema requires both), or has prices the spec has no field for.
    """
    limit = model.get("limit", {})
    if "context" not in limit or not isinstance(model.get("tool_call"), bool):
        msg = f"{model_id}: models.dev requires limit.context and tool_call"
        raise ValueError(msg)
    entry: dict[str, Any] = {"id": model_id, "name": model.get("name", model_id)}
    entry["context_length"] = limit["context"]
    if "output" in limit:
        entry["max_completion_tokens"] = limit["output"]
    if "cost" in model:
        entry["pricing"] = _pricing(model_id, model["cost"])
    functionality = {"tool_call": model["tool_call"]}
    if "structured_output" in model:
        functionality["structured_output"] = model["structured_output"]
    entry["functionality"] = functionality
    modalities = model.get("modalities", {})
    for kind in ("input", "output"):
        if kind in modalities:
            entry[f"{kind}_modalities"] = list(modalities[kind])
    if "reasoning" in model:
        entry["reasoning"] = model["reasoning"]
    if "reasoning_options" in model:
        entry["reasoning_options"] = _reasoning_options(model["reasoning_options"])
    for key in ("interleaved", "status"):
        if key in model:
            entry[key] = model[key]
    return entry


def _read_toml(path: Path) -> dict[str, Any]:
    # Decimal keeps the prices exactly as written (0.3 stays 0.3, not a binary float).
    return tomllib.loads(path.read_text("utf-8"), parse_float=Decimal)


def read_checkout(root: Path) -> dict[str, dict[str, Any]]:
    """The resolved Friendli entries of a models.dev tree, by model id.

    Raises:
        FileNotFoundError: `root` has no `providers/friendli/models` folder.
        ValueError: A `base_model` names no entry under `models/`.
    """
    folder = root / "providers" / PROVIDER / "models"
    if not folder.is_dir():
        msg = f"{root} is not a models.dev checkout: {folder} does not exist"
        raise FileNotFoundError(msg)
    resolved = {}
    for path in sorted(folder.rglob("*.toml")):
        model_id = path.relative_to(folder).with_suffix("").as_posix()
        entry = _read_toml(path)
        bases = {}
        if "base_model" in entry:
            base_path = root / "models" / f"{entry['base_model']}.toml"
            if base_path.is_file():
                bases[entry["base_model"]] = _read_toml(base_path)
        resolved[model_id] = resolve(entry, bases)
    return resolved


def checkout_document(
    root: Path, source: Source, removals: Sequence[Removal] = REMOVALS
) -> dict[str, Any]:
    """The snapshot built from a models.dev tree at `source`, without `removals`."""
    resolved = read_checkout(root)
    dropped = [r for r in removals if r.id in resolved]
    kept = {k: v for k, v in resolved.items() if k not in {r.id for r in dropped}}
    return {
        "source": {
            "name": f"models.dev, provider '{PROVIDER}'",
            "repository": MODELS_DEV,
            "branch": "main",
            "commit": source.commit,
            "date": source.date,
        },
        "generator": "scripts/refresh_catalog.py --checkout PATH (CONTRIBUTING.md)",
        "notes": [
            (
                "Each entry is providers/friendli/models/<id>.toml with its base_model entry "
                "models/<base>.toml merged in as models.dev's build does (mergeBaseModel)."
            ),
            "pricing: USD per token (models.dev states USD per million tokens).",
            "A field the source does not state is absent (unknown), never guessed.",
            "removed: models main-branch history removed after this commit; left out.",
        ],
        "removed": [r.as_dict() for r in dropped],
        "models": [catalog_entry(model_id, model) for model_id, model in sorted(kept.items())],
    }


def git_source(root: Path) -> Source:
    """The commit and committer date of a git checkout's HEAD.

    Raises:
        ValueError: `root` is not a git checkout.
    """
    if not (root / ".git").exists():  # not the enclosing repository of an extracted tree
        msg = f"{root} is not a git checkout; pass --commit and --date"
        raise ValueError(msg)
    try:
        out = subprocess.run(  # noqa: S603 - git with fixed arguments and the given path
            ["git", "-C", str(root), "log", "-1", "--format=%H %cI"],  # noqa: S607
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError) as error:
        msg = f"{root} is not a git checkout; pass --commit and --date"
        raise ValueError(msg) from error
    return Source(out[0], out[1])


def live_document(
    base_url: str | None, previous: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The snapshot read from Friendli's live catalogs (token from `FRIENDLI_TOKEN`).

    Args:
        base_url: The serverless API prefix (default: Friendli's).
        previous: The snapshot being replaced; its reasoning facts are kept (see the module).
    """
    from friendli_core import FriendliClient  # noqa: PLC0415 - only the live form needs it

    with FriendliClient(base_url=base_url) as client:
        url = client.config.base_url
        models = client.list_models()
    with FriendliClient(base_url=f"{url}/openrouter") as client:
        extra = {m.id: m for m in client.list_models()}
    entries = []
    for model in models:
        entry = model.model_dump(mode="json", exclude_none=True)
        if model.id in extra:
            openrouter = extra[model.id].model_dump(mode="json", exclude_none=True)
            entry = {**{k: v for k, v in openrouter.items() if k != "pricing"}, **entry}
        entries.append(entry)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    notes = ["Entries are the live catalogs' items joined by id, unknown fields kept."]
    if previous is not None:
        notes.append(_keep_reasoning_facts(entries, previous))
    return {
        "source": {
            "name": "Friendli serverless catalog",
            "url": f"GET {url}/models, GET {url}/openrouter/models",
            "date": now,
        },
        "generator": "scripts/refresh_catalog.py with FRIENDLI_TOKEN (CONTRIBUTING.md)",
        "notes": notes,
        "removed": [],
        "models": entries,
    }


def _keep_reasoning_facts(entries: list[dict[str, Any]], previous: Mapping[str, Any]) -> str:
    """Fill each live entry's missing `SNAPSHOT_FACTS` from `previous`; the note saying so."""
    earlier = {m["id"]: m for m in previous.get("models", [])}
    for entry in entries:
        old = earlier.get(entry["id"], {})
        entry.update({k: old[k] for k in SNAPSHOT_FACTS if k not in entry and k in old})
    where = previous.get("source", {})
    origin = " ".join(str(where[k]) for k in ("name", "commit", "date") if where.get(k))
    return f"{', '.join(SNAPSHOT_FACTS)}: where the live catalogs lack them, kept from {origin}."


def render(document: Mapping[str, Any]) -> str:
    """The snapshot file's text (stable: the same source gives the same bytes)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--checkout", type=Path, help="models.dev tree (offline form)")
    parser.add_argument("--commit", help="models.dev commit of --checkout (default: git log)")
    parser.add_argument("--date", help="that commit's date, ISO 8601 (default: git log)")
    parser.add_argument("--base-url", default=None, help="serverless API prefix (live form)")
    parser.add_argument("--output", type=Path, default=SNAPSHOT)
    args = parser.parse_args(argv)
    if args.checkout is None and (args.commit or args.date):
        parser.error("--commit and --date describe a --checkout")
    if bool(args.commit) != bool(args.date):
        parser.error("give --commit and --date together")
    return args


def main(argv: list[str] | None = None) -> int:
    """Build the snapshot from the chosen source and write it; returns the exit status."""
    args = _arguments(argv)
    if args.checkout is not None:
        try:
            source = Source(args.commit, args.date) if args.commit else git_source(args.checkout)
            document = checkout_document(args.checkout, source)
        except (ValueError, FileNotFoundError) as error:
            sys.stderr.write(f"refresh_catalog: {error}\n")
            return 2
        where = f"models.dev {source.commit} ({source.date})"
    else:
        from friendli_core import FriendliError  # noqa: PLC0415 - only the live form needs it

        previous = json.loads(args.output.read_text("utf-8")) if args.output.is_file() else None
        try:
            document = live_document(args.base_url, previous)
        except FriendliError as error:
            sys.stderr.write(f"refresh_catalog: {error}\n")
            return 2
        where = document["source"]["url"]
    args.output.write_text(render(document), "utf-8")
    count = len(document["models"])
    sys.stdout.write(f"wrote {count} models from {where} to {args.output}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
