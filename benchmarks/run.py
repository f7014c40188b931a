"""Run every benchmark figure for every client and write `benchmarks/RESULTS.md`.

`python -m benchmarks.run [--rounds N] [--quick] [--output PATH] [--no-peers]`

* One server process (`benchmarks.sse_server`) pinned to CPU 1; every client process pinned to
  CPU 0 (when the machine has two CPUs or more).
* For each round, each figure and each client: a fresh process
  (`python -m benchmarks.figures CLIENT FIGURE ...`) that prints JSON. The client order is
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
import json
import os
import sys
import time
from pathlib import Path

from benchmarks import batch as batch_bench
from benchmarks.clients import FRAMEWORK_FLOORS
from benchmarks.harness import (
    FULL,
    IMPORTS,
    MAIN_CLIENTS,
    PEER_CLIENTS,
    QUICK,
    ROOT,
    Env,
    Results,
    Server,
    figures_for,
    load_raw,
    log,
    machine,
    run_json,
    versions,
)
from benchmarks.report import render

DEFAULT_OUTPUT = ROOT / "benchmarks" / "RESULTS.md"
PEERS_PYTHON = ROOT / "benchmarks" / ".work" / "peers" / "bin" / "python"
RAW_OUTPUT = ROOT / "benchmarks" / ".work" / "results.json"


def _client_cmd(
    env: Env, client: str, figures: str, url: str, sizes: dict[str, int], *, cpu: int
) -> list[str]:
    cmd = [env.python, "-m", "benchmarks.figures", client, figures, "--url", url]
    cmd += ["--cpu", str(cpu)]
    for key, value in sizes.items():
        cmd += [f"--{key}", str(value)]
    return cmd


def _start(args: argparse.Namespace) -> Results:
    """The sizes, rounds and venvs of this run, with each venv's clients and versions."""
    sizes = dict(QUICK if args.quick else FULL)
    if args.mem_tokens:
        sizes["mem-tokens"] = args.mem_tokens
    rounds = args.rounds or (1 if args.quick else 7)
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
        env.versions = versions(env)
        if wanted_clients is not None:
            env.clients = [c for c in env.clients if c in wanted_clients or c.startswith("httpx")]
    return results


def run_all(args: argparse.Namespace) -> Results:
    results = _start(args)
    sizes, rounds = results.sizes, results.rounds
    figures = [f.strip() for f in args.figures.split(",") if f.strip()]
    cpu_server, cpu_client = (1, 0) if machine()["cpus"] != "1" else (-1, -1)
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
        if "p" in figures:
            _paired(results, server.url, rounds, cpu_client, quick=args.quick)
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
            out = run_json(_client_cmd(env, name, "probe", url, sizes, cpu=cpu), 120)
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
                figs = figures_for(name, batch)
                if not figs:
                    continue
                cmd = _client_cmd(env, name, ",".join(figs), url, results.sizes, cpu=cpu)
                out = run_json(cmd, 900)
                for fig in figs:
                    value = out.get(fig, out)
                    if "error" in value:
                        log(f"{env.name}:{name} ({fig}) failed: {value['error']}")
                    results.add(fig, f"{env.name}:{name}", {**value, "round": rnd})


def _grouped(results: Results, figures: list[str], url: str, cpu: int) -> None:
    for env in results.envs.values():
        keep = []
        for name in env.clients:
            figs = ["probe", *figures_for(name, [f for f in figures if f in "abce"])]
            out = run_json(_client_cmd(env, name, ",".join(figs), url, results.sizes, cpu=cpu), 600)
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
        run_json(_import_cmd(results.envs[env], module, bases[module, env], cpu), 120)
    for _ in range(rounds):
        for module, env in todo:
            cmd = _import_cmd(results.envs[env], module, bases[module, env], cpu)
            results.imports.setdefault(f"{env}:{module}", []).append(run_json(cmd, 120))


def _import_cmd(env: Env, module: str, base: str | None, cpu: int) -> list[str]:
    cmd = [env.python, "-m", "benchmarks.figures", "--import", module, "--cpu", str(cpu)]
    return [*cmd, "--import-base", base] if base else cmd


def _batch(results: Results, url: str, rounds: int, cpu: int, *, quick: bool) -> None:
    log("friendli-batch (f)")
    requests = batch_bench.QUICK_REQUESTS if quick else batch_bench.REQUESTS
    results.notes["f-requests"] = str(requests)
    for rnd in range(rounds):
        batch_bench.measure(results.add, run_json, url, requests=requests, rnd=rnd, cpu=cpu)


def _paired(results: Results, url: str, rounds: int, cpu: int, *, quick: bool) -> None:
    """(p): a fresh process per round and integration; their order rotates per round."""
    log("integrations against their framework floors, paired (p)")
    env = results.envs["main"]
    names = [name for name in FRAMEWORK_FLOORS if name in env.clients]
    for rnd in range(rounds):
        shift = rnd % max(1, len(names))
        for name in names[shift:] + names[:shift]:
            cmd = [env.python, "-m", "benchmarks.paired", name, "--url", url, "--cpu", str(cpu)]
            out = run_json([*cmd, "--quick"] if quick else cmd, 900)
            if "error" in out:
                log(f"main:{name} (p) failed: {out['error']}")
            results.add("p", f"main:{name}", {**out, "round": rnd})


def _memory(results: Results, url: str, cpu: int) -> None:
    log("memory (e)")
    for env in results.envs.values():
        for name in env.clients:
            out = run_json(_client_cmd(env, name, "e", url, results.sizes, cpu=cpu), 900)
            results.memory[f"{env.name}:{name}"] = out.get("e", out)


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Benchmark client overhead; writes RESULTS.md.")
    parser.add_argument("--rounds", type=int, default=0, help="rounds (default 7; 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the smoke test")
    parser.add_argument("--figures", default="a,b,c,d,e,f,p")
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
