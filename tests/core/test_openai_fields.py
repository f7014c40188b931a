"""OpenAI's field names: vendored from the pinned `openai` SDK, and all in the field table.

`friendli_core/_data/openai_fields.json` is what `scripts/refresh_openai_fields.py` extracts
from the SDK's request TypedDicts; endpoint="openai-compatible" takes exactly those names plus
Friendli's, and every other kind takes Friendli's alone.
"""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path

import pytest

from friendli_core._fields import APIS, BODY_FIELDS, ENDPOINTS, Api, api_fields
from scripts.refresh_openai_fields import TARGET, extract

ROOT = Path(__file__).resolve().parents[2]
VENDORED = json.loads(TARGET.read_text(encoding="utf-8"))


def _pinned_version() -> str:
    """The `openai==X` pin of pyproject's dev extra."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    dev = text.split("\ndev = [", 1)[1].split("\n]", 1)[0]
    found = re.search(r'"openai==([^"]+)"', dev)
    assert found, "pin openai==<version> in the dev extra of pyproject.toml"
    return found.group(1)


def test_the_vendored_list_names_its_source() -> None:
    source = VENDORED["source"]
    assert source["package"] == "openai"
    assert source["version"] == _pinned_version()
    assert set(source["files"]) == set(APIS)


@pytest.mark.skipif(
    metadata.version("openai") != _pinned_version(),
    reason="comparing needs the pinned openai SDK, which the dev extra installs",
)
def test_the_vendored_list_is_what_the_pinned_sdk_declares() -> None:
    assert extract() == VENDORED, "run python scripts/refresh_openai_fields.py"


@pytest.mark.parametrize("api", APIS)
def test_openai_compatible_takes_openai_fields_and_friendlis(api: Api) -> None:
    friendli = {f.name for f in api_fields(api, "serverless")}
    union = {f.name for f in api_fields(api, "openai-compatible")}
    assert union == friendli | set(VENDORED[api])


@pytest.mark.parametrize("api", APIS)
def test_openai_only_fields_are_for_openai_compatible_alone(api: Api) -> None:
    """A field OpenAI has and Friendli's spec lacks is declared for "openai-compatible" only."""
    friendli = {f.name for f in api_fields(api, "serverless")}
    for f in BODY_FIELDS:
        if api in f.apis and f.name not in friendli:
            assert f.endpoints == ("openai-compatible",), f.name
            assert f.name in VENDORED[api], f"{f.name} is not OpenAI's {api} field"


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e != "openai-compatible"])
@pytest.mark.parametrize("api", APIS)
def test_friendli_endpoints_take_the_same_fields(api: Api, endpoint: str) -> None:
    assert api_fields(api, endpoint) == api_fields(api, "serverless")  # type: ignore[arg-type]
