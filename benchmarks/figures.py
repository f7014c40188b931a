"""The figures measured in one fresh process, for one client.

`python -m benchmarks.figures CLIENT FIGURES --url URL [sizes...]` pins itself to CPU 0 (when
the machine has two or more), builds CLIENT pointed at the benchmark server, runs each figure
of the comma-separated FIGURES (`a`, `b`, `c`, `e`, or `probe`) and prints one JSON object
`{figure: result}` on stdout. `python -m benchmarks.figures --import MODULE` is figure (d).
Like `benchmarks/clients.py`, it imports no client library at module level, so it also runs in
the peers environment.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.clients import CLIENTS, TOKEN, Client
from benchmarks.sse_server import MODEL, expected_text, pin_to_cpu

__all__ = ["run_figures"]


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _check(text: str, n: int, what: str) -> None:
    expected = expected_text(n)
    if text != expected:
        msg = f"{what}: wrong text ({len(text)} chars, expected {len(expected)})"
        raise RuntimeError(msg)


def _ns() -> int:
    return time.perf_counter_ns()


def _settle() -> None:
    """Collect the garbage of imports and warm-up before measuring.

    A process that has just imported a framework has a full collection pending (about 70 ms
    with langchain-core loaded); left alone it lands in whichever measured call or stream
    crosses the threshold (with two streams of 200 tokens it multiplied the per-token cost by
    ten). A long-running application paid it long before its first request.
    """
    gc.collect()


def fig_a(client: Client, calls: int, tokens: int, warmup: int) -> dict[str, Any]:
    """(a) Non-streaming call: latency per call (median) and CPU per call (mean)."""
    latencies: list[float] = []
    if client.sync:
        for _ in range(warmup):
            _check(client.call(tokens), tokens, "call")
        _settle()
        cpu0 = time.process_time()
        wall0 = _ns()
        for _ in range(calls):
            t0 = _ns()
            client.call(tokens)
            latencies.append((_ns() - t0) / 1e3)
        wall = (_ns() - wall0) / 1e3
        cpu = (time.process_time() - cpu0) * 1e6
    else:

        async def body() -> tuple[float, float]:
            for _ in range(warmup):
                _check(await client.acall(tokens), tokens, "acall")
            _settle()
            cpu0 = time.process_time()
            wall0 = _ns()
            for _ in range(calls):
                t0 = _ns()
                await client.acall(tokens)
                latencies.append((_ns() - t0) / 1e3)
            result = (_ns() - wall0) / 1e3, (time.process_time() - cpu0) * 1e6
            await client.aclose()
            return result

        wall, cpu = asyncio.run(body())
    return {
        "latency_us": _median(latencies),
        "latency_p90_us": statistics.quantiles(latencies, n=10)[-1] if calls >= 10 else None,
        "cpu_us": cpu / calls,
        "wall_us": wall / calls,
        "calls": calls,
    }


def _stream_stats(times: list[tuple[float, float, float, int]], tokens: int) -> dict[str, Any]:
    # times: (total_us, ttft_us, cpu_us, pieces) per stream
    total = _median([t[0] for t in times])
    return {
        "tokens_per_s": tokens / (total / 1e6),
        "stream_ms": total / 1e3,
        "ttft_us": _median([t[1] for t in times]),
        "cpu_us_per_token": _median([t[2] for t in times]) / tokens,
        "pieces": min(t[3] for t in times),
        "streams": len(times),
        "tokens": tokens,
    }


def fig_b(client: Client, streams: int, tokens: int, warmup: int) -> dict[str, Any]:
    """(b) Streaming: tokens/s over the whole reply and time to first token."""
    times: list[tuple[float, float, float, int]] = []
    if client.sync:
        for _ in range(warmup):
            _check("".join(client.stream(tokens)), tokens, "stream")
        _settle()
        for _ in range(streams):
            cpu0 = time.process_time()
            t0 = _ns()
            first = 0
            parts: list[str] = []
            for piece in client.stream(tokens):
                if not first:
                    first = _ns()
                parts.append(piece)
            end = _ns()
            cpu = (time.process_time() - cpu0) * 1e6
            _check("".join(parts), tokens, "stream")
            times.append(((end - t0) / 1e3, (first - t0) / 1e3, cpu, len(parts)))
    else:

        async def body() -> None:
            for _ in range(warmup):
                _check("".join([p async for p in client.astream(tokens)]), tokens, "astream")
            _settle()
            for _ in range(streams):
                cpu0 = time.process_time()
                t0 = _ns()
                first = 0
                parts: list[str] = []
                async for piece in client.astream(tokens):
                    if not first:
                        first = _ns()
                    parts.append(piece)
                end = _ns()
                cpu = (time.process_time() - cpu0) * 1e6
                _check("".join(parts), tokens, "astream")
                times.append(((end - t0) / 1e3, (first - t0) / 1e3, cpu, len(parts)))
            await client.aclose()

        asyncio.run(body())
    return _stream_stats(times, tokens)


def fig_c(client: Client, calls: int, concurrency: int, repeats: int) -> dict[str, Any]:
    """(c) `calls` async non-streaming calls with `concurrency` in flight: wall time per batch."""
    if not client.has_async():
        msg = "no async API"
        raise RuntimeError(msg)
    tokens = 16

    async def batch() -> None:
        sem = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with sem:
                _check(await client.acall(tokens), tokens, "acall")

        await asyncio.gather(*(one() for _ in range(calls)))

    async def body() -> tuple[list[float], list[float]]:
        await batch()  # warm-up: opens the connections
        _settle()
        walls: list[float] = []
        cpus: list[float] = []
        for _ in range(repeats):
            cpu0 = time.process_time()
            t0 = _ns()
            await batch()
            walls.append((_ns() - t0) / 1e6)
            cpus.append((time.process_time() - cpu0) * 1e3)
        await client.aclose()
        return walls, cpus

    walls, cpus = asyncio.run(body())
    wall = _median(walls)
    return {
        "wall_ms": wall,
        "calls_per_s": calls / (wall / 1e3),
        "cpu_ms": _median(cpus),
        "calls": calls,
        "concurrency": concurrency,
    }


def _rss_kib() -> int:
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class _MemoryTrace:
    """Peak traced memory above the start of a stream, sampled at the token counts `marks`."""

    def __init__(self, marks: list[int]) -> None:
        self.marks = marks
        self.samples: list[dict[str, int]] = []
        self.count = self.chars = self.base = self.t0 = 0

    def start(self) -> None:
        gc.collect()
        tracemalloc.start()
        self.base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        self.t0 = _ns()

    def piece(self, text: str) -> None:
        self.count += 1
        self.chars += len(text)
        if self.count in self.marks:
            current, peak = tracemalloc.get_traced_memory()
            self.samples.append(
                {
                    "tokens": self.count,
                    "chars": self.chars,
                    "current_kib": (current - self.base) // 1024,
                    "peak_kib": (peak - self.base) // 1024,
                    "rss_kib": _rss_kib(),
                }
            )

    def stop(self, tokens: int) -> dict[str, Any]:
        """Stop tracing and summarise: growth per 10k tokens, against the text's own size."""
        seconds = (_ns() - self.t0) / 1e9
        tracemalloc.stop()
        if self.count != tokens or self.chars != len(expected_text(tokens)):
            msg = f"stream gave {self.count} pieces / {self.chars} chars for {tokens} tokens"
            raise RuntimeError(msg)
        first, last = self.samples[0], self.samples[-1]
        per = 10_000 / max(1, last["tokens"] - first["tokens"])
        growth = (last["peak_kib"] - first["peak_kib"]) * per
        text = (last["chars"] - first["chars"]) * per / 1024
        return {
            "samples": self.samples,
            "growth_kib_per_10k": growth,
            "text_kib_per_10k": text,
            "beyond_text_kib_per_10k": max(0.0, growth - text),
            "seconds": seconds,
        }


def fig_e(client: Client, tokens: int) -> dict[str, Any]:
    """(e) One `tokens`-token stream under tracemalloc: peak traced memory at checkpoints.

    The harness keeps no text (it only counts characters), so any growth is the client's; a
    client that keeps the text (e.g. to hand a final message to callbacks) grows by about its
    size, which is reported beside it.
    """
    trace = _MemoryTrace(sorted({max(1, tokens // 10), tokens // 2, tokens}))
    # warm-up with a short stream so lazy imports and pools are not counted
    warm = 50
    if client.sync:
        _check("".join(client.stream(warm)), warm, "stream")
        trace.start()
        for piece in client.stream(tokens):
            trace.piece(piece)
    else:

        async def body() -> None:
            _check("".join([p async for p in client.astream(warm)]), warm, "astream")
            trace.start()
            async for piece in client.astream(tokens):
                trace.piece(piece)
            await client.aclose()

        asyncio.run(body())
    return trace.stop(tokens)


def probe(client: Client) -> dict[str, Any]:
    """A tiny check that the client works against the server (call, stream, async call)."""
    result: dict[str, Any] = {"label": client.label}
    n = 5
    if client.sync:
        _check(client.call(n), n, "call")
        pieces = list(client.stream(n))
    else:

        async def body() -> list[str]:
            _check(await client.acall(n), n, "acall")
            return [p async for p in client.astream(n)]

        pieces = asyncio.run(body())
    _check("".join(pieces), n, "stream")
    result["pieces"] = len(pieces)
    result["note"] = client.probe_note()
    return result


def run_figures(
    name: str, figures: list[str], url: str, args: argparse.Namespace
) -> dict[str, Any]:
    """Build the client and run the figures in this process; errors are returned, not raised."""
    out: dict[str, Any] = {}
    for figure in figures:
        factory: Callable[[], dict[str, Any]]
        client = CLIENTS[name](url)
        if figure == "a":
            factory = functools.partial(fig_a, client, args.calls, args.call_tokens, args.warmup)
        elif figure == "b":
            factory = functools.partial(fig_b, client, args.streams, args.stream_tokens, 1)
        elif figure == "c":
            factory = functools.partial(
                fig_c, client, args.async_calls, args.concurrency, args.repeats
            )
        elif figure == "e":
            factory = functools.partial(fig_e, client, args.mem_tokens)
        elif figure == "probe":
            factory = functools.partial(probe, client)
        else:
            msg = f"unknown figure {figure!r}"
            raise SystemExit(msg)
        try:
            out[figure] = factory()
        except Exception as exc:
            out[figure] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        finally:
            if client.sync:
                client.close()
    return out


IMPORT_SNIPPET = """\
import time, json
def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
r0 = rss()
base = {base!r}
t0 = time.perf_counter()
if base:
    __import__(base)
mark = time.perf_counter()
{statement}
t1 = time.perf_counter()
out = {{"import_ms": (t1 - t0) * 1e3, "rss_kib": rss(), "rss_before_kib": r0}}
if base:
    out["over_ms"] = (t1 - mark) * 1e3
first_use = {first_use!r}
if first_use:
    t2 = time.perf_counter()
    exec(first_use)
    out["first_use_ms"] = (time.perf_counter() - t2) * 1e3
print(json.dumps(out))
"""

# How a user imports each module, where `import MODULE` alone would not load what they use:
# the core package's names load on first access (PEP 562), so time the clients themselves.
IMPORT_STATEMENT = {
    "friendli_core": "from friendli_core import AsyncFriendliClient, FriendliClient",
}

# What a user does right after importing an integration, before the first request: build the
# model and its HTTP client. Reported next to the import time (a module that defers imports
# to first use pays them here), not part of the import targets.
FIRST_USE = {
    "httpx": "httpx.Client()",
    "friendli_core": f"FriendliClient(token={TOKEN!r})",
    "langchain_friendli": (
        f"langchain_friendli.ChatFriendli(model={MODEL!r}, api_key={TOKEN!r}).client"
    ),
    "langchain_openai": f"langchain_openai.ChatOpenAI(model={MODEL!r}, api_key={TOKEN!r}).client",
    "llama_index_friendli": (
        f"llama_index_friendli.FriendliLLM(model={MODEL!r}, api_key={TOKEN!r})._sync_client()"
    ),
    "llama_index.llms.openai_like": (
        f"llama_index.llms.openai_like.OpenAILike(model={MODEL!r}, api_key={TOKEN!r})._get_client()"
    ),
    "langchain_community.chat_models.friendli": (
        "langchain_community.chat_models.friendli.ChatFriendli("
        f"model={MODEL!r}, friendli_token={TOKEN!r}).client"
    ),
    "llama_index.llms.friendli": (
        f"llama_index.llms.friendli.Friendli(model={MODEL!r}, friendli_token={TOKEN!r})._client"
    ),
}


def main(argv: list[str] | None = None) -> None:
    """Command line entry point (one fresh process per client and round)."""
    parser = argparse.ArgumentParser(description="Run benchmark figures for one client.")
    parser.add_argument("client", nargs="?", choices=sorted(CLIENTS))
    parser.add_argument("figures", nargs="?", default="a,b,c")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--cpu", type=int, default=0, help="CPU to pin to; -1 for none")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--call-tokens", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--streams", type=int, default=8)
    parser.add_argument("--stream-tokens", type=int, default=2000)
    parser.add_argument("--async-calls", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--mem-tokens", type=int, default=100_000)
    parser.add_argument("--import", dest="module", help="figure (d): time importing MODULE")
    parser.add_argument(
        "--import-base",
        default="",
        help="(d): import this module first and also time MODULE's import on top of it",
    )
    args = parser.parse_args(argv)
    if args.cpu >= 0:
        pin_to_cpu(args.cpu)
    if args.module:
        code = IMPORT_SNIPPET.format(
            module=args.module,
            statement=IMPORT_STATEMENT.get(args.module, f"import {args.module}"),
            base=args.import_base,
            first_use=FIRST_USE.get(args.module, ""),
        )
        os.execv(sys.executable, [sys.executable, "-c", code])
    if not args.client:
        parser.error("client is required")
    result = run_figures(args.client, args.figures.split(","), args.url, args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
