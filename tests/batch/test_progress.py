"""Progress on stderr: plain lines off a terminal, the tqdm bar on one; the summary."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from friendli_core.batch import BatchResult
from friendli_core.batch._progress import PlainProgress, make_progress, usd
from friendli_core.pricing import UsageCounts


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


def test_the_summary_gives_counts_tokens_cost_per_model_and_time() -> None:
    result = BatchResult(
        Path("out.jsonl"), total=10, skipped=2, succeeded=6, failed=1, seconds=3.5, interrupted=True
    )
    result.usage.add("a/priced", UsageCounts(40, 10, 8), Decimal("0.0000004"))
    result.usage.add("a/priced", UsageCounts(20, 10), Decimal("0.00000025"))
    result.usage.add("b/free?", UsageCounts(10, 10), None)
    assert result.summary().splitlines() == [
        "Interrupted: 9/10 requests have a line in out.jsonl (6 succeeded, 1 failed, 2 from earlier runs).",
        "Tokens: 70 prompt (8 cached) + 30 completion = 100 tokens",
        "Estimated cost: $0.00000065 (1 unpriced reply not included)",
        "  a/priced: 2 replies, 60 prompt (8 cached) + 20 completion = 80 tokens, cost $0.00000065",
        "  b/free?: 1 reply, 10 prompt (0 cached) + 10 completion = 20 tokens, cost unknown (no catalog price)",
        "Wall time: 3.5s (2.0 requests/s).",
        (
            "1 request(s) have an error line in out.jsonl; to send them again, run the same "
            "command with --retry-failed."
        ),
    ]
    assert (result.prompt_tokens, result.completion_tokens) == (70, 30)
    assert result.estimated_cost == Decimal("0.00000065")
    assert usd(Decimal("1E-7")) == "$0.0000001"
    assert usd(Decimal(0)) == "$0"
    assert result.remaining == 1
