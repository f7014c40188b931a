"""Figure (p): each Friendli integration against its framework floor, paired in one process.

`python -m benchmarks.paired INTEGRATION --url URL [--cpu 0] [--quick] [sizes...]` builds the
integration's client and its framework floor (`FRAMEWORK_FLOORS`) in this process, warms both
up, then runs blocks of the same work, alternating which of the two goes first in each pair
(AB, BA, AB, ...) with an untimed `gc.collect()` before every block, and prints one JSON
object: the wall (`perf_counter`) and CPU (`process_time`) seconds of every block of each.

Blocks: (a) `calls` sequential `.call`; (b) one `.stream` of `stream-tokens` tokens; (c) one
batch of `async-calls` `.acall` with `concurrency` in flight, on one event loop kept for the
process. Replies are checked against the server's text after each block, outside the timing.

Why: the same work differs by 20-40 % between two processes on a 2-vCPU VM, more than the 5 %
the issue allows an integration over its framework floor; two blocks next to each other in
one process share that process's luck, so their ratio resolves a few percent. What it does not
measure: first-call costs (imports, building the model, opening connections), which the
warm-up pays and figures (a) to (d) report.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.clients import CLIENTS, FRAMEWORK_FLOORS, Client
from benchmarks.harness import FULL, QUICK
from benchmarks.sse_server import expected_text, pin_to_cpu
from benchmarks.tables import Stat, present

FIGURES = ("a", "b", "c")
SIDES = ("ours", "floor")
SHARED = ("call-tokens", "stream-tokens", "async-calls", "concurrency")  # as figures (a)-(c)
# pairs-X: pairs of blocks per round of figure X (each side runs that many blocks)
SIZES = {"calls": 50, "pairs-a": 10, "pairs-b": 10, "pairs-c": 6, "warmup-blocks": 2}
QUICK_SIZES = {"calls": 5, "pairs-a": 2, "pairs-b": 2, "pairs-c": 2, "warmup-blocks": 1}


def default_sizes(*, quick: bool) -> dict[str, int]:
    shared = QUICK if quick else FULL
    return {**{k: shared[k] for k in SHARED}, **(QUICK_SIZES if quick else SIZES)}


class Pair:
    """The integration and its framework floor in this process, and one event loop for (c)."""

    def __init__(self, integration: str, url: str, sizes: dict[str, int]) -> None:
        names = {"ours": integration, "floor": FRAMEWORK_FLOORS[integration]}
        self.clients = {side: CLIENTS[name](url) for side, name in names.items()}
        self.sizes = sizes
        self.loop = asyncio.new_event_loop()
        self.work: dict[str, Callable[[Client], list[str]]] = {
            "a": self._calls,
            "b": self._stream,
            "c": self._batch,
        }

    def _calls(self, client: Client) -> list[str]:
        tokens = self.sizes["call-tokens"]
        return [client.call(tokens) for _ in range(self.sizes["calls"])]

    def _stream(self, client: Client) -> list[str]:
        return ["".join(client.stream(self.sizes["stream-tokens"]))]

    def _batch(self, client: Client) -> list[str]:
        return self.loop.run_until_complete(self._gather(client))

    async def _gather(self, client: Client) -> list[str]:
        semaphore = asyncio.Semaphore(self.sizes["concurrency"])
        tokens = self.sizes["call-tokens"]

        async def one() -> str:
            async with semaphore:
                return await client.acall(tokens)

        return list(await asyncio.gather(*(one() for _ in range(self.sizes["async-calls"]))))

    def block(self, figure: str, side: str) -> list[float]:
        """One block of `figure`'s work by `side`: [wall s, CPU s]; the replies checked after."""
        gc.collect()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        texts = self.work[figure](self.clients[side])
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        tokens = self.sizes["stream-tokens" if figure == "b" else "call-tokens"]
        if any(text != expected_text(tokens) for text in texts):
            msg = f"{side} ({figure}): wrong reply text"
            raise RuntimeError(msg)
        return [wall, cpu]

    def run(self, figure: str) -> dict[str, list[list[float]]]:
        """Warm both up, then the pairs of blocks, the first of each pair alternating."""
        for side in SIDES:
            for _ in range(self.sizes["warmup-blocks"]):
                self.block(figure, side)
        times: dict[str, list[list[float]]] = {side: [] for side in SIDES}
        for i in range(self.sizes[f"pairs-{figure}"]):
            for side in SIDES if i % 2 == 0 else SIDES[::-1]:
                times[side].append(self.block(figure, side))
        return times

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
            self.loop.run_until_complete(client.aclose())
        self.loop.close()


def measure(integration: str, url: str, sizes: dict[str, int]) -> dict[str, Any]:
    """Every figure of one round; a figure that fails gives its error, not the others'."""
    out: dict[str, Any] = {
        "integration": integration,
        "floor": FRAMEWORK_FLOORS[integration],
        "sizes": sizes,
    }
    pair = Pair(integration, url, sizes)
    try:
        for figure in FIGURES:
            try:
                out[figure] = pair.run(figure)
            except Exception as exc:
                out[figure] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
    finally:
        pair.close()
    return out


# --------------------------------------------------------------------------- summarising


def quartiles(values: list[float]) -> Stat | None:
    """Median and q1-q3 (as `Stat`'s low-high) of the values."""
    if not values:
        return None
    if len(values) == 1:
        return Stat(values[0], values[0], values[0])
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Stat(median, q1, q3)


class Pooled:
    """The pair ratios (integration / floor) of one figure, pooled over every round."""

    def __init__(self, runs: list[dict[str, Any]], figure: str) -> None:
        wall: list[float] = []
        cpu: list[float | None] = []
        errors = [run["error"] for run in runs if "error" in run]
        for run in runs:
            times = run.get(figure, {})
            if "error" in times:
                errors.append(times["error"])
            for ours, floor in zip(times.get("ours", []), times.get("floor", []), strict=True):
                wall.append(ours[0] / floor[0])
                cpu.append(ours[1] / floor[1] if floor[1] else None)
        self.pairs = len(wall)
        self.wall = quartiles(wall)
        self.cpu = quartiles(present(cpu))
        self.error = errors[0] if errors and not wall else None


def describe(runs: list[dict[str, Any]]) -> str:
    """The work of one block of each figure, from the sizes the runs recorded."""
    sizes = next((run["sizes"] for run in runs if "sizes" in run), None)
    if sizes is None:
        return ""
    return (
        f"(a) {sizes['calls']} calls, {sizes['call-tokens']}-token replies; "
        f"(b) one {sizes['stream-tokens']:,}-token stream; (c) one batch of "
        f"{sizes['async-calls']} async calls, {sizes['concurrency']} in flight"
    )


def main(argv: list[str] | None = None) -> None:
    """Command line entry point (one fresh process per integration and round)."""
    parser = argparse.ArgumentParser(description="Integration vs framework floor, paired.")
    parser.add_argument("integration", choices=sorted(FRAMEWORK_FLOORS))
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--cpu", type=int, default=0, help="CPU to pin to; -1 for none")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    for key in default_sizes(quick=False):
        parser.add_argument(f"--{key}", type=int, default=0, help="override the default")
    args = parser.parse_args(argv)
    sizes = default_sizes(quick=args.quick)
    for key in sizes:
        sizes[key] = getattr(args, key.replace("-", "_")) or sizes[key]
    if args.cpu >= 0:
        pin_to_cpu(args.cpu)
    print(json.dumps(measure(args.integration, args.url, sizes)))


if __name__ == "__main__":
    main()
