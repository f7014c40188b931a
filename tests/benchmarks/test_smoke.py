"""Smoke test of the benchmark harness: it runs end to end at tiny sizes and writes the table.

No timing is asserted: the numbers of a smoke run on a busy machine mean nothing.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import sse_server
from benchmarks.clients import CLIENTS, FRAMEWORK_FLOORS
from benchmarks.report import FRAMEWORK_TARGET

ROOT = Path(__file__).resolve().parents[2]


def test_server_replies_are_well_formed() -> None:
    chat = sse_server.response_bytes("chat", True, 3, True).decode()
    assert chat.startswith("HTTP/1.1 200 OK")
    events = [
        line[6:]
        for line in chat.split("\r\n")
        if line.startswith("data: ") and "[DONE]" not in line
    ]
    chunks = [json.loads(e.strip()) for e in events]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == sse_server.expected_text(3)
    assert chunks[-1]["usage"]["completion_tokens"] == 3
    assert "data: [DONE]" in chat
    plain = sse_server.response_bytes("completion", False, 4).split(b"\r\n\r\n", 1)[1]
    assert json.loads(plain)["choices"][0]["text"] == sse_server.expected_text(4)


@pytest.mark.timeout(240)
def test_harness_runs_and_writes_the_table(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    raw = tmp_path / "raw.json"
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.run",
        "--quick",
        "--no-peers",
        "--clients",
        "core,core-async,chatfriendli,friendlillm",
        "--modules",
        "httpx,benchmarks.pydantic_floor,friendli_core",
        "--output",
        str(out),
        "--raw",
        str(raw),
    ]
    done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=230, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    for heading in ("## Machine", "## Versions", "## Targets", "### (a)", "### (b)", "### (c)"):
        assert heading in text
    assert "### (d)" in text
    assert "### (e)" in text
    assert "### (f) friendli-batch" in text
    for row in (
        "| httpx.Client (floor) |",
        "| httpx.AsyncClient (floor) |",
        "| friendli_core FriendliClient |",
        "| friendli_core AsyncFriendliClient |",
        "| `friendli_core` | main |",
        "| `benchmarks.pydantic_floor` | main |",
    ):
        assert row in text, row
    assert "failed:" not in text
    # the core's import target row also shows what the first client pays (pydantic loads there)
    assert re.search(
        r"\| import `friendli_core` ≤ `httpx` \+ 30 ms \| [^|]*; then first client", text
    )
    assert "python -m benchmarks.run" in text
    _assert_paired_rows(text)
    results = json.loads(raw.read_text())
    assert set(results["runs"]) == {"a", "b", "c", "f", "p"}


def _assert_paired_rows(text: str) -> None:
    """Figure (p): a target row per integration and figure, with the measured values."""
    number = r"(\d+\.\d+)\u00d7"
    for name in FRAMEWORK_FLOORS:
        for fig in "abc":
            row = (
                rf"\| {re.escape(CLIENTS[name].label)} \({fig}\) ≤ {FRAMEWORK_TARGET:.2f}\u00d7 "
                rf"its framework floor \(paired\) \| {number} \(q1\u2013q3 (\d+\.\d+)\u2013"
                rf"(\d+\.\d+)\), (\d+) pairs; CPU {number} \| (PASS|\*\*FAIL\*\*) \|"
            )
            match = re.search(row, text)
            assert match, (name, fig)
            assert int(match.group(4)) > 0
    assert "| paired wall (q1\u2013q3), n | paired CPU |" in text


@pytest.mark.timeout(300)
def test_scale_figure_runs_and_writes_json_plot_and_section(tmp_path: Path) -> None:
    from benchmarks import scale, scale_report

    raw, png, results = tmp_path / "scale.json", tmp_path / "scale.png", tmp_path / "RESULTS.md"
    results.write_text("# Results\n\n" + "\n".join(scale_report.section(None)) + "\n\n## After\n")
    clients = "httpx-async,httpx-async-keepalive,core-async,chatfriendli,friendlillm"
    cmd = [sys.executable, "-m", "benchmarks.scale", "--quick", "--clients", clients]
    cmd += ["--json", str(raw), "--png", str(png), "--results", str(results)]
    done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=280, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(raw.read_text())
    assert data["versions"]["httpx"]
    assert data["versions"]["httpcore"]
    assert "load average" in data["load_before"]
    assert set(data["points"]) == {p.key for p in scale.QUICK.points}
    for key, by_client in data["points"].items():
        for name, result in by_client.items():
            assert "error" not in result, (key, name, result)
            assert result["requests"] == result["wanted"] > 0
            assert result["conn_per_request"] >= 0
            assert result["warmup_connections"] >= 1
            assert result["peak_rss_mib"] > 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = results.read_text()
    assert text.count(scale_report.BEGIN) == 1
    assert text.endswith("## After\n")  # the section is rewritten in place
    assert "Not measured yet" not in text
    assert "no result:" not in text
    assert f"httpcore {data['versions']['httpcore']}" in text
    assert "| core \u2265 0.9\u00d7 better raw httpx, call@4 |" in text
    assert "connections opened per request \u2264 0.05" in text
    assert "![scale figure](scale.png)" in text
    png.unlink()
    redraw = [sys.executable, "-m", "benchmarks.scale", "--plot-only", "--json", str(raw)]
    done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [*redraw, "--png", str(png)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert png.exists()
