"""Progress on stderr: plain lines off a terminal, the tqdm bar on one; the summary."""

from __future__ import annotations

import io
from pathlib import Path

from friendli_core.batch import BatchResult
from friendli_core.batch._progress import PlainProgress, make_progress


def test_plain_lines_every_interval_with_rate_and_eta() -> None:
    now = [0.0]
    stream = io.StringIO()
    progress = PlainProgress(100, 20, stream, interval=10.0, clock=lambda: now[0])
    for _ in range(30):
        now[0] += 0.5
        progress.update(failed=False)
    progress.update(failed=True)
    assert stream.getvalue().splitlines() == [
        "friendli-batch: 40/100 done, 0 failed, 2.0 req/s, ETA 30.0s",
    ]
    now[0] = 25.0
    progress.update(failed=False)
    assert (
        stream.getvalue().splitlines()[-1]
        == "friendli-batch: 52/100 done, 1 failed, 1.3 req/s, ETA 37.5s"
    )


def test_a_stream_that_is_not_a_terminal_gets_plain_lines_and_a_bar_can_be_forced() -> None:
    stream = io.StringIO()
    assert isinstance(make_progress(10, 0, stream=stream), PlainProgress)
    bar = make_progress(10, 4, stream=stream, bar=True)
    bar.update(failed=True)
    bar.note("line 3 (custom_id 'x'): bad")
    bar.close()
    shown = stream.getvalue()
    assert "friendli-batch" in shown
    assert "5/10" in shown
    assert "failed=1" in shown
    assert "line 3 (custom_id 'x'): bad" in shown


def test_the_summary_gives_counts_tokens_and_time() -> None:
    result = BatchResult(
        Path("out.jsonl"),
        total=10,
        skipped=2,
        succeeded=6,
        failed=1,
        prompt_tokens=70,
        completion_tokens=30,
        seconds=3.5,
        interrupted=True,
    )
    assert result.summary().splitlines() == [
        "Interrupted: 9/10 requests have a line in out.jsonl (6 succeeded, 1 failed, 2 from earlier runs).",
        "Tokens: 70 prompt + 30 completion = 100",
        "Wall time: 3.5s (2.0 requests/s).",
        (
            "1 request(s) have an error line in out.jsonl; to send them again, run the same "
            "command with --retry-failed."
        ),
    ]
    assert result.remaining == 1
