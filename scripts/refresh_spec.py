"""Vendor a new Friendli OpenAPI YAML and regenerate everything derived from it.

`python scripts/refresh_spec.py PATH/TO/openapi.yaml`:

1. copies the YAML to `tests/spec/friendli-openapi.yaml`;
2. writes its size and sha256 into `tests/spec/PROVENANCE.md` (fill in the source commit and
   date by hand);
3. regenerates `friendli_core/testing/_spec/openapi-components.json`, the closure of the schemas
   the local server and the client tests validate against;
4. regenerates the adapters' field declarations (`scripts/gen_fields.py`).

Then run the tests: `tests/adapters/test_field_coverage.py` names any body field of the new
spec that `friendli_core._fields` does not declare yet.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENDORED_YAML = ROOT / "tests" / "spec" / "friendli-openapi.yaml"
PROVENANCE = ROOT / "tests" / "spec" / "PROVENANCE.md"
COMPONENTS = ROOT / "friendli_core" / "testing" / "_spec" / "openapi-components.json"

# Roots of the transitive closure that the local server and the client tests validate against.
ROOTS = [
    f"{family}{name}"
    for family in ("Serverless", "Dedicated", "Container")
    for name in (
        "ChatCompletionBody",
        "ChatCompletionStreamBody",
        "ChatCompleteSuccess",
        "ChatCompletionStreamSuccess",
        "CompletionsBody",
        "CompletionsStreamBody",
        "CompletionsSuccess",
        "CompletionsStreamSuccess",
        "TokenizationBody",
        "TokenizationSuccess",
        "DetokenizationBody",
        "DetokenizationSuccess",
    )
] + [
    "ServerlessChatRenderBody",
    "ServerlessChatRenderSuccess",
    "DedicatedChatRenderBody",
    "DedicatedChatRenderSuccess",
    "ServerlessModelListSuccess",
    "OpenRouterModelListSuccess",
    "ServerlessToolAssistedChatCompletionBody",
    "ServerlessToolAssistedChatCompletionStreamBody",
    "ServerlessToolAssistedChatCompleteSuccess",
    "ServerlessToolAssistedChatCompletionStreamSuccess",
    "DedicatedEmbeddingsBody",
    "DedicatedEmbeddingsSuccess",
]


def refs(node: Any, found: set[str]) -> None:
    """Add the component names that `node` references (`$ref`) to `found`."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            refs(value, found)
    elif isinstance(node, list):
        for value in node:
            refs(value, found)


def extract(yaml_path: Path) -> dict[str, Any]:
    """Return `{"openapi", "info", "components": {"schemas": closure}}` from the YAML spec."""
    import yaml  # noqa: PLC0415 - a testing extra, only needed here

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(yaml_path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - safe loader
    schemas: dict[str, Any] = document["components"]["schemas"]
    todo = list(ROOTS)
    keep: set[str] = set()
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep.add(name)
        found: set[str] = set()
        refs(schemas[name], found)
        todo.extend(found - keep)
    return {
        "openapi": document["openapi"],
        "info": {"title": document["info"]["title"], "version": document["info"]["version"]},
        "components": {"schemas": {name: schemas[name] for name in sorted(keep)}},
    }


def render_components(yaml_path: Path) -> str:
    """The text of the components JSON for the YAML spec at `yaml_path`."""
    return json.dumps(extract(yaml_path), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def fingerprint(path: Path) -> tuple[int, str]:
    """Size in bytes and sha256 hex digest of a file."""
    data = path.read_bytes()
    return len(data), hashlib.sha256(data).hexdigest()


def main(argv: list[str]) -> int:
    """Vendor the YAML given as the only argument and regenerate what derives from it."""
    if len(argv) != 1:
        sys.stderr.write("usage: python scripts/refresh_spec.py PATH/TO/openapi.yaml\n")
        return 2
    shutil.copyfile(argv[0], VENDORED_YAML)
    size, digest = fingerprint(VENDORED_YAML)
    text = PROVENANCE.read_text(encoding="utf-8")
    text = re.sub(r"\| Size \| \d+ bytes \|", f"| Size | {size} bytes |", text)
    text = re.sub(r"\| sha256 \| `[0-9a-f]{64}` \|", f"| sha256 | `{digest}` |", text)
    PROVENANCE.write_text(text, encoding="utf-8")
    COMPONENTS.write_text(render_components(VENDORED_YAML), encoding="utf-8")
    from scripts import gen_fields  # noqa: PLC0415 - after the spec is in place

    gen_fields.main([])
    sys.stdout.write(f"vendored {argv[0]} ({size} bytes, sha256 {digest})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
