"""`scripts/refresh_catalog.py` writes a snapshot the loader reads, with source and date."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from friendli_core import ModelInfo
from friendli_core.testing import LOCAL_TOKEN, LocalServer
from scripts.refresh_catalog import main


def test_refresh_writes_the_live_catalog_with_its_source(
    friendli_server: LocalServer,
    small_model: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FRIENDLI_TOKEN", LOCAL_TOKEN)
    output = tmp_path / "catalog.json"
    assert main(["--base-url", friendli_server.serverless_url, "--output", str(output)]) == 0
    document = json.loads(output.read_text("utf-8"))
    url = f"{friendli_server.serverless_url}/models"
    assert document["source"] == f"GET {url}"
    assert document["retrieved"] == datetime.now(UTC).date().isoformat()
    models = [ModelInfo.model_validate(entry) for entry in document["models"]]
    assert small_model in {m.id for m in models}
    assert set(document["provenance"]) == {m.id for m in models}
    assert f"wrote {len(models)} models" in capsys.readouterr().out
