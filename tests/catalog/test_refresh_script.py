"""`scripts/refresh_catalog.py`: a models.dev tree resolved like models.dev's build, and the
live form read through the local server."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from friendli_core import ModelInfo
from friendli_core.testing import LOCAL_TOKEN, LocalServer
from scripts.refresh_catalog import (
    Removal,
    Source,
    apply_omit,
    checkout_document,
    main,
    merge_deep,
    per_token,
    render,
    resolve,
)

TREE = Path(__file__).parents[1] / "fixtures" / "models_dev"
SOURCE = Source("0" * 40, "2026-07-02T00:40:28+08:00")
GONE = Removal("acme/Gone-1", "2026-07-03", "https://example.invalid/pull/1", "merged")
# A removal of a model the tree does not have is not listed: nothing was left out for it.
ABSENT = Removal("acme/Never-1", "2026-07-04", "https://example.invalid/pull/2", "merged")


def _build() -> dict[str, Any]:
    return checkout_document(TREE, SOURCE, (GONE, ABSENT))


def _models() -> dict[str, dict[str, Any]]:
    return {m["id"]: m for m in _build()["models"]}


def test_an_override_inherits_from_its_base_entry() -> None:
    override = _models()["acme/Override-1"]
    assert override == {
        "id": "acme/Override-1",
        "name": "Base One",  # not set by the provider: the base's
        "context_length": 32768,  # the provider's [limit] wins over the base's, key by key
        # no max_completion_tokens: base_model_omit removed the inherited limit.output
        "pricing": {
            "input": "0.0000003",
            "output": "0.0000012",
            "prompt": "0.0000003",
            "completion": "0.0000012",
            "input_cache_read": "0.00000006",
        },
        "functionality": {"tool_call": True},  # structured_output omitted
        "input_modalities": ["text", "image"],
        "output_modalities": ["text"],
        "reasoning": True,
        "reasoning_options": [{"type": "effort", "values": ["low", "high"]}],
        "interleaved": {"field": "reasoning_content"},
    }
    assert ModelInfo.model_validate(override).context_window == 32768


def test_an_entry_without_base_is_taken_as_written() -> None:
    plain = _models()["acme/Plain-1"]
    assert (plain["context_length"], plain["max_completion_tokens"]) == (4096, 1024)
    assert plain["functionality"] == {"tool_call": False}
    assert plain["reasoning"] is False
    assert "reasoning_options" not in plain  # unknown stays absent
    assert plain["pricing"]["output"] == "0.0000025"


def test_removed_models_are_left_out_and_listed_once() -> None:
    document = _build()
    assert "acme/Gone-1" not in {m["id"] for m in document["models"]}
    assert document["removed"] == [GONE.as_dict()]
    assert document["source"]["commit"] == SOURCE.commit
    assert document["source"]["date"] == SOURCE.date
    assert "commit" not in json.dumps(document["models"])  # the source is recorded once


def test_merge_and_omit_follow_models_dev() -> None:
    base = {"limit": {"context": 1, "output": 2}, "tags": ["a", "b"], "x": {"y": 1}}
    merged = merge_deep(base, {"limit": {"context": 9}, "tags": ["c"], "x": 3})
    assert merged == {"limit": {"context": 9, "output": 2}, "tags": ["c"], "x": 3}
    target: dict[str, Any] = {"a": {"b": {"c": 1}}, "d": {"e": 1, "f": 2}, "g": 1}
    apply_omit(target, ["a.b.c", "d.e", "missing.path", "g.h", "nothing"])
    assert target == {"d": {"f": 2}, "g": 1}  # emptied tables go too; odd paths are ignored
    with pytest.raises(ValueError, match="Unable to resolve base_model: acme/none"):
        resolve({"base_model": "acme/none"}, {})


@pytest.mark.parametrize(
    ("million", "token"),
    [("0.3", "0.0000003"), ("0.50", "0.0000005"), ("1", "0.000001"), ("0.14", "0.00000014")],
)
def test_prices_convert_exactly(million: str, token: str) -> None:
    assert per_token(Decimal(million)) == token


def test_the_script_writes_the_checkout_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "catalog.json"
    argv = ["--checkout", str(TREE), "--commit", SOURCE.commit, "--date", SOURCE.date]
    assert main([*argv, "--output", str(output)]) == 0
    assert "wrote 3 models" in capsys.readouterr().out  # REMOVALS names none of the fixture's
    written = json.loads(output.read_text("utf-8"))
    assert written == checkout_document(TREE, SOURCE)
    # a tree that is not a git checkout needs its commit named
    assert main(["--checkout", str(TREE), "--output", str(output)]) == 2
    assert "pass --commit and --date" in capsys.readouterr().err


def test_the_commit_is_read_from_a_git_checkout(tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    checkout = tmp_path / "models.dev"
    shutil.copytree(TREE, checkout)
    env = {**os.environ, "GIT_AUTHOR_DATE": SOURCE.date, "GIT_COMMITTER_DATE": SOURCE.date}
    for args in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "fixture"],
    ):
        subprocess.run(  # noqa: S603 - git on a temporary fixture copy
            [git, "-C", str(checkout), *args], check=True, env=env
        )
    head = subprocess.run(  # noqa: S603 - git on a temporary fixture copy
        [git, "-C", str(checkout), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    output = tmp_path / "catalog.json"
    assert main(["--checkout", str(checkout), "--output", str(output)]) == 0
    source = json.loads(output.read_text("utf-8"))["source"]
    assert (source["commit"], source["date"]) == (head, SOURCE.date)


def test_the_packaged_snapshot_is_rebuilt_byte_for_byte(tmp_path: Path) -> None:
    repository = os.environ.get("MODELS_DEV_GIT")
    if not repository:
        pytest.skip("MODELS_DEV_GIT (a git clone of anomalyco/models.dev) is not set")
    packaged = resources.files("friendli_core").joinpath("_data/catalog.json").read_text("utf-8")
    source = json.loads(packaged)["source"]
    archive = subprocess.run(  # noqa: S603 - git archive of a named commit
        ["git", "-C", repository, "archive", source["commit"], "providers", "models"],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        pytest.skip(f"{repository} does not hold commit {source['commit']}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tmp_path, filter="data")
    rebuilt = render(checkout_document(tmp_path, Source(source["commit"], source["date"])))
    assert rebuilt == packaged


def test_refresh_writes_the_live_catalogs_with_their_source(
    friendli_server: LocalServer,
    small_model: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FRIENDLI_TOKEN", LOCAL_TOKEN)
    output = tmp_path / "catalog.json"
    before = datetime.now(UTC).replace(microsecond=0)
    assert main(["--base-url", friendli_server.serverless_url, "--output", str(output)]) == 0
    document = json.loads(output.read_text("utf-8"))
    url = friendli_server.serverless_url
    assert document["source"]["url"] == f"GET {url}/models, GET {url}/openrouter/models"
    assert datetime.fromisoformat(document["source"]["date"]) >= before
    models = {m.id: m for m in (ModelInfo.model_validate(e) for e in document["models"])}
    assert models[small_model].context_length == 1024
    # joined from the OpenRouter listing: what /models does not give
    assert models[small_model].supported_features is not None
    assert models[small_model].output_modalities == ["text"]
    assert f"wrote {len(models)} models" in capsys.readouterr().out


def test_a_live_refresh_keeps_the_reasoning_facts_it_cannot_read(
    friendli_server: LocalServer,
    small_model: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Friendli's live catalogs state no reasoning facts: the local server's entry for the
    # default model, registered over the snapshot's, has none either.
    model = "deepseek-ai/DeepSeek-V3.2"
    friendli_server.register_model(model, context_length=163_840)
    monkeypatch.setenv("FRIENDLI_TOKEN", LOCAL_TOKEN)
    output = tmp_path / "catalog.json"
    packaged = resources.files("friendli_core").joinpath("_data/catalog.json").read_text("utf-8")
    output.write_text(packaged, "utf-8")
    try:
        assert main(["--base-url", friendli_server.serverless_url, "--output", str(output)]) == 0
    finally:
        friendli_server.unregister_model(model)
    document = json.loads(output.read_text("utf-8"))
    models = {m["id"]: m for m in document["models"]}
    assert models[model]["reasoning"] is True
    assert models[model]["reasoning_options"] == [{"type": "toggle"}]
    assert models[model]["interleaved"] == {"field": "reasoning_content"}
    assert not {"reasoning", "reasoning_options", "interleaved"} & set(models[small_model])
    commit = json.loads(packaged)["source"]["commit"]
    assert any("kept from" in note and commit in note for note in document["notes"])


def test_a_live_refresh_without_a_token_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("FRIENDLI_TOKEN", raising=False)
    output = tmp_path / "catalog.json"
    assert main(["--base-url", "http://127.0.0.1:9/serverless/v1", "--output", str(output)]) == 2
    assert "FRIENDLI_TOKEN" in capsys.readouterr().err
    assert not output.exists()
