"""The vendored OpenAPI components equal what the shared spec gives.

Run ``python tests/testing/test_openapi_vendor.py`` to regenerate
``friendli_core/testing/_spec/openapi-components.json`` from ``../shared/friendli-openapi.yaml``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED_YAML = ROOT.parent / "shared" / "friendli-openapi.yaml"
VENDORED = ROOT / "friendli_core" / "testing" / "_spec" / "openapi-components.json"

# Roots of the transitive closure that the emulator and the client tests validate against.
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
    "DedicatedEmbeddingsBody",
    "DedicatedEmbeddingsSuccess",
    "ServerlessModelListSuccess",
    "ServerlessToolAssistedChatCompletionBody",
    "ServerlessToolAssistedChatCompletionStreamBody",
    "ServerlessToolAssistedChatCompleteSuccess",
    "ServerlessToolAssistedChatCompletionStreamSuccess",
]


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def extract(yaml_path: Path) -> dict[str, Any]:
    """Return ``{"openapi", "info", "components": {"schemas": closure}}`` from the YAML spec."""
    import yaml

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
        _refs(schemas[name], found)
        todo.extend(found - keep)
    return {
        "openapi": document["openapi"],
        "info": {"title": document["info"]["title"], "version": document["info"]["version"]},
        "components": {"schemas": {name: schemas[name] for name in sorted(keep)}},
    }


def render(yaml_path: Path) -> str:
    return json.dumps(extract(yaml_path), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.mark.skipif(
    not SHARED_YAML.exists(), reason="../shared/friendli-openapi.yaml is not present"
)
def test_vendored_components_match_shared_spec() -> None:
    assert VENDORED.read_text(encoding="utf-8") == render(SHARED_YAML)


def test_vendored_components_cover_roots() -> None:
    schemas = json.loads(VENDORED.read_text(encoding="utf-8"))["components"]["schemas"]
    assert set(ROOTS) <= set(schemas)
    found: set[str] = set()
    _refs(schemas, found)
    assert found <= set(schemas), "every $ref must resolve inside the vendored document"


if __name__ == "__main__":
    VENDORED.write_text(render(SHARED_YAML), encoding="utf-8")
    sys.stdout.write(f"wrote {VENDORED}\n")
