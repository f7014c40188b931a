"""Figure (f): friendli-batch throughput against a plain `asyncio.gather` loop over the core client.

`python -m benchmarks.batch --url URL --requests N --concurrency C --pairs P` runs one
measurement in a fresh process (pinned to CPU 0 like the other clients) and prints one JSON
object with P pairs of wall times, the two modes alternating (AB, BA, ...):

* `gather`: read and parse the input file, then `asyncio.gather` over `AsyncFriendliClient.chat`
  with a semaphore of C, keeping the replies (what a user writes by hand, without resume,
  output file or progress);
* `runner`: `friendli_core.batch.arun` on the same file with `concurrency=C`, writing the
  output file (progress lines to a string).

Each builds its client inside the timed part, after one warm-up client has loaded pydantic and
the response models; each run's replies are checked after its timing. The two modes share a
process because separate processes on a small VM differ by more than the target's margin;
`run.py` calls `measure` for each concurrency in `CONCURRENCIES` once per round, and `table_f`
reports requests/s of each mode and the runner's throughput as a ratio of the loop's, per pair,
pooled over the rounds (target: `TARGET`).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.sse_server import MODEL, expected_text, pin_to_cpu

CONCURRENCIES = (1, 16, 64)
REQUESTS = 1000
QUICK_REQUESTS = 20
TARGET = 0.9
TOKEN = "bench-token"
MODES = ("gather", "runner")
PAIRS = 2


def write_input(path: Path, n: int) -> None:
    with path.open("w") as file:
        for i in range(n):
            body = {
                "model": MODEL,
                "messages": [{"role": "user", "content": f"Say something {i}."}],
            }
            line = {"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions"}
            file.write(json.dumps({**line, "body": body}) + "\n")


async def _gather(src: Path, base_url: str, concurrency: int) -> list[str]:
    from friendli_core import AsyncFriendliClient

    with src.open("rb") as file:
        bodies = [json.loads(line)["body"] for line in file]
    semaphore = asyncio.Semaphore(concurrency)
    async with AsyncFriendliClient(token=TOKEN, base_url=base_url) as client:

        async def one(body: dict[str, Any]) -> str:
            async with semaphore:
                reply = await client.chat(**body)
                return reply.choices[0].message.content or ""

        return await asyncio.gather(*(one(body) for body in bodies))


async def _runner(src: Path, base_url: str, concurrency: int) -> Path:
    from friendli_core.batch import arun

    out = src.with_suffix(".out")
    out.unlink(missing_ok=True)
    result = await arun(
        src,
        out,
        token=TOKEN,
        base_url=base_url,
        concurrency=concurrency,
        progress=False,
        progress_stream=io.StringIO(),
    )
    assert result.failed == 0
    return out


def _check(produced: list[str] | Path, n: int) -> None:
    """The replies of one run (the loop's texts, or the runner's output file), after its timing."""
    if isinstance(produced, Path):
        with produced.open("rb") as file:
            lines = [json.loads(line) for line in file]
        produced = [line["response"]["body"]["choices"][0]["message"]["content"] for line in lines]
    assert len(produced) == n
    assert all(text == expected_text(16) for text in produced)


def measure_pairs(url: str, n: int, concurrency: int, pairs: int) -> dict[str, Any]:
    """`pairs` pairs of (gather, runner) wall times in this process, order alternating."""
    from friendli_core import AsyncFriendliClient

    AsyncFriendliClient(token=TOKEN)  # loads pydantic and the models, outside the timing
    base_url = f"{url}/serverless/v1"
    works: dict[str, Callable[..., Any]] = {"gather": _gather, "runner": _runner}
    walls: dict[str, list[float]] = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        write_input(src, n)
        for mode in MODES:  # warm-up: connections, caches, first-use imports
            _check(asyncio.run(works[mode](src, base_url, concurrency)), n)
        for i in range(pairs):
            for mode in MODES if i % 2 == 0 else MODES[::-1]:
                gc.collect()
                started = time.perf_counter()
                produced = asyncio.run(works[mode](src, base_url, concurrency))
                walls[mode].append(time.perf_counter() - started)
                _check(produced, n)
    return {"pairs": list(zip(walls["gather"], walls["runner"], strict=True)), "requests": n}


# --------------------------------------------------------------------------- in run.py


def measure(
    add: Callable[[str, str, dict[str, Any]], None],
    run_json: Callable[[list[str], float], dict[str, Any]],
    url: str,
    *,
    requests: int,
    rnd: int,
    cpu: int,
    pairs: int = PAIRS,
) -> None:
    """One round of figure (f): a fresh process per concurrency, both modes paired in it."""
    for concurrency in CONCURRENCIES:
        cmd = [sys.executable, "-m", "benchmarks.batch", "--url", url, "--requests", str(requests)]
        cmd += ["--concurrency", str(concurrency), "--pairs", str(pairs), "--cpu", str(cpu)]
        add("f", f"pairs@{concurrency}", {**run_json(cmd, 900), "round": rnd})


def _pairs(runs: dict[str, list[dict[str, Any]]], concurrency: int) -> list[tuple[float, float]]:
    return [
        (gather, runner)
        for run in runs.get(f"pairs@{concurrency}", [])
        for gather, runner in run.get("pairs", [])
    ]


def table_f(runs: dict[str, list[dict[str, Any]]], requests: int) -> tuple[list[str], list[str]]:
    """The figure's table, and its rows of the Targets table."""
    rows = [
        (
            f"### (f) friendli-batch: {requests} chat requests from a JSONL file "
            "(requests/s, median (min\u2013max) over runs; ratio: median (q1\u2013q3) of pairs)"
        ),
        "",
        (
            "| concurrency | `asyncio.gather` over `AsyncFriendliClient` | `friendli_core.batch` "
            "| batch \u00f7 gather (paired) | pairs |"
        ),
        "| --- | --- | --- | --- | ---: |",
    ]
    targets = []
    for concurrency in CONCURRENCIES:
        pairs = _pairs(runs, concurrency)
        if not pairs:
            rows.append(f"| {concurrency} | not measured | not measured | \u2013 | 0 |")
            continue
        ratios = [gather / runner for gather, runner in pairs]  # runner's throughput / loop's
        ratio = _quartiles(ratios)
        loop = [requests / gather for gather, _ in pairs]
        ours = [requests / runner for _, runner in pairs]
        rows.append(
            f"| {concurrency} | {_span(loop, 0)} | {_span(ours, 0)} | {ratio} | {len(pairs)} |"
        )
        ok = statistics.median(ratios) >= TARGET
        targets.append(
            f"| friendli-batch throughput at concurrency {concurrency} \u2265 {TARGET}\u00d7 "
            f"`asyncio.gather` loop (f, paired) | {ratio} | {'pass' if ok else '**FAIL**'} |"
        )
    rows.append("")
    rows.append(
        "The batch runner also streams the input twice (checks, then run), writes and flushes "
        "one output line per request, and adapts its concurrency to 429s; the loop keeps every "
        "reply in memory and writes nothing. Both run in one process per round and concurrency, "
        "alternating, and a pair's ratio compares two neighbouring runs."
    )
    return rows, targets


def _quartiles(values: list[float]) -> str:
    med = statistics.median(values)
    if len(values) < 2:  # quartiles need two values
        return f"{med:.2f}\u00d7"
    q1, _, q3 = statistics.quantiles(values, n=4)
    return f"{med:.2f}\u00d7 ({q1:.2f}\u2013{q3:.2f})"


def _span(values: list[float], digits: int, suffix: str = "") -> str:
    med, low, high = statistics.median(values), min(values), max(values)
    spec = f"{{:,.{digits}f}}"
    text = spec.format(med) + suffix
    if spec.format(low) != spec.format(high):
        text += f" ({spec.format(low)}\u2013{spec.format(high)})"
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One figure (f) measurement.")
    parser.add_argument("--url", required=True)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--pairs", type=int, default=PAIRS)
    parser.add_argument("--cpu", type=int, default=0)
    args = parser.parse_args(argv)
    if args.cpu >= 0:
        pin_to_cpu(args.cpu)
    print(json.dumps(measure_pairs(args.url, args.requests, args.concurrency, args.pairs)))


if __name__ == "__main__":
    main()
