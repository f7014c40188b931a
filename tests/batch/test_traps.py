"""friendli-batch without traps (issue #26): the mistakes a newcomer makes, through the command
(`main`, in this process) against the local server."""

from __future__ import annotations

import json
import os
import socket
import stat
from pathlib import Path

import pytest

from friendli_core.batch import STOP_AFTER
from friendli_core.batch.__main__ import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main, parser
from friendli_core.batch._files import drop_error_lines
from friendli_core.testing import LOCAL_TOKEN, LocalServer, RequestLog
from tests.batch.conftest import MODEL, by_id, chat_line, read_output, sent_ids, write_jsonl


def batch(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str | Path,
    token: str | None = LOCAL_TOKEN,
) -> tuple[int, str]:
    if token is not None:
        monkeypatch.setenv("FRIENDLI_TOKEN", token)
    capsys.readouterr()
    status = main([*map(str, args), "--max-retries", "0"])
    return status, capsys.readouterr().err


@pytest.fixture
def src(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "req.jsonl", (chat_line(f"q{i}") for i in range(5)))


@pytest.mark.parametrize("how", ["same path", "symlink"])
def test_output_that_is_the_input_is_refused(  # noqa: PLR0917 - fixtures
    src: Path,
    friendli_server: LocalServer,
    friendli_requests: RequestLog,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    before = src.read_bytes()
    output = src
    if how == "symlink":
        output = src.with_name("link.jsonl")
        output.symlink_to(src)
    status, err = batch(
        capsys, monkeypatch, src, output, "--base-url", friendli_server.serverless_url
    )
    assert status == EXIT_USAGE
    assert f"OUTPUT {output} is the INPUT file" in err
    assert ("through the symlink" in err) == (how == "symlink")
    assert "Nothing was sent." in err
    assert len(friendli_requests) == 0
    assert src.read_bytes() == before


def test_a_missing_input_or_output_folder_is_named(
    src: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, err = batch(capsys, monkeypatch, tmp_path / "nope.jsonl", tmp_path / "out.jsonl")
    assert status == EXIT_USAGE
    assert f"INPUT {tmp_path / 'nope.jsonl'} does not exist." in err
    status, err = batch(capsys, monkeypatch, src, tmp_path / "missing" / "out.jsonl")
    assert status == EXIT_USAGE
    assert f"the directory {tmp_path / 'missing'} does not exist" in err
    assert "Errno" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to a read-only file")
def test_an_unwritable_output_is_named(
    src: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.jsonl"
    out.touch()
    out.chmod(stat.S_IRUSR)
    status, err = batch(capsys, monkeypatch, src, out)
    assert status == EXIT_USAGE
    assert f"OUTPUT {out} cannot be written" in err


def test_a_json_array_is_told_the_format_is_jsonl(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pretty = tmp_path / "req.json"
    pretty.write_text(json.dumps([chat_line(f"q{i}") for i in range(3)], indent=2))
    status, err = batch(capsys, monkeypatch, pretty, tmp_path / "out.jsonl")
    assert status == EXIT_USAGE
    assert "looks like a JSON array, but the format is JSONL" in err
    document = tmp_path / "one.json"
    document.write_text(json.dumps(chat_line("q0"), indent=2))
    status, err = batch(capsys, monkeypatch, document, tmp_path / "out.jsonl")
    assert "looks like a JSON document spread over several lines" in err


def test_no_token_says_which_variable_to_set(
    src: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, err = batch(capsys, monkeypatch, src, tmp_path / "out.jsonl", token=None)
    assert status == EXIT_USAGE
    assert "set the FRIENDLI_TOKEN environment variable" in err
    for python_talk in ("token=", "api_key", "pickl", "keyword"):
        assert python_talk not in err


def test_error_lines_exit_1_and_retry_failed_sends_each_once_more(
    tmp_path: Path,
    friendli_server: LocalServer,
    friendli_requests: RequestLog,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = [f"q{i}" for i in range(8)]
    broken = {"q1": {"temperature": 9}, "q4": {"model": f"fault:status:400/{MODEL}"}}
    src = write_jsonl(tmp_path / "req.jsonl", (chat_line(i, **broken.get(i, {})) for i in ids))
    out = tmp_path / "out.jsonl"
    url = ("--base-url", friendli_server.serverless_url)
    status, err = batch(capsys, monkeypatch, src, out, *url)
    assert status == EXIT_FAILED
    assert "2 request(s) have an error line" in err
    assert "FRIENDLI_TOKEN" not in err  # a 400 is not the token's fault
    write_jsonl(src, map(chat_line, ids))  # the user fixes the input
    friendli_requests.clear()
    status, err = batch(capsys, monkeypatch, src, out, *url)  # a plain resume sends nothing
    assert status == EXIT_FAILED
    assert len(friendli_requests) == 0
    assert "2 request(s) have an error line" in err
    assert f"friendli-batch {src} {out} --base-url" in err
    command = err.splitlines()[-1]  # the summary's advice, then the command to run
    assert command.startswith("  friendli-batch ")
    assert command.endswith(" --retry-failed")
    status, err = batch(capsys, monkeypatch, src, out, *url, "--retry-failed")
    assert status == EXIT_OK, err
    assert sorted(sent_ids(friendli_requests)) == ["q1", "q4"]
    lines = by_id(read_output(out))  # one line per custom_id
    assert set(lines) == set(ids)
    assert all(line["error"] is None for line in lines.values())
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_says_which_variable_to_fix(
    status: int,
    tmp_path: Path,
    friendli_server: LocalServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refused = {"q2": {"model": f"fault:status:{status}/{MODEL}"}}
    ids = [f"q{i}" for i in range(4)]
    src = write_jsonl(tmp_path / "req.jsonl", (chat_line(i, **refused.get(i, {})) for i in ids))
    url = ("--base-url", friendli_server.serverless_url)
    code, err = batch(capsys, monkeypatch, src, tmp_path / "out.jsonl", *url)
    assert code == EXIT_FAILED
    assert "1 request(s) were refused with 401/403" in err
    assert "Set FRIENDLI_TOKEN to a valid Friendli personal access token" in err


def test_dropping_error_lines_keeps_the_file_whole_when_the_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.jsonl"
    good = json.dumps({"custom_id": "a", "response": {}, "error": None})
    bad = json.dumps({"custom_id": "b", "response": None, "error": {"code": "x"}})
    out.write_text(f"{good}\n{bad}\n")
    out.chmod(0o640)
    before = out.read_bytes()

    def full_disk(_: int) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", full_disk)
        with pytest.raises(OSError, match="No space"):
            drop_error_lines(out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]
    assert drop_error_lines(out) == 1
    assert out.read_text() == f"{good}\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_endpoint_stops_early_and_a_fixed_rerun_needs_no_flag(
    tmp_path: Path,
    friendli_server: LocalServer,
    friendli_requests: RequestLog,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = [f"q{i:02d}" for i in range(STOP_AFTER * 4)]
    src = write_jsonl(tmp_path / "req.jsonl", map(chat_line, ids))
    out = tmp_path / "out.jsonl"
    wrong = f"http://127.0.0.1:{_closed_port()}/serverless/v1"
    status, err = batch(capsys, monkeypatch, src, out, "--base-url", wrong, "--concurrency", "2")
    assert status == EXIT_FAILED
    port = wrong.split(":")[2].split("/", maxsplit=1)[0]
    assert (
        f"{STOP_AFTER} requests in a row could not reach POST http://127.0.0.1:{port}/serverless/v1/chat/completions"
        in err
    )
    assert read_output(out) == []  # unanswered: no line
    assert "--retry-failed" not in err
    status, err = batch(capsys, monkeypatch, src, out, "--base-url", friendli_server.serverless_url)
    assert status == EXIT_OK, err
    assert sorted(sent_ids(friendli_requests)) == ids
    assert set(by_id(read_output(out))) == set(ids)


def test_an_occasional_connection_error_is_recorded(
    tmp_path: Path,
    friendli_server: LocalServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dropped = {"q2", "q5"}
    lines = (
        chat_line(f"q{i}", **({"model": f"fault:disconnect/{MODEL}"} if f"q{i}" in dropped else {}))
        for i in range(8)
    )
    src = write_jsonl(tmp_path / "req.jsonl", lines)
    out = tmp_path / "out.jsonl"
    status, _ = batch(
        capsys,
        monkeypatch,
        src,
        out,
        "--base-url",
        friendli_server.serverless_url,
        "--concurrency",
        "1",
    )
    assert status == EXIT_FAILED
    written = by_id(read_output(out))
    assert len(written) == 8
    assert {i for i, line in written.items() if line["error"]} == dropped
    assert {written[i]["error"]["code"] for i in dropped} == {"connection_error"}


def test_help_documents_retry_failed_and_when_a_run_stops() -> None:
    shown = " ".join(parser().format_help().split())
    assert "--retry-failed" in shown
    assert f"After {STOP_AFTER} requests in a row that could not reach the endpoint" in shown


def test_the_batch_guide_documents_when_a_run_stops() -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "batch-cli.md").read_text()
    assert f"After **{STOP_AFTER}** requests in a row fail with a connection error" in guide
    assert "--retry-failed" in guide


def test_directories_are_named_as_such(
    src: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, err = batch(capsys, monkeypatch, tmp_path, tmp_path / "out.jsonl")
    assert status == EXIT_USAGE
    assert f"INPUT {tmp_path} is not a file." in err
    status, err = batch(capsys, monkeypatch, src, tmp_path)
    assert status == EXIT_USAGE
    assert f"OUTPUT {tmp_path} is a directory" in err


def test_dropping_error_lines_of_no_file_or_odd_lines(tmp_path: Path) -> None:
    assert drop_error_lines(tmp_path / "none.jsonl") == 0
    out = tmp_path / "out.jsonl"
    out.write_text('not json\n["a list"]\n{"custom_id": "a", "error": {"code": "x"}}\n')
    assert drop_error_lines(out) == 1
    assert out.read_text() == 'not json\n["a list"]\n'


def test_a_base_url_ending_in_an_api_path_is_refused_in_the_cli_s_terms(
    src: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "http://127.0.0.1:1/serverless/v1/chat/completions"
    with pytest.raises(SystemExit) as exited:
        batch(capsys, monkeypatch, src, tmp_path / "out.jsonl", "--base-url", wrong)
    assert exited.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "argument --base-url: ends in the API path '/chat/completions'" in err
    assert "Pass the prefix before it: --base-url http://127.0.0.1:1/serverless/v1." in err
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(None, id="a copy of INPUT"),
        pytest.param(b"notes\nlast line without a newline", id="a text file"),
        pytest.param(b'{"custom_id": "q9", "body": {}}', id="one JSON line, no newline"),
    ],
)
@pytest.mark.parametrize("retry", [(), ("--retry-failed",)], ids=["resume", "retry"])
def test_an_output_that_is_another_file_is_refused_untouched(  # noqa: PLR0917 - fixtures
    content: bytes | None,
    retry: tuple[str, ...],
    src: Path,
    tmp_path: Path,
    friendli_server: LocalServer,
    friendli_requests: RequestLog,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = tmp_path / "other.jsonl"
    other.write_bytes(src.read_bytes() if content is None else content)
    before = other.read_bytes()
    url = ("--base-url", friendli_server.serverless_url)
    status, err = batch(capsys, monkeypatch, src, other, *url, *retry)
    assert status == EXIT_USAGE
    assert "is not a batch output line" in err
    assert "is it the right file? Nothing was sent." in err
    assert other.read_bytes() == before
    assert len(friendli_requests) == 0
