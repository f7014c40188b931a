"""Run every benchmark figure for every client and write `benchmarks/RESULTS.md`.

`python -m benchmarks.run [--rounds N] [--quick] [--output PATH] [--no-peers]`

* One server process (`benchmarks.sse_server`) pinned to CPU 1; every client process pinned to
  CPU 0 (when the machine has two CPUs or more).
* For each round, each figure and each client: a fresh process
  (`python -m benchmarks.clients CLIENT FIGURE ...`) that prints JSON. The client order is
  rotated every round so slow drift of the machine does not always hit the same client.
* Ratios to the floor (raw httpx, sync or async to match the client, in the same environment)
  are computed per round, then summarised as median and min-max over the rounds.
* Peers whose packages conflict with the project live in `benchmarks/.work/peers` (a separate
  venv); they are run with that venv's Python and compared with an httpx floor measured in
  that same venv. A client that cannot be imported or fails its probe is reported as
  "not measured" with the reason.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import batch as batch_bench
from benchmarks.clients import CLIENTS, Client

DASH = "\u2013"  # en dash, for ranges and empty cells
TIMES = "\u00d7"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "benchmarks" / "RESULTS.md"
PEERS_PYTHON = ROOT / "benchmarks" / ".work" / "peers" / "bin" / "python"
RAW_OUTPUT = ROOT / "benchmarks" / ".work" / "results.json"
PYCACHE = ROOT / "benchmarks" / ".work" / "pycache"


def child_env() -> dict[str, str]:
    """The environment of every child process: bytecode caching on, in a private tree.

    With `PYTHONDONTWRITEBYTECODE` set (as here) and a venv installed without `.pyc` files,
    every process would compile every module from source, which would dominate process start
    and make import times meaningless. A user's `pip install` has bytecode, so we cache it,
    under benchmarks/.work/pycache so neither the venvs nor the work tree are written to.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


MAIN_CLIENTS = [
    "httpx",
    "httpx-async",
    "core",
    "core-async",
    "chatfriendli",
    "friendlillm",
    "lc-floor",
    "li-floor",
    "chatopenai",
    "openailike",
]
PEER_CLIENTS = ["httpx", "httpx-async", "community-chatfriendli", "llamaindex-friendli"]

# (module, env, baseline imported first in the same process, which it is compared with)
_LC = "langchain_core.language_models.chat_models"
_LI = "llama_index.core.llms"
IMPORTS: list[tuple[str, str, str | None]] = [
    ("httpx", "main", None),
    # what any pydantic-based client pays for pydantic: friendli_core's first client pays it
    ("benchmarks.pydantic_floor", "main", "httpx"),
    ("friendli_core", "main", "httpx"),
    (_LC, "main", None),
    ("langchain_friendli", "main", _LC),
    ("langchain_openai", "main", _LC),
    (_LI, "main", None),
    ("llama_index_friendli", "main", _LI),
    ("llama_index.llms.openai_like", "main", _LI),
    ("httpx", "peers", None),
    (_LC, "peers", None),
    ("langchain_community.chat_models.friendli", "peers", _LC),
    (_LI, "peers", None),
    ("llama_index.llms.friendli", "peers", _LI),
]

VERSION_DISTS = [
    "friendli-integrations",
    "httpx",
    "httpx-sse",
    "httpcore",
    "h11",
    "pydantic",
    "pydantic-core",
    "langchain-core",
    "langchain-openai",
    "openai",
    "llama-index-core",
    "llama-index-llms-openai",
    "llama-index-llms-openai-like",
    "langchain-community",
    "friendli-client",
    "llama-index-llms-friendli",
]

FULL = {
    "calls": 300,
    "call-tokens": 16,
    "warmup": 20,
    "streams": 4,
    "stream-tokens": 2000,
    "async-calls": 200,
    "concurrency": 50,
    "repeats": 3,
    "mem-tokens": 100_000,
}
QUICK = {
    "calls": 20,
    "call-tokens": 16,
    "warmup": 3,
    "streams": 2,
    "stream-tokens": 200,
    "async-calls": 20,
    "concurrency": 5,
    "repeats": 1,
    "mem-tokens": 2000,
}

# Targets from the issue (median x floor).
TARGETS: dict[str, dict[str, float]] = {
    "core": {"a": 1.10, "b": 1.10},
    "core-async": {"a": 1.10, "b": 1.10, "c": 1.10},
    "chatfriendli": {"a": 1.4, "b": 2.0, "c": 1.3},
    "friendlillm": {"a": 1.4, "b": 2.0, "c": 1.3},
}
IMPORT_TARGETS = {"friendli_core": 30.0, "langchain_friendli": 50.0, "llama_index_friendli": 50.0}
PEERS_OF = {
    "chatfriendli": ["chatopenai", "community-chatfriendli"],
    "friendlillm": ["openailike", "llamaindex-friendli"],
    "core": ["chatopenai", "community-chatfriendli", "openailike", "llamaindex-friendli"],
}
PEER_IMPORTS = {
    "langchain_friendli": ["langchain_openai", "langchain_community.chat_models.friendli"],
    "llama_index_friendli": ["llama_index.llms.openai_like", "llama_index.llms.friendli"],
}
FLAT_TOLERANCE_KIB = 16.0
CPU_METRIC = {"a": "cpu_us", "b": "cpu_us_per_token", "c": "cpu_ms"}
CPU_UNIT = {
    "a": "\u00b5s/call",
    "b": "\u00b5s/token",
    "c": "ms/batch",
}  # growth per 10k tokens beyond the text still called "flat"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Env:
    name: str
    python: str
    clients: list[str]
    versions: dict[str, str] = field(default_factory=dict)


@dataclass
class Results:
    sizes: dict[str, int]
    rounds: int
    envs: dict[str, Env]
    skipped: dict[str, str] = field(default_factory=dict)  # "env:client" -> reason
    notes: dict[str, str] = field(default_factory=dict)
    runs: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    imports: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # "env:module"
    memory: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, figure: str, key: str, value: dict[str, Any]) -> None:
        self.runs.setdefault(figure, {}).setdefault(key, []).append(value)


# --------------------------------------------------------------------------- processes


class Server:
    """The SSE server in its own process, pinned to CPU 1."""

    def __init__(self, warm: list[int], cpu: int) -> None:
        cmd = [sys.executable, "-m", "benchmarks.sse_server", "--port", "0", "--cpu", str(cpu)]
        cmd += ["--warm", ",".join(str(n) for n in warm)]
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("PORT "):
            self.close()
            msg = f"benchmark server did not start: {line!r}"
            raise RuntimeError(msg)
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait(timeout=5)


def _run_json(cmd: list[str], timeout: float) -> dict[str, Any]:
    try:
        done = subprocess.run(
            cmd,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=child_env(),
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {done.returncode}: {tail}"[:400]}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _client_cmd(
    env: Env, client: str, figures: str, url: str, sizes: dict[str, int], *, cpu: int
) -> list[str]:
    cmd = [env.python, "-m", "benchmarks.clients", client, figures, "--url", url]
    cmd += ["--cpu", str(cpu)]
    for key, value in sizes.items():
        cmd += [f"--{key}", str(value)]
    return cmd


def _versions(env: Env) -> dict[str, str]:
    code = (
        "import json, importlib.metadata as m\n"
        "out = {}\n"
        f"for d in {VERSION_DISTS!r}:\n"
        "    try: out[d] = m.version(d)\n"
        "    except m.PackageNotFoundError: pass\n"
        "import sys; out['python'] = sys.version.split()[0]\n"
        "print(json.dumps(out))\n"
    )
    return _run_json([env.python, "-c", code], 60)


def _machine() -> dict[str, str]:
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        memory = f"{int(mem) / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        memory = "unknown"
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return {
        "cpu": model,
        "cpus": str(cpus),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
    }


# --------------------------------------------------------------------------- running


def _has_async(name: str) -> bool:
    return CLIENTS[name].acall is not Client.acall


def _figures_for(name: str, wanted: list[str]) -> list[str]:
    return [f for f in wanted if f != "c" or _has_async(name)]


def run_all(args: argparse.Namespace) -> Results:
    sizes = dict(QUICK if args.quick else FULL)
    if args.mem_tokens:
        sizes["mem-tokens"] = args.mem_tokens
    rounds = args.rounds or (1 if args.quick else 7)
    figures = [f.strip() for f in args.figures.split(",") if f.strip()]
    wanted_clients = set(args.clients.split(",")) if args.clients else None

    envs = {"main": Env("main", sys.executable, list(MAIN_CLIENTS))}
    peers_python = Path(args.peers_python)
    results = Results(sizes=sizes, rounds=rounds, envs=envs)
    if args.no_peers:
        for name in PEER_CLIENTS[2:]:
            results.skipped[f"peers:{name}"] = "not run (--no-peers)"
    elif peers_python.exists():
        envs["peers"] = Env("peers", str(peers_python), list(PEER_CLIENTS))
    else:
        for name in PEER_CLIENTS[2:]:
            results.skipped[f"peers:{name}"] = (
                f"not installed: no peers venv at {peers_python.relative_to(ROOT)} "
                "(`make bench` creates it; see benchmarks/README.md)"
            )
    for env in envs.values():
        env.versions = _versions(env)
        if wanted_clients is not None:
            env.clients = [c for c in env.clients if c in wanted_clients or c.startswith("httpx")]

    cpu_server, cpu_client = (1, 0) if _machine()["cpus"] != "1" else (-1, -1)
    warm = [sizes["call-tokens"], sizes["stream-tokens"], sizes["mem-tokens"]]
    server = Server(warm, cpu_server)
    started = time.monotonic()
    load_before = os.getloadavg()
    try:
        grouped = args.quick
        if grouped:  # one process per client for everything: fast, for the smoke test
            _grouped(results, figures, server.url, cpu_client)
        else:
            _probe(results, server.url, sizes, cpu_client)
            for rnd in range(rounds):
                log(f"round {rnd + 1}/{rounds}")
                figs = [f for f in figures if f in "abc"]
                _round(results, rnd, figs, server.url, cpu=cpu_client, per_figure=args.per_figure)
            if "e" in figures:
                _memory(results, server.url, cpu_client)
        if "f" in figures:
            _batch(results, server.url, rounds, cpu_client, quick=args.quick)
        if "d" in figures:
            modules = set(args.modules.split(",")) if args.modules else None
            import_rounds = args.import_rounds or rounds
            _imports(results, import_rounds, cpu_client, warm=not args.quick, modules=modules)
    finally:
        server.close()
    results.notes["load"] = (
        "load average (1/5/15 min) before {:.2f}/{:.2f}/{:.2f}, after {:.2f}/{:.2f}/{:.2f}".format(
            *load_before, *os.getloadavg()
        )
    )
    results.notes["elapsed"] = f"{time.monotonic() - started:.0f} s"
    return results


def _probe(results: Results, url: str, sizes: dict[str, int], cpu: int) -> None:
    for env in results.envs.values():
        keep = []
        for name in env.clients:
            out = _run_json(_client_cmd(env, name, "probe", url, sizes, cpu=cpu), 120)
            probe = out.get("probe", out)
            key = f"{env.name}:{name}"
            if "error" in probe:
                reason = probe["error"]
                if "ModuleNotFoundError" in reason or "ImportError" in reason:
                    reason = f"not installed / not importable ({reason})"
                results.skipped[key] = reason
                log(f"skip {key}: {reason}")
                continue
            if probe.get("note"):
                results.notes[key] = probe["note"]
            keep.append(name)
        env.clients = keep


def _round(
    results: Results, rnd: int, figures: list[str], url: str, *, cpu: int, per_figure: bool
) -> None:
    """One round: a fresh process per client (per client and figure with `per_figure`)."""
    for env in results.envs.values():
        shift = rnd % max(1, len(env.clients))
        names = env.clients[shift:] + env.clients[:shift]
        batches = [[f] for f in figures] if per_figure else [figures]
        for batch in batches:
            for name in names:
                figs = _figures_for(name, batch)
                if not figs:
                    continue
                cmd = _client_cmd(env, name, ",".join(figs), url, results.sizes, cpu=cpu)
                out = _run_json(cmd, 900)
                for fig in figs:
                    value = out.get(fig, out)
                    if "error" in value:
                        log(f"{env.name}:{name} ({fig}) failed: {value['error']}")
                    results.add(fig, f"{env.name}:{name}", {**value, "round": rnd})


def _grouped(results: Results, figures: list[str], url: str, cpu: int) -> None:
    for env in results.envs.values():
        keep = []
        for name in env.clients:
            figs = ["probe", *_figures_for(name, [f for f in figures if f in "abce"])]
            out = _run_json(
                _client_cmd(env, name, ",".join(figs), url, results.sizes, cpu=cpu), 600
            )
            key = f"{env.name}:{name}"
            probe = out.get("probe", out)
            if "error" in probe:
                results.skipped[key] = probe["error"]
                continue
            keep.append(name)
            for fig in figs[1:]:
                value = out.get(fig, out)
                if fig == "e":
                    results.memory[key] = value
                else:
                    results.add(fig, key, {**value, "round": 0})
        env.clients = keep


def _imports(results: Results, rounds: int, cpu: int, warm: bool, modules: set[str] | None) -> None:
    log("imports (d)")
    todo = [
        (m, e) for m, e, _ in IMPORTS if e in results.envs and (modules is None or m in modules)
    ]
    bases = {(m, e): b for m, e, b in IMPORTS}
    for module, env in todo if warm else ():  # compile .pyc files first; not recorded
        _run_json(_import_cmd(results.envs[env], module, bases[module, env], cpu), 120)
    for _ in range(rounds):
        for module, env in todo:
            cmd = _import_cmd(results.envs[env], module, bases[module, env], cpu)
            results.imports.setdefault(f"{env}:{module}", []).append(_run_json(cmd, 120))


def _import_cmd(env: Env, module: str, base: str | None, cpu: int) -> list[str]:
    cmd = [env.python, "-m", "benchmarks.clients", "--import", module, "--cpu", str(cpu)]
    return [*cmd, "--import-base", base] if base else cmd


def _batch(results: Results, url: str, rounds: int, cpu: int, *, quick: bool) -> None:
    log("friendli-batch (f)")
    requests = batch_bench.QUICK_REQUESTS if quick else batch_bench.REQUESTS
    results.notes["f-requests"] = str(requests)
    for rnd in range(rounds):
        batch_bench.measure(results.add, _run_json, url, requests=requests, rnd=rnd, cpu=cpu)


def _memory(results: Results, url: str, cpu: int) -> None:
    log("memory (e)")
    for env in results.envs.values():
        for name in env.clients:
            out = _run_json(_client_cmd(env, name, "e", url, results.sizes, cpu=cpu), 900)
            results.memory[f"{env.name}:{name}"] = out.get("e", out)


# --------------------------------------------------------------------------- summarising


@dataclass
class Stat:
    median: float
    low: float
    high: float

    def fmt(self, digits: int = 0, suffix: str = "") -> str:
        spec = f"{{:,.{digits}f}}"
        med, low, high = (spec.format(v) for v in (self.median, self.low, self.high))
        if low == high:
            return f"{med}{suffix}"
        return f"{med}{suffix} ({low}\u2013{high})"


def present(values: Iterable[float | None]) -> list[float]:
    """The values that were measured (a failed round gives None)."""
    return [v for v in values if v is not None]


def stat(values: Iterable[float | None]) -> Stat | None:
    measured = present(values)
    if not measured:
        return None
    return Stat(statistics.median(measured), min(measured), max(measured))


def _floor_key(key: str, figure: str) -> str:
    env, name = key.split(":", 1)
    if figure == "c":
        return f"{env}:httpx-async"
    return f"{env}:httpx" if CLIENTS[name].sync else f"{env}:httpx-async"


def _per_round(results: Results, figure: str, key: str) -> dict[int, dict[str, Any]]:
    return {r["round"]: r for r in results.runs.get(figure, {}).get(key, []) if "error" not in r}


def ratios(
    results: Results,
    figure: str,
    key: str,
    metric: str,
    *,
    invert: bool = False,
    floor_key: str | None = None,
) -> Stat | None:
    """Per-round ratio client/floor (floor/client when `invert`: for rates like tokens/s).

    The floor is raw httpx of the same venv, or `floor_key`'s client when given.
    """
    mine = _per_round(results, figure, key)
    floor = _per_round(results, figure, floor_key or _floor_key(key, figure))
    out = []
    for rnd, value in mine.items():
        if rnd in floor and value.get(metric) and floor[rnd].get(metric):
            a, b = value[metric], floor[rnd][metric]
            out.append(b / a if invert else a / b)
    return stat(out)


def values(results: Results, figure: str, key: str, metric: str) -> Stat | None:
    return stat([v.get(metric) for v in _per_round(results, figure, key).values()])


def _label(key: str) -> str:
    env, name = key.split(":", 1)
    label = CLIENTS[name].label
    return f"{label} (peers venv)" if env == "peers" else label


def _error_of(results: Results, figure: str, key: str) -> str | None:
    runs = results.runs.get(figure, {}).get(key, [])
    errors = [r["error"] for r in runs if "error" in r]
    return errors[0] if errors and len(errors) == len(runs) else None


def _keys(results: Results, figure: str) -> list[str]:
    return [
        f"{env.name}:{name}"
        for env in results.envs.values()
        for name in env.clients
        if figure in _figures_for(name, [figure])
    ]


def _x(s: Stat | None) -> str:
    return s.fmt(2, TIMES) if s else "\u2013"


def table_a(results: Results) -> list[str]:
    n = results.sizes["call-tokens"]
    rows = [
        f"### (a) Non-streaming call, {n}-token reply ({results.sizes['calls']} calls per process)",
        "",
        "| Client | latency µs, median | \u00d7 floor | CPU µs per call | CPU \u00d7 floor |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for key in _keys(results, "a"):
        err = _error_of(results, "a", key)
        if err:
            rows.append(f"| {_label(key)} | failed: {err} | | | |")
            continue
        lat, cpu = values(results, "a", key, "latency_us"), values(results, "a", key, "cpu_us")
        rows.append(
            f"| {_label(key)} | {lat.fmt() if lat else DASH} | {_x(ratios(results, 'a', key, 'latency_us'))} "
            f"| {cpu.fmt() if cpu else DASH} | {_x(ratios(results, 'a', key, 'cpu_us'))} |"
        )
    return rows


def table_b(results: Results) -> list[str]:
    n = results.sizes["stream-tokens"]
    rows = [
        f"### (b) Streaming a {n:,}-token reply ({results.sizes['streams']} streams per process)",
        "",
        "| Client | tokens/s | \u00d7 floor (time) | TTFT µs | TTFT \u00d7 floor | CPU µs per token | deltas seen |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key in _keys(results, "b"):
        err = _error_of(results, "b", key)
        if err:
            rows.append(f"| {_label(key)} | failed: {err} | | | | | |")
            continue
        tps = values(results, "b", key, "tokens_per_s")
        ttft = values(results, "b", key, "ttft_us")
        cpu = values(results, "b", key, "cpu_us_per_token")
        pieces = values(results, "b", key, "pieces")
        seen = f"{pieces.low:,.0f}" if pieces else "\u2013"
        if pieces and pieces.low < n / 2:
            seen += " (did not stream)"
        rows.append(
            f"| {_label(key)} | {tps.fmt() if tps else DASH} "
            f"| {_x(ratios(results, 'b', key, 'tokens_per_s', invert=True))} "
            f"| {ttft.fmt() if ttft else DASH} | {_x(ratios(results, 'b', key, 'ttft_us'))} "
            f"| {cpu.fmt(1) if cpu else DASH} | {seen} |"
        )
    return rows


def table_c(results: Results) -> list[str]:
    s = results.sizes
    rows = [
        (
            f"### (c) {s['async-calls']} async calls, {s['concurrency']} in flight "
            f"(median of {s['repeats']} batches per process)"
        ),
        "",
        "| Client | wall ms per batch | calls/s | \u00d7 floor | CPU ms per batch |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for key in _keys(results, "c"):
        err = _error_of(results, "c", key)
        if err:
            rows.append(f"| {_label(key)} | failed: {err} | | | |")
            continue
        wall, rate = values(results, "c", key, "wall_ms"), values(results, "c", key, "calls_per_s")
        cpu = values(results, "c", key, "cpu_ms")
        rows.append(
            f"| {_label(key)} | {wall.fmt(1) if wall else DASH} | {rate.fmt() if rate else DASH} "
            f"| {_x(ratios(results, 'c', key, 'wall_ms'))} | {cpu.fmt(1) if cpu else DASH} |"
        )
    return rows


def import_stat(results: Results, env: str, module: str, field: str) -> Stat | None:
    """One figure (d) measurement of `module` across rounds.

    `over_ms` is its import on top of its baseline, timed in the same process (differences
    between separate processes are too noisy here: the baselines themselves vary by ±100 ms
    from one process to the next); `first_use_ms` the time from the import to a client that
    can send (`FIRST_USE`).
    """
    return stat([r.get(field) for r in results.imports.get(f"{env}:{module}", [])])


def table_d(results: Results) -> list[str]:
    rounds = max((len(r) for r in results.imports.values()), default=0)
    rows = [
        f"### (d) Import time and RSS after import (fresh process each, {rounds} rounds)",
        "",
        (
            "`import ms` is the whole import; `+ ms over baseline` times the module's import in "
            "the same process right after its baseline's (what it adds to an application that "
            "already uses the framework). "
            "`first client ms` is what follows the import before a first request can be sent: "
            "building the model and its HTTP client (`benchmarks/clients.py` `FIRST_USE`). The "
            "Friendli integrations import httpx and the core client there, not at import, and "
            "the core loads pydantic and its response models there (`friendli_core._replies`). "
            "`benchmarks/pydantic_floor.py` is pydantic with one model defined: what any "
            "pydantic-based client pays for pydantic, at import or, for the core, with its "
            "first client."
        ),
        "",
        (
            "| Module | env | import ms | vs baseline | + ms over baseline | first client ms "
            "| RSS after import MiB |"
        ),
        "| --- | --- | ---: | --- | ---: | ---: | ---: |",
    ]
    for module, env, base in IMPORTS:
        runs = results.imports.get(f"{env}:{module}")
        if not runs:
            continue
        ok = [r for r in runs if "import_ms" in r]
        if not ok:
            rows.append(f"| `{module}` | {env} | failed: {runs[0].get('error', '?')} | | | | |")
            continue
        ms = stat([r["import_ms"] for r in ok])
        rss = stat([r["rss_kib"] / 1024 for r in ok])
        delta = import_stat(results, env, module, "over_ms")
        first = import_stat(results, env, module, "first_use_ms")
        rows.append(
            f"| `{module}` | {env} | {ms.fmt(1) if ms else DASH} "
            f"| {f'`{base}`' if base else 'baseline'} "
            f"| {delta.fmt(1) if delta else ''} | {first.fmt(1) if first else ''} "
            f"| {rss.fmt(1) if rss else DASH} |"
        )
    return rows


def table_e(results: Results) -> list[str]:
    n = results.sizes["mem-tokens"]
    rows = [
        (
            f"### (e) Memory while streaming {n:,} tokens (tracemalloc, one process per client, "
            "every client at the same size)"
        ),
        "",
        (
            "Peak traced memory above the start of the stream, at 10% / 50% / 100% of the tokens. "
            "The harness keeps no text; growth up to the text size means the client keeps the "
            "text (LangChain's `stream()` does, to hand the final message to callbacks)."
        ),
        "",
        (
            "| Client | tokens | peak KiB at 10% / 50% / 100% | growth per 10k tokens KiB "
            "| text per 10k tokens KiB | beyond text | flat? | s |"
        ),
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for key, out in results.memory.items():
        if "error" in out:
            rows.append(f"| {_label(key)} | failed: {out['error']} | | | | | | |")
            continue
        tokens = out["samples"][-1]["tokens"]
        peaks = " / ".join(f"{s['peak_kib']:,}" for s in out["samples"])
        beyond = out["beyond_text_kib_per_10k"]
        flat = "yes" if beyond <= FLAT_TOLERANCE_KIB else "**no**"
        rows.append(
            f"| {_label(key)} | {tokens:,} | {peaks} | {out['growth_kib_per_10k']:,.1f} "
            f"| {out['text_kib_per_10k']:,.1f} | {beyond:,.1f} | {flat} | {out['seconds']:.1f} |"
        )
    return rows


def _verdict(ok: bool | None) -> str:
    return "\u2013" if ok is None else ("PASS" if ok else "**FAIL**")


FRAMEWORK_FLOORS = {"chatfriendli": "lc-floor", "friendlillm": "li-floor"}
FIGURE_METRIC = {"a": ("latency_us", False), "b": ("tokens_per_s", True), "c": ("wall_ms", False)}


def table_framework(results: Results) -> list[str]:
    """Each integration against the cheapest model its framework allows (same round)."""
    head = [
        "### Against the framework floors",
        "",
        (
            "The framework floor is the cheapest chat model the framework allows, doing the raw "
            "floor's work (`benchmarks/framework_floor.py`); its ratio to raw httpx is the "
            "framework's own cost. The last column is the integration's cost on top of that."
        ),
        "",
        (
            "| Integration | figure | framework floor \u00d7 raw | integration \u00d7 raw "
            "| integration \u00d7 framework floor |"
        ),
        "| --- | --- | ---: | ---: | ---: |",
    ]
    rows = []
    for ours, floor in FRAMEWORK_FLOORS.items():
        mine_key, floor_key = f"main:{ours}", f"main:{floor}"
        for fig in "abc":
            m, inv = FIGURE_METRIC[fig]
            base = ratios(results, fig, floor_key, m, invert=inv)
            mine = ratios(results, fig, mine_key, m, invert=inv)
            over = ratios(results, fig, mine_key, m, invert=inv, floor_key=floor_key)
            if base is None or mine is None:
                continue
            rows.append(
                f"| {CLIENTS[ours].label} | ({fig}) | {_x(base)} | {_x(mine)} | {_x(over)} |"
            )
    return [*head, *rows] if rows else []


def table_targets(results: Results) -> list[str]:
    rows = [
        "| Target | measured (median, min\u2013max) | result |",
        "| --- | --- | --- |",
    ]
    metric = FIGURE_METRIC
    for name, limits in TARGETS.items():
        key = f"main:{name}"
        for fig, limit in limits.items():
            if key.split(":")[1] not in results.envs["main"].clients:
                rows.append(
                    f"| {CLIENTS[name].label} ({fig}) ≤ {limit}\u00d7 | not measured | \u2013 |"
                )
                continue
            m, inv = metric[fig]
            r = ratios(results, fig, key, m, invert=inv)
            rows.append(
                f"| {CLIENTS[name].label} ({fig}) ≤ {limit:.2f}\u00d7 | {_x(r)} "
                f"| {_verdict(None if r is None else r.median <= limit)} |"
            )
    for module, limit in IMPORT_TARGETS.items():
        base = next(b for m, e, b in IMPORTS if m == module and e == "main")
        d = import_stat(results, "main", module, "over_ms")
        # what the import defers is paid by the first client: shown next to it, not hidden
        first = import_stat(results, "main", module, "first_use_ms")
        then = f"; then first client {first.fmt(1, ' ms')}" if first else ""
        rows.append(
            f"| import `{module}` ≤ `{base}` + {limit:.0f} ms | "
            f"{d.fmt(1, ' ms') if d else 'not measured'}{then} "
            f"| {_verdict(None if d is None else d.median <= limit)} |"
        )
    for ours, peers in PEERS_OF.items():
        if f"main:{ours}" not in _keys(results, "a"):
            continue
        for fig in "abc":
            m, inv = metric[fig]
            if ours == "core" and fig == "c":  # the core's (c) is AsyncFriendliClient's target
                continue
            key = f"main:{ours}"
            mine = ratios(results, fig, key, m, invert=inv)
            if mine is None:
                continue
            for peer_key in _peer_keys(results, peers):
                theirs = ratios(results, fig, peer_key, m, invert=inv)
                if theirs is None:
                    continue
                cpu_metric = CPU_METRIC[fig]
                cpu_mine = values(results, fig, key, cpu_metric)
                cpu_theirs = values(results, fig, peer_key, cpu_metric)
                cpu = (
                    f"; CPU {cpu_mine.median:,.1f} vs {cpu_theirs.median:,.1f} {CPU_UNIT[fig]}"
                    if cpu_mine and cpu_theirs
                    else ""
                )
                rows.append(
                    f"| {CLIENTS[ours].label} beats {_label(peer_key)} on ({fig}) | "
                    f"{mine.median:.2f}\u00d7 vs {theirs.median:.2f}\u00d7{cpu} "
                    f"| {_verdict(mine.median < theirs.median)} |"
                )
                if fig == "b":
                    rows += _ttft_row(results, ours, key, peer_key)
    rows += _memory_rows(results)
    for ours, peers in PEER_IMPORTS.items():
        mine_runs = present(_ready_ms(r) for r in results.imports.get(f"main:{ours}", []))
        if not mine_runs:
            continue
        for peer in peers:
            for env in results.envs:
                peer_runs = results.imports.get(f"{env}:{peer}", [])
                theirs_runs = present(_ready_ms(r) for r in peer_runs)
                if theirs_runs:
                    a, b = statistics.median(mine_runs), statistics.median(theirs_runs)
                    rows.append(
                        f"| import + first client: `{ours}` faster than `{peer}` "
                        f"| {a:.0f} ms vs {b:.0f} ms | {_verdict(a < b)} |"
                    )
    return rows


def _ttft_row(results: Results, ours: str, key: str, peer_key: str) -> list[str]:
    """(b) time to first token, as a ratio to each one's floor in the same round."""
    mine = ratios(results, "b", key, "ttft_us")
    theirs = ratios(results, "b", peer_key, "ttft_us")
    if mine is None or theirs is None:
        return []
    row = (
        f"| {CLIENTS[ours].label} beats {_label(peer_key)} on (b) time to first token | "
        f"{mine.median:.2f}\u00d7 vs {theirs.median:.2f}\u00d7 "
        f"| {_verdict(mine.median < theirs.median)} |"
    )
    return [row]


def _memory_rows(results: Results) -> list[str]:
    """(e) growth per 10k streamed tokens beyond the text: ours against each peer."""
    rows = []
    for ours, peers in PEERS_OF.items():
        mine = results.memory.get(f"main:{ours}", {})
        if "beyond_text_kib_per_10k" not in mine:
            continue
        for peer_key in _peer_keys(results, peers):
            theirs = results.memory.get(peer_key, {})
            if "beyond_text_kib_per_10k" not in theirs:
                continue
            a, b = mine["beyond_text_kib_per_10k"], theirs["beyond_text_kib_per_10k"]
            rows.append(
                f"| {CLIENTS[ours].label} beats or ties (within {FLAT_TOLERANCE_KIB:.0f} KiB) "
                f"{_label(peer_key)} on (e) memory beyond the text "
                f"| {a:,.1f} vs {b:,.1f} KiB per 10k tokens "
                f"| {_verdict(a - b <= FLAT_TOLERANCE_KIB)} |"
            )
    return rows


def _peer_keys(results: Results, peers: list[str]) -> Iterator[str]:
    """The `env:client` keys of these peers, in each venv that runs them."""
    for peer in peers:
        for env in results.envs.values():
            if peer in env.clients:
                yield f"{env.name}:{peer}"


def _ready_ms(run: dict[str, Any]) -> float | None:
    """Import plus first client: the time until a first request can be sent."""
    if "import_ms" not in run:
        return None
    return float(run["import_ms"]) + float(run.get("first_use_ms", 0.0))


def render(results: Results, command: str) -> str:
    machine = _machine()
    main_env = results.envs["main"]
    batch_rows, batch_targets = batch_bench.table_f(
        results.runs.get("f", {}), int(results.notes.get("f-requests", batch_bench.REQUESTS))
    )
    lines = [
        "# Benchmark results: client overhead on top of the network",
        "",
        (
            f"Generated {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} by `{command}` "
            f"({results.rounds} round(s), {results.notes.get('elapsed', '?')}). "
            "Reproduce with `make bench` (7 rounds) or `python -m benchmarks.run --rounds N`. "
            "This file is generated; `benchmarks/README.md` explains the method."
        ),
        "",
        "## Machine",
        "",
        f"- CPU: {machine['cpu']}, {machine['cpus']} CPU(s) available; memory {machine['memory']}",
        f"- OS: {machine['os']}; Python {machine['python']}",
        "- Server pinned to CPU 1, each client process to CPU 0"
        if machine["cpus"] != "1"
        else "- One CPU: server and clients share it (no pinning)",
        (
            f"- Machine {results.notes.get('load', '')}: other work on the machine adds noise; "
            "compare the ratios (same round) rather than the absolute figures."
        ),
        "",
        "## Versions",
        "",
        "| package | main venv | peers venv |",
        "| --- | --- | --- |",
    ]
    peers_versions = results.envs["peers"].versions if "peers" in results.envs else {}
    for dist in ["python", *VERSION_DISTS]:
        a, b = main_env.versions.get(dist, ""), peers_versions.get(dist, "")
        if a or b:
            lines.append(f"| {dist} | {a} | {b} |")
    lines += [
        "",
        "## Method",
        "",
        (
            "- **Server**: `benchmarks/sse_server.py`, asyncio, precomputed bytes, keep-alive, "
            "one HTTP chunk per SSE event (as a real server flushes per token); separate process."
        ),
        (
            "- **Floor**: raw `httpx.Client` / `httpx.AsyncClient` doing the minimum a correct client "
            "must do. Non-streaming: POST, read, check the status, `json.loads`, take "
            "`choices[0].message.content`. Streaming: `iter_lines()`, skip lines without the "
            "`data: ` prefix, stop at `[DONE]`, `json.loads` each chunk, collect every "
            "`delta.content` (the harness joins them and checks the text)."
        ),
        (
            "- **Ratios** (\u00d7 floor) are computed per round against the floor measured in the same "
            "round and the same venv (sync clients against `httpx.Client`, async ones and figure (c) "
            "against `httpx.AsyncClient`), then reported as median (min\u2013max) over rounds. For (b) "
            "the ratio is of stream times (floor tokens/s ÷ client tokens/s). Every client's text "
            "is checked against the server's."
        ),
        (
            "- Peers in the peers venv are compared with that venv's own floor (older httpx/httpcore, "
            "slower per token), so their ratios flatter them a little: the Targets table also gives "
            "absolute CPU, which compares across venvs."
        ),
        (
            "- Each client runs each figure in a fresh process per round; client order rotates per "
            "round. Values are the per-process median (latency, stream time, TTFT) or mean (CPU "
            "from `time.process_time`), then median (min\u2013max) across rounds."
        ),
        "",
        "## Targets",
        "",
        *table_targets(results),
        *batch_targets,
        "",
        *table_framework(results),
        "",
        "## Figures",
        "",
        *table_a(results),
        "",
        *table_b(results),
        "",
        *table_c(results),
        "",
        *table_d(results),
        "",
        *table_e(results),
        "",
        *batch_rows,
        "",
    ]
    if results.skipped or results.notes:
        lines += ["## Not measured and notes", ""]
        for key, reason in results.skipped.items():
            lines.append(f"- {_label(key)}: not measured: {reason}")
        for key, note in results.notes.items():
            if ":" in key:
                lines.append(f"- {_label(key)}: {note}")
        for name in CLIENTS:
            if CLIENTS[name].note:
                lines.append(f"- {CLIENTS[name].label}: {CLIENTS[name].note}")
        lines.append("")
    return "\n".join(lines)


def load_raw(path: Path) -> Results:
    """Results from the raw JSON a run wrote (to re-render the Markdown)."""
    data = json.loads(path.read_text())
    data["envs"] = {name: Env(**env) for name, env in data["envs"].items()}
    return Results(**data)


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Benchmark client overhead; writes RESULTS.md.")
    parser.add_argument("--rounds", type=int, default=0, help="rounds (default 7; 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    parser.add_argument("--figures", default="a,b,c,d,e,f")
    parser.add_argument("--clients", default="", help="comma-separated subset (floors always run)")
    parser.add_argument("--no-peers", action="store_true", help="skip the peers venv")
    parser.add_argument("--peers-python", default=str(PEERS_PYTHON))
    parser.add_argument(
        "--per-figure", action="store_true", help="a fresh process per figure, not per round"
    )
    parser.add_argument("--modules", default="", help="comma-separated subset of (d) modules")
    parser.add_argument(
        "--import-rounds", type=int, default=0, help="(d) rounds; default: --rounds"
    )
    parser.add_argument("--from-raw", default="", help="re-render RESULTS.md from a raw JSON")
    parser.add_argument("--mem-tokens", type=int, default=0, help="override the (e) stream size")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT))
    parser.add_argument("--raw", default=str(RAW_OUTPUT), help="where to write the raw JSON")
    args = parser.parse_args(argv)
    command = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])
    if args.from_raw:
        results = load_raw(Path(args.from_raw))
        command = results.notes.get("command", command)
    else:
        results = run_all(args)
        results.notes["command"] = command.strip()
    text = render(results, command.strip())
    Path(args.output).write_text(text, encoding="utf-8")
    if not args.from_raw:
        raw = Path(args.raw)
        raw.parent.mkdir(parents=True, exist_ok=True)
        raw.write_text(json.dumps(results.__dict__, default=lambda o: o.__dict__, indent=1))
    log(f"wrote {args.output} ({results.notes.get('elapsed')})")


if __name__ == "__main__":
    main()
