"""Figure (f): friendli-batch throughput against a plain `asyncio.gather` loop over the core client.

`python -m benchmarks.batch MODE --url URL --requests N --concurrency C` runs one measurement in
a fresh process (pinned to CPU 0 like the other clients) and prints one JSON object:

* `gather`: read and parse the input file, then `asyncio.gather` over `AsyncFriendliClient.chat`
  with a semaphore of C, keeping the replies (what a user writes by hand, without resume,
  output file or progress);
* `runner`: `friendli_core.batch.arun` on the same file with `concurrency=C`, writing the
  output file (progress lines to /dev/null).

Both build their client inside the timed part, after one warm-up client has loaded pydantic and
the response models. `run.py` calls `measure` for each concurrency in `CONCURRENCIES`, both modes
in fresh processes in alternating order per round, and `table_f` reports requests/s and the
runner's throughput as a ratio of the loop's in the same round (target: `TARGET`).
"""

from __future__ import annotations

import argparse
import asyncio
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


def write_input(path: Path, n: int) -> None:
    with path.open("w") as file:
        for i in range(n):
            body = {
                "model": MODEL,
                "messages": [{"role": "user", "content": f"Say something {i}."}],
            }
            line = {"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions"}
            file.write(json.dumps({**line, "body": body}) + "\n")


async def _gather(src: Path, base_url: str, concurrency: int) -> int:
    from friendli_core import AsyncFriendliClient

    with src.open("rb") as file:
        bodies = [json.loads(line)["body"] for line in file]
    semaphore = asyncio.Semaphore(concurrency)
    async with AsyncFriendliClient(token=TOKEN, base_url=base_url) as client:

        async def one(body: dict[str, Any]) -> str:
            async with semaphore:
                reply = await client.chat(**body)
                return reply.choices[0].message.content or ""

        replies = await asyncio.gather(*(one(body) for body in bodies))
    assert all(text == expected_text(16) for text in replies)
    return len(replies)


async def _runner(src: Path, base_url: str, concurrency: int) -> int:
    from friendli_core.batch import arun

    out = src.with_suffix(".out")
    result = await arun(
        src,
        out,
        token=TOKEN,
        base_url=base_url,
        concurrency=concurrency,
        progress=False,
        progress_stream=io.StringIO(),
    )
    with out.open("rb") as file:
        lines = [json.loads(line) for line in file]
    out.unlink()
    assert result.failed == 0
    assert all(
        line["response"]["body"]["choices"][0]["message"]["content"] == expected_text(16)
        for line in lines
    )
    return result.succeeded


def measure_once(mode: str, url: str, n: int, concurrency: int) -> dict[str, Any]:
    from friendli_core import AsyncFriendliClient

    AsyncFriendliClient(token=TOKEN)  # loads pydantic and the models, outside the timing
    base_url = f"{url}/serverless/v1"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        write_input(src, n)
        work: Callable[..., Any] = _gather if mode == "gather" else _runner
        started = time.perf_counter()
        done = asyncio.run(work(src, base_url, concurrency))
        wall = time.perf_counter() - started
    assert done == n
    return {"wall_s": wall, "req_per_s": n / wall}


# --------------------------------------------------------------------------- in run.py


def measure(
    add: Callable[[str, str, dict[str, Any]], None],
    run_json: Callable[[list[str], float], dict[str, Any]],
    url: str,
    *,
    requests: int,
    rnd: int,
    cpu: int,
) -> None:
    """One round of figure (f): both modes at each concurrency, order alternating by round."""
    for concurrency in CONCURRENCIES:
        modes = MODES if rnd % 2 == 0 else MODES[::-1]
        for mode in modes:
            cmd = [sys.executable, "-m", "benchmarks.batch", mode, "--url", url]
            cmd += ["--requests", str(requests), "--concurrency", str(concurrency)]
            cmd += ["--cpu", str(cpu)]
            add("f", f"{mode}@{concurrency}", {**run_json(cmd, 900), "round": rnd})


def _rounds(runs: dict[str, list[dict[str, Any]]], key: str) -> dict[int, float]:
    return {r["round"]: r["req_per_s"] for r in runs.get(key, []) if "req_per_s" in r}


def table_f(runs: dict[str, list[dict[str, Any]]], requests: int) -> tuple[list[str], list[str]]:
    """The figure's table, and its rows of the Targets table."""
    rows = [
        (
            f"### (f) friendli-batch: {requests} chat requests from a JSONL file "
            "(requests/s, median (min\u2013max) over rounds)"
        ),
        "",
        (
            "| concurrency | `asyncio.gather` over `AsyncFriendliClient` | `friendli_core.batch` "
            "| batch \u00f7 gather (same round) |"
        ),
        "| --- | --- | --- | --- |",
    ]
    targets = []
    for concurrency in CONCURRENCIES:
        loop = _rounds(runs, f"gather@{concurrency}")
        ours = _rounds(runs, f"runner@{concurrency}")
        paired = [ours[r] / loop[r] for r in ours if r in loop]
        if not paired:
            rows.append(f"| {concurrency} | not measured | not measured | \u2013 |")
            continue
        ratio = _span(paired, 2, "\u00d7")
        rows.append(
            f"| {concurrency} | {_span(list(loop.values()), 0)} | {_span(list(ours.values()), 0)} "
            f"| {ratio} |"
        )
        ok = statistics.median(paired) >= TARGET
        targets.append(
            f"| friendli-batch throughput at concurrency {concurrency} \u2265 {TARGET}\u00d7 "
            f"`asyncio.gather` loop (f) | {ratio} | {'pass' if ok else '**FAIL**'} |"
        )
    rows.append("")
    rows.append(
        "The batch runner also streams the input twice (checks, then run), writes and flushes "
        "one output line per request, and adapts its concurrency to 429s; the loop keeps every "
        "reply in memory and writes nothing."
    )
    return rows, targets


def _span(values: list[float], digits: int, suffix: str = "") -> str:
    med, low, high = statistics.median(values), min(values), max(values)
    spec = f"{{:,.{digits}f}}"
    text = spec.format(med) + suffix
    if spec.format(low) != spec.format(high):
        text += f" ({spec.format(low)}\u2013{spec.format(high)})"
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="One figure (f) measurement.")
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("--url", required=True)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--cpu", type=int, default=0)
    args = parser.parse_args(argv)
    if args.cpu >= 0:
        pin_to_cpu(args.cpu)
    print(json.dumps(measure_once(args.mode, args.url, args.requests, args.concurrency)))


if __name__ == "__main__":
    main()
