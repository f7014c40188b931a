"""friendli-batch with --endpoint openai-compatible, against the local strict OpenAI server."""

from __future__ import annotations

from pathlib import Path

import pytest

from friendli_core.batch.__main__ import EXIT_OK, EXIT_USAGE, main
from friendli_core.testing import LocalServer
from tests import atoma
from tests.batch.conftest import by_id, read_output, write_jsonl

KEY = atoma.KEY


def _lines() -> list[dict[str, object]]:
    completion = {**atoma.REQUEST, "prompt": "Hello!"}
    chat = {"model": atoma.MODEL, "messages": [{"role": "user", "content": "Hi"}], "user": "u-1"}
    return [
        {"custom_id": "c1", "method": "POST", "url": "/v1/completions", "body": completion},
        {"custom_id": "c2", "method": "POST", "url": "/v1/chat/completions", "body": chat},
    ]


def test_a_batch_runs_on_an_openai_compatible_server(
    strict_openai_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRIENDLI_TOKEN", "flp_friendli_secret_0123")  # must not be sent
    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_COMPATIBLE_BASE_URL", strict_openai_server.container_url)
    strict_openai_server.requests.clear()
    source, output = write_jsonl(tmp_path / "in.jsonl", _lines()), tmp_path / "out.jsonl"
    assert main([str(source), str(output), "--endpoint", "openai-compatible"]) == EXIT_OK
    lines = by_id(read_output(output))
    completion = lines["c1"]["response"]["body"]["choices"][0]
    atoma.assert_integer_logprobs(completion["logprobs"])
    assert lines["c2"]["response"]["status_code"] == 200
    sent = {r.path: r for r in strict_openai_server.requests.snapshot()}
    assert sent["/v1/completions"].body == {**atoma.REQUEST, "prompt": "Hello!"}
    assert all(r.token_matches(KEY) for r in sent.values())


def test_the_kind_needs_a_base_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_COMPATIBLE_BASE_URL", raising=False)
    monkeypatch.setenv("FRIENDLI_BASE_URL", "http://127.0.0.1:9/v1")  # not read for this kind
    source = write_jsonl(tmp_path / "in.jsonl", _lines())
    code = main([str(source), str(tmp_path / "out.jsonl"), "--endpoint", "openai-compatible"])
    assert code == EXIT_USAGE
    assert "OPENAI_COMPATIBLE_BASE_URL" in capsys.readouterr().err


def test_a_refused_key_names_the_kinds_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", "oc-wrong-key")
    source = write_jsonl(tmp_path / "in.jsonl", _lines())
    with LocalServer(openai_strict=True, container_auth=True, tokens=[KEY]) as locked:
        args = [str(source), str(tmp_path / "out.jsonl"), "--endpoint", "openai-compatible"]
        main([*args, "--base-url", locked.container_url, "--max-retries", "0"])
    err = capsys.readouterr().err
    assert "refused with 401/403" in err
    assert "Set OPENAI_COMPATIBLE_API_KEY to a valid key of the server" in err
    assert "FRIENDLI_TOKEN" not in err
