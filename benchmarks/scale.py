"""The scale figure: many requests in flight on one model object, from 16 to 4,096.

`python -m benchmarks.scale` (`make bench-scale`) starts the benchmark server, then runs one
fresh process per client and point (pinned to CPU 0, the server to CPU 1), writes the run's
JSON (`benchmarks/scale.json`), draws its plot (`benchmarks/scale.png`) and rewrites the
scale section of `benchmarks/RESULTS.md`. `--plot-only` redraws the plot from the last JSON.

A point is a number of requests in flight, non-streaming (16-token replies) or streaming
(200-token replies). Its process builds the client, sends a warm-up of at least as many
requests as are in flight (the pool grows to its steady size), then the measured requests,
each with that many in flight (one worker per slot, each sending its next request as soon as
the last one ends). It reports throughput, CPU per request (`time.process_time`), the
connections the server accepted per request during the measured part (the steady state)
and during the warm-up, and the process's peak RSS. Every reply's text is checked. Each part
stops sending at a deadline (a client whose pool collapses would take minutes); what was
sent by then is what is reported, and the row says it was cut short.

`python -m benchmarks.scale point CLIENT --url URL --in-flight N ...` is one such process.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import http.client
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks import scale_report
from benchmarks.clients import CLIENTS, Client
from benchmarks.harness import Env, Server, log, machine, run_json, versions
from benchmarks.sse_server import expected_text, pin_to_cpu
from friendli_core.config import DEFAULT_MAX_CONNECTIONS

__all__ = ["CLIENTS_MEASURED", "FULL", "QUICK", "Point", "main"]

# The clients of the figure, each with its async API: raw httpx twice (its defaults, and every
# connection kept alive), the core, the two integrations and their OpenAI-based peers.
CLIENTS_MEASURED = [
    "httpx-async",
    "httpx-async-keepalive",
    "core-async",
    "chatfriendli",
    "friendlillm",
    "chatopenai",
    "openailike",
]
CALL_TOKENS = 16
# A process that has not answered by then is stopped and reported as such: a pool that scans
# thousands of waiting requests per event can block its event loop past the parts' deadlines.
LIMIT_S = 40.0


@dataclass(frozen=True)
class Point:
    in_flight: int
    stream: bool

    @property
    def key(self) -> str:
        return f"{'stream' if self.stream else 'call'}@{self.in_flight}"


@dataclass(frozen=True)
class Sizes:
    points: tuple[Point, ...]
    stream_tokens: int
    warmup_min: int  # warm-up requests: at least this many, and at least the in-flight count
    requests_min: int  # measured requests: likewise
    deadline_s: float  # per part (warm-up, measured)

    def warmup(self, point: Point) -> int:
        return max(point.in_flight, self.warmup_min)

    def requests(self, point: Point) -> int:
        floor = self.requests_min // 2 if point.stream else self.requests_min
        return max(point.in_flight, floor)


FULL = Sizes(
    points=(
        *(Point(n, stream=False) for n in (16, 256, 1024, 4096)),
        *(Point(n, stream=True) for n in (256, 1024)),
    ),
    stream_tokens=200,
    warmup_min=200,
    requests_min=1000,
    deadline_s=8.0,
)
QUICK = Sizes(
    points=(Point(4, stream=False), Point(8, stream=False), Point(4, stream=True)),
    stream_tokens=5,
    warmup_min=8,
    requests_min=16,
    deadline_s=10.0,
)


# --------------------------------------------------------------------------- one point


def accepted(url: str) -> int:
    """Connections the server has accepted, less those that asked it (each opens one)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.request("GET", "/stats")
        count: int = json.loads(conn.getresponse().read())["accepted"]
    finally:
        conn.close()
    return count


async def _drive(
    client: Client, requests: int, *, in_flight: int, tokens: int, stream: bool, deadline_s: float
) -> int:
    """Send `requests` requests, `in_flight` at a time, until done or the deadline; the count."""
    expected = expected_text(tokens)
    todo = [requests]
    done = [0]
    stop_at = time.monotonic() + deadline_s

    async def one() -> str:
        if stream:
            return "".join([piece async for piece in client.astream(tokens)])
        return await client.acall(tokens)

    async def worker() -> None:
        while todo[0] > 0 and time.monotonic() < stop_at:
            todo[0] -= 1
            text = await one()
            if text != expected:
                msg = f"wrong text ({len(text)} chars, expected {len(expected)})"
                raise RuntimeError(msg)
            done[0] += 1

    workers = [asyncio.create_task(worker()) for _ in range(min(in_flight, requests))]
    # a worker may wait on a collapsed pool long after the deadline: stop waiting soon after it
    finished, pending = await asyncio.wait(workers, timeout=deadline_s + 5)
    for task in pending:
        task.cancel()
    for task in finished:
        task.result()  # a failed request fails the point
    return done[0]


def measure(client: Client, url: str, point: Point, sizes: Sizes) -> dict[str, Any]:
    """The point's figures for `client` in this process (see the module docstring)."""
    tokens = sizes.stream_tokens if point.stream else CALL_TOKENS
    wanted = sizes.requests(point)
    how: dict[str, Any] = {
        "in_flight": point.in_flight,
        "tokens": tokens,
        "stream": point.stream,
        "deadline_s": sizes.deadline_s,
    }

    async def body() -> dict[str, Any]:
        start = accepted(url)
        warm = await _drive(client, sizes.warmup(point), **how)
        after_warmup = accepted(url)
        gc.collect()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        sent = await _drive(client, wanted, **how)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        opened = accepted(url) - after_warmup
        return {
            "requests": sent,
            "wanted": wanted,
            "cut_short": sent < wanted,
            "warmup_requests": warm,
            "rps": sent / wall if sent else 0.0,
            "cpu_ms_per_request": cpu * 1e3 / sent if sent else None,
            "conn_per_request": opened / sent if sent else None,
            "connections_opened": opened,
            "warmup_connections": after_warmup - start,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }

    return asyncio.run(body())


def build(name: str, url: str, pool: int | None) -> Client:
    cls = CLIENTS[name]
    if pool is None:
        return cls(url)
    return cls(url, pool=pool)  # type: ignore[call-arg]  # the core and raw httpx take it


def point_main(args: argparse.Namespace) -> None:
    if args.cpu >= 0:
        pin_to_cpu(args.cpu)
    sizes = QUICK if args.quick else FULL
    point = Point(args.in_flight, stream=args.stream)
    try:
        out = measure(build(args.client, args.url, args.pool), args.url, point, sizes)
    except Exception as exc:
        out = {"error": f"{type(exc).__name__}: {exc}"[:400]}
    print(json.dumps(out), flush=True)
    # leave at once: a client cut short at its deadline may still hold requests in its pool
    os._exit(0)


# --------------------------------------------------------------------------- the run


def _point_cmd(name: str, url: str, point: Point, args: argparse.Namespace, cpu: int) -> list[str]:
    cmd = [sys.executable, "-m", "benchmarks.scale", "point", name, "--url", url]
    cmd += ["--in-flight", str(point.in_flight), "--cpu", str(cpu)]
    if point.stream:
        cmd.append("--stream")
    if args.quick:
        cmd.append("--quick")
    return cmd


def _uptime() -> str:
    try:
        return subprocess.run(
            ["uptime"], capture_output=True, text=True, check=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "load average (1/5/15 min): {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


def _entries(args: argparse.Namespace) -> list[str]:
    """The clients to run: `name`, or `core-async@N` for the core with a pool of N."""
    names = [n for n in args.clients.split(",") if n] if args.clients else list(CLIENTS_MEASURED)
    names += [f"core-async@{int(pool)}" for pool in args.pools.split(",") if pool]
    return names


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every point for every client, a fresh process each; the run's JSON as a dict."""
    sizes = QUICK if args.quick else FULL
    if args.points:
        wanted = set(args.points.split(","))
        sizes = replace(sizes, points=tuple(p for p in sizes.points if p.key in wanted))
    names = _entries(args)
    host = machine()
    cpu_server, cpu_client = (1, 0) if host["cpus"] != "1" else (-1, -1)
    data: dict[str, Any] = {
        "command": "python -m benchmarks.scale " + " ".join(args.argv),
        "generated": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": host,
        "versions": versions(Env("main", sys.executable, [])),
        "load_before": _uptime(),
        "sizes": {
            "stream_tokens": sizes.stream_tokens,
            "call_tokens": CALL_TOKENS,
            "deadline_s": sizes.deadline_s,
            "requests": {p.key: sizes.requests(p) for p in sizes.points},
            "warmup": {p.key: sizes.warmup(p) for p in sizes.points},
        },
        "clients": names,
        "default_max_connections": DEFAULT_MAX_CONNECTIONS,
        "points": {},
    }
    started = time.monotonic()
    server = Server([CALL_TOKENS, sizes.stream_tokens], cpu_server)
    try:
        for index, point in enumerate(sizes.points):
            shift = index % len(names)  # rotate the order so drift does not favour one client
            results = data["points"].setdefault(point.key, {})
            for entry in names[shift:] + names[:shift]:
                name, _, pool = entry.partition("@")
                cmd = _point_cmd(name, server.url, point, args, cpu_client)
                out = run_json([*cmd, "--pool", pool] if pool else cmd, LIMIT_S)
                log(f"scale {point.key} {entry}: {json.dumps(out)[:160]}")
                results[entry] = out
    finally:
        server.close()
    data["load_after"] = _uptime()
    data["elapsed_s"] = round(time.monotonic() - started)
    return data


def main(argv: list[str] | None = None) -> None:
    """Command line entry point: the run (default), `point` (one process), or `--plot-only`."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["point"]:
        parser = argparse.ArgumentParser(description="One point of the scale figure.")
        parser.add_argument("client", choices=sorted(CLIENTS))
        parser.add_argument("--url", required=True)
        parser.add_argument("--in-flight", type=int, required=True)
        parser.add_argument("--stream", action="store_true")
        parser.add_argument("--pool", type=int, default=None)
        parser.add_argument("--quick", action="store_true")
        parser.add_argument("--cpu", type=int, default=0)
        point_main(parser.parse_args(argv[1:]))
        return
    parser = argparse.ArgumentParser(description="The scale figure; writes its JSON and plot.")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    parser.add_argument("--clients", default="", help="comma-separated subset")
    parser.add_argument("--pools", default="", help="also the core with these max_connections")
    parser.add_argument("--points", default="", help="comma-separated subset (call@16,...)")
    parser.add_argument("--json", default=str(scale_report.JSON), help="the run's JSON")
    parser.add_argument("--png", default=str(scale_report.PNG), help="the plot")
    parser.add_argument("--results", default=str(scale_report.RESULTS), help="RESULTS.md")
    parser.add_argument("--plot-only", action="store_true", help="redraw the plot from --json")
    args = parser.parse_args(argv)
    args.argv = argv
    path = Path(args.json)
    if args.plot_only:
        scale_report.plot(json.loads(path.read_text()), Path(args.png))
        return
    data = run(args)
    path.write_text(json.dumps(data, indent=1) + "\n")
    scale_report.plot(data, Path(args.png))
    scale_report.update_results(Path(args.results), data, Path(args.png))
    log(f"wrote {path}, {args.png} and {args.results} ({data['elapsed_s']} s)")


if __name__ == "__main__":
    main()
