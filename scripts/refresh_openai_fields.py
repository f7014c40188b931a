"""Extract OpenAI's request-body field names from the `openai` SDK into a vendored JSON file.

`python scripts/refresh_openai_fields.py` rewrites `friendli_core/_data/openai_fields.json`
from the installed SDK (install the version pinned in pyproject's dev extra first); `--check`
only reports whether the file matches it. The names are the keys of the SDK's request
TypedDicts, the machine-readable form of OpenAI's API reference:

- chat: `openai/types/chat/completion_create_params.py`, `CompletionCreateParamsBase`
  (with its streaming and non-streaming variants);
- completions: `openai/types/completion_create_params.py`, `CompletionCreateParamsBase`;
- embeddings: `openai/types/embedding_create_params.py`, `EmbeddingCreateParams`.

`stream` is left out: the client's method decides it. `friendli_core._fields` declares every
name here (with its type) for endpoint="openai-compatible"; a test keeps the two in step.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "friendli_core" / "_data" / "openai_fields.json"
METHOD_FIELDS = frozenset({"stream"})
SOURCES = {
    "chat": ("openai/types/chat/completion_create_params.py", "CompletionCreateParamsBase"),
    "completions": ("openai/types/completion_create_params.py", "CompletionCreateParamsBase"),
    "embeddings": ("openai/types/embedding_create_params.py", "EmbeddingCreateParams"),
}


def _keys(typed_dict: Any) -> set[str]:
    return set(typed_dict.__required_keys__) | set(typed_dict.__optional_keys__)


def extract() -> dict[str, Any]:
    """The field names of each API per the installed `openai` SDK, with their provenance."""
    from openai.types import completion_create_params, embedding_create_params  # noqa: PLC0415
    from openai.types.chat import completion_create_params as chat_params  # noqa: PLC0415

    chat = _keys(chat_params.CompletionCreateParamsNonStreaming) | _keys(
        chat_params.CompletionCreateParamsStreaming
    )
    completions = _keys(completion_create_params.CompletionCreateParamsNonStreaming) | _keys(
        completion_create_params.CompletionCreateParamsStreaming
    )
    embeddings = _keys(embedding_create_params.EmbeddingCreateParams)
    return {
        "source": {
            "package": "openai",
            "version": metadata.version("openai"),
            "files": {api: f"{path}: {name}" for api, (path, name) in SOURCES.items()},
            "left_out": sorted(METHOD_FIELDS),
        },
        "chat": sorted(chat - METHOD_FIELDS),
        "completions": sorted(completions - METHOD_FIELDS),
        "embeddings": sorted(embeddings - METHOD_FIELDS),
    }


def rendered() -> str:
    """The file's text for the installed SDK."""
    return json.dumps(extract(), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or with --check, compare) the vendored list; 1 when --check finds it stale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args(argv)
    text = rendered()
    if args.check:
        stale = TARGET.read_text(encoding="utf-8") != text
        sys.stdout.write(f"{TARGET.name} is {'stale' if stale else 'up to date'}\n")
        return int(stale)
    TARGET.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
