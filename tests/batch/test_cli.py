"""The friendli-batch command in real subprocesses: help, signals and resume, flat memory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from friendli_core.batch.__main__ import EXIT_INTERRUPTED, parser
from friendli_core.testing import LocalServer, RequestLog
from tests.batch.conftest import (
    MODEL,
    by_id,
    chat_line,
    prompt_of,
    read_output,
    reply_text,
    sent_ids,
    write_jsonl,
)

SCRIPT = Path(sys.executable).with_name("friendli-batch")


def _start(server: LocalServer, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRIENDLI_")}
    env["FRIENDLI_TOKEN"] = server.token
    return subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [str(SCRIPT), *args, "--base-url", server.serverless_url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def _line_count(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_help_documents_every_option_and_takes_no_token() -> None:
    shown = subprocess.run(  # noqa: S603 - our own command
        [str(SCRIPT), "--help"], capture_output=True, text=True, check=True
    ).stdout
    options = [opt for action in parser()._actions for opt in action.option_strings]
    assert {
        "--endpoint",
        "--base-url",
        "--team-id",
        "--concurrency",
        "--max-retries",
        "--timeout",
    } <= set(options)
    for option in options:
        assert option in shown
    assert "FRIENDLI_TOKEN" in shown
    assert "token" not in " ".join(options)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_mid_run_then_resume_sends_every_request_exactly_once(
    tmp_path: Path, friendli_server: LocalServer, friendli_requests: RequestLog, signum: int
) -> None:
    ids = [f"s{i:03d}" for i in range(200)]
    slow = f"fault:delay:0.05/{MODEL}"  # slow replies, so that the signal lands mid-run
    src = write_jsonl(tmp_path / "in.jsonl", (chat_line(i, model=slow) for i in ids))
    out = tmp_path / "out.jsonl"
    first = _start(friendli_server, str(src), str(out), "--concurrency", "4")
    _wait_for(lambda: _line_count(out) >= 20)
    first.send_signal(signum)
    stdout, stderr = first.communicate(timeout=60)
    assert first.returncode == EXIT_INTERRUPTED, stderr
    assert "To resume, run the same command again" in stderr
    assert f"friendli-batch {src} {out} --concurrency 4" in stderr
    done = by_id(read_output(out))  # whole lines only
    assert 20 <= len(done) < len(ids)
    # the requests in flight were let finish: everything sent has its line
    assert sorted(sent_ids(friendli_requests)) == sorted(done)

    friendli_requests.clear()
    second = _start(friendli_server, str(src), str(out), "--concurrency", "4")
    stdout2, stderr2 = second.communicate(timeout=120)
    assert second.returncode == 0, stderr2
    assert not set(sent_ids(friendli_requests)) & set(done), "a finished request was sent again"
    lines = by_id(read_output(out))
    assert sorted(lines) == ids
    for custom_id in ids:
        assert reply_text(lines[custom_id]).endswith(f"You said: {prompt_of(custom_id)}")
    assert f"Finished: 200/200 requests have a line in {out}" in stderr2
    assert f"{len(done)} from earlier runs" in stderr2
    for text in (stdout, stderr, stdout2, stderr2, out.read_text()):
        assert friendli_server.token not in text


def test_a_second_sigint_abandons_the_requests_in_flight(
    tmp_path: Path, friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    ids = [f"h{i}" for i in range(6)]
    src = write_jsonl(
        tmp_path / "in.jsonl", (chat_line(i, model=f"fault:delay:20/{MODEL}") for i in ids)
    )
    out = tmp_path / "out.jsonl"
    proc = _start(friendli_server, str(src), str(out))
    _wait_for(lambda: len(friendli_requests) == len(ids))
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    assert proc.poll() is None, "the first SIGINT waits for the requests in flight"
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=15)
    assert proc.returncode == EXIT_INTERRUPTED, stderr
    assert "Interrupted: 0/6" in stderr
    assert out.read_bytes() == b""


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fast_server_url() -> Iterator[str]:
    """The benchmark harness's server (precomputed replies): 11k requests in seconds, not minutes.

    Memory is what this test measures, not replies (those are checked against the local
    Friendli server above); the local server takes minutes for 11k requests on 2 cores.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.sse_server", "--port", "0", "--cpu", "-1"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().split()[1])
        yield f"http://127.0.0.1:{port}/serverless/v1"
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def _peak_rss_kib(base_url: str, src: Path, out: Path) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRIENDLI_")}
    env["FRIENDLI_TOKEN"] = "flp_memory_test"
    proc = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [str(SCRIPT), str(src), str(out), "--base-url", base_url, "--concurrency", "32"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read() if proc.stderr else ""
    assert proc.returncode == 0, stderr
    return usage.ru_maxrss  # KiB on Linux


@pytest.mark.reliability
@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="ru_maxrss is in KiB on Linux only"
)
def test_memory_stays_flat_over_a_10k_line_input(tmp_path: Path, fast_server_url: str) -> None:
    padding = "x" * 2000  # ~2 KB per line: 10k lines are ~20 MB that a loaded input would hold

    def make(n: int, name: str) -> Path:
        lines = (
            {
                **chat_line(f"m{i}"),
                "body": {
                    "model": MODEL,
                    "messages": [{"role": "user", "content": f"{i} {padding}"}],
                },
            }
            for i in range(n)
        )
        return write_jsonl(tmp_path / name, lines)

    small, large = make(1_000, "small.jsonl"), make(10_000, "large.jsonl")
    extra_input_kib = (large.stat().st_size - small.stat().st_size) // 1024
    small_rss = _peak_rss_kib(fast_server_url, small, tmp_path / "small.out")
    large_rss = _peak_rss_kib(fast_server_url, large, tmp_path / "large.out")
    lines = read_output(tmp_path / "large.out")
    assert len(by_id(lines)) == 10_000
    assert all(line["error"] is None for line in lines)
    growth = large_rss - small_rss
    assert growth < extra_input_kib / 4, (
        f"peak RSS grew {growth} KiB for {extra_input_kib} KiB more input ({small_rss} -> {large_rss})"
    )
