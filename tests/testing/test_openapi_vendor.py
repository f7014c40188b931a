"""The vendored OpenAPI files agree with each other and with their provenance note.

`tests/spec/friendli-openapi.yaml` is FriendliAI's spec, vendored unmodified (see
`tests/spec/PROVENANCE.md`); `friendli_core/testing/_spec/openapi-components.json` is the closure
of the schemas the local server and the client tests validate against, extracted from it.
`python scripts/refresh_spec.py PATH` vendors a new spec and regenerates the JSON.
"""

from __future__ import annotations

import json

from scripts.refresh_spec import (
    COMPONENTS,
    PROVENANCE,
    ROOTS,
    VENDORED_YAML,
    fingerprint,
    refs,
    render_components,
)


def test_vendored_components_match_the_vendored_spec() -> None:
    assert COMPONENTS.read_text(encoding="utf-8") == render_components(VENDORED_YAML), (
        "run: python scripts/refresh_spec.py tests/spec/friendli-openapi.yaml"
    )


def test_vendored_components_cover_roots() -> None:
    schemas = json.loads(COMPONENTS.read_text(encoding="utf-8"))["components"]["schemas"]
    assert set(ROOTS) <= set(schemas)
    found: set[str] = set()
    refs(schemas, found)
    assert found <= set(schemas), "every $ref must resolve inside the vendored document"


def test_provenance_names_the_vendored_file() -> None:
    size, digest = fingerprint(VENDORED_YAML)
    note = PROVENANCE.read_text(encoding="utf-8")
    assert f"| Size | {size} bytes |" in note
    assert f"| sha256 | `{digest}` |" in note
