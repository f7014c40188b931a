"""RESULTS.md: the targets of the issue, the framework-floor comparison, and the page around
the figure tables (`benchmarks/tables.py`)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterator
from typing import Any

from benchmarks import batch as batch_bench
from benchmarks import scale_report
from benchmarks.clients import CLIENTS, FRAMEWORK_FLOORS
from benchmarks.harness import IMPORTS, VERSION_DISTS, Results, machine
from benchmarks.paired import Pooled, describe
from benchmarks.tables import (
    DASH,
    FLAT_TOLERANCE_KIB,
    TIMES,
    Stat,
    fmt_ratio,
    import_stat,
    keys,
    label,
    present,
    ratios,
    table_a,
    table_b,
    table_c,
    table_d,
    table_e,
    values,
)

# Targets from the issue (median x floor).
TARGETS: dict[str, dict[str, float]] = {
    "core": {"a": 1.10, "b": 1.10},
    "core-async": {"a": 1.10, "b": 1.10, "c": 1.10},
    "chatfriendli": {"a": 1.4, "b": 2.0, "c": 1.3},
    "friendlillm": {"a": 1.4, "b": 2.0, "c": 1.3},
}
# An integration over its framework floor, on figure (p)'s paired wall median.
FRAMEWORK_TARGET = 1.05
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
CPU_METRIC = {"a": "cpu_us", "b": "cpu_us_per_token", "c": "cpu_ms"}
CPU_UNIT = {
    "a": "\u00b5s/call",
    "b": "\u00b5s/token",
    "c": "ms/batch",
}


def _verdict(ok: bool | None) -> str:
    return "\u2013" if ok is None else ("PASS" if ok else "**FAIL**")


FIGURE_METRIC = {"a": ("latency_us", False), "b": ("tokens_per_s", True), "c": ("wall_ms", False)}


def table_framework(results: Results) -> list[str]:
    """Each integration against the cheapest model its framework allows: same round, paired."""
    paired = results.runs.get("p", {})
    work = describe([run for runs in paired.values() for run in runs])
    head = [
        "### Against the framework floors",
        "",
        (
            "The framework floor is the cheapest chat model the framework allows, doing the raw "
            "floor's work (`benchmarks/framework_floor.py`); its ratio to raw httpx is the "
            "framework's own cost. The integration \u00d7 framework floor column is the "
            "integration's cost on top of that, from separate processes of the same round."
        ),
        "",
        (
            "The paired columns (figure (p), `benchmarks/paired.py`) measure the same ratio in "
            "one process per round: the integration and its framework floor run blocks of the "
            "same work in turn (AB, BA, AB, ...), with a `gc.collect()` before each block, and "
            "each pair of neighbouring blocks gives one ratio, so the differences between "
            "processes (20-40 % on a 2-vCPU VM) cancel. Median (q1\u2013q3) of the pairs of all "
            f"rounds, n pairs; warm clients, so no first-call costs. Blocks: {work or DASH}."
        ),
        "",
        (
            "| Integration | figure | framework floor \u00d7 raw | integration \u00d7 raw "
            "| integration \u00d7 framework floor | paired wall (q1\u2013q3), n | paired CPU |"
        ),
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows = []
    for ours, floor in FRAMEWORK_FLOORS.items():
        mine_key, floor_key = f"main:{ours}", f"main:{floor}"
        for fig in "abc":
            m, inv = FIGURE_METRIC[fig]
            base = ratios(results, fig, floor_key, m, invert=inv)
            mine = ratios(results, fig, mine_key, m, invert=inv)
            over = ratios(results, fig, mine_key, m, invert=inv, floor_key=floor_key)
            pooled = Pooled(paired.get(mine_key, []), fig)
            if (base is None or mine is None) and not pooled.pairs:
                continue
            rows.append(
                f"| {CLIENTS[ours].label} | ({fig}) | {fmt_ratio(base)} | {fmt_ratio(mine)} "
                f"| {fmt_ratio(over)} | {_paired_wall(pooled)} | {_median(pooled.cpu)} |"
            )
    return [*head, *rows] if rows else []


def _median(s: Stat | None) -> str:
    return f"{s.median:.2f}{TIMES}" if s else DASH


def _paired_wall(pooled: Pooled) -> str:
    if pooled.wall is None:
        return f"failed: {pooled.error}" if pooled.error else DASH
    return f"{pooled.wall.fmt(2, TIMES)}, n={pooled.pairs}"


def table_targets(results: Results) -> list[str]:
    return [
        "| Target | measured (median, min\u2013max) | result |",
        "| --- | --- | --- |",
        *_limit_rows(results),
        *_paired_rows(results),
        *_import_rows(results),
        *_peer_rows(results),
        *_memory_rows(results),
        *_peer_import_rows(results),
    ]


def _limit_rows(results: Results) -> list[str]:
    """(a)/(b)/(c) of the core and the integrations against their limits (x raw httpx)."""
    rows = []
    for name, limits in TARGETS.items():
        key = f"main:{name}"
        for fig, limit in limits.items():
            if key.split(":")[1] not in results.envs["main"].clients:
                rows.append(
                    f"| {CLIENTS[name].label} ({fig}) ≤ {limit}\u00d7 | not measured | \u2013 |"
                )
                continue
            m, inv = FIGURE_METRIC[fig]
            r = ratios(results, fig, key, m, invert=inv)
            rows.append(
                f"| {CLIENTS[name].label} ({fig}) ≤ {limit:.2f}\u00d7 | {fmt_ratio(r)} "
                f"| {_verdict(None if r is None else r.median <= limit)} |"
            )
    return rows


def _paired_rows(results: Results) -> list[str]:
    """Each integration within `FRAMEWORK_TARGET` of its framework floor: (p), paired wall."""
    rows = []
    for ours in FRAMEWORK_FLOORS:
        runs = results.runs.get("p", {}).get(f"main:{ours}", [])
        for fig in "abc":
            target = (
                f"| {CLIENTS[ours].label} ({fig}) ≤ {FRAMEWORK_TARGET:.2f}\u00d7 its framework "
                "floor (paired) |"
            )
            pooled = Pooled(runs, fig)
            wall = pooled.wall
            if wall is None:
                failed = f"failed: {pooled.error}" if pooled.error else "not measured"
                rows.append(f"{target} {failed} | \u2013 |")
                continue
            rows.append(
                f"{target} {wall.median:.2f}\u00d7 (q1\u2013q3 {wall.low:.2f}\u2013"
                f"{wall.high:.2f}), {pooled.pairs} pairs; CPU {_median(pooled.cpu)} "
                f"| {_verdict(wall.median <= FRAMEWORK_TARGET)} |"
            )
    return rows


def _import_rows(results: Results) -> list[str]:
    rows = []
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
    return rows


def _peer_rows(results: Results) -> list[str]:
    """(a)/(b)/(c): ours beats each peer (ratios to each one's own floor)."""
    rows = []
    for ours, peers in PEERS_OF.items():
        if f"main:{ours}" not in keys(results, "a"):
            continue
        for fig in "abc":
            m, inv = FIGURE_METRIC[fig]
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
                rows.append(
                    f"| {CLIENTS[ours].label} beats {label(peer_key)} on ({fig}) | "
                    f"{mine.median:.2f}\u00d7 vs {theirs.median:.2f}\u00d7"
                    f"{_cpu_text(results, fig, key, peer_key)} "
                    f"| {_verdict(mine.median < theirs.median)} |"
                )
                if fig == "b":
                    rows += _ttft_row(results, ours, key, peer_key)
    return rows


def _cpu_text(results: Results, fig: str, key: str, peer_key: str) -> str:
    """Absolute CPU of both, which compares across venvs (ratios are to each venv's floor)."""
    cpu_metric = CPU_METRIC[fig]
    cpu_mine = values(results, fig, key, cpu_metric)
    cpu_theirs = values(results, fig, peer_key, cpu_metric)
    if not (cpu_mine and cpu_theirs):
        return ""
    return f"; CPU {cpu_mine.median:,.1f} vs {cpu_theirs.median:,.1f} {CPU_UNIT[fig]}"


def _peer_import_rows(results: Results) -> list[str]:
    rows = []
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
        f"| {CLIENTS[ours].label} beats {label(peer_key)} on (b) time to first token | "
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
                f"{label(peer_key)} on (e) memory beyond the text "
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
    batch_rows, batch_targets = batch_bench.table_f(
        results.runs.get("f", {}), int(results.notes.get("f-requests", batch_bench.REQUESTS))
    )
    lines = [
        *_head(results, command),
        "",
        "## Method",
        "",
        *METHOD,
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
        *scale_report.section(scale_report.load()),
        "",
        *_notes(results),
    ]
    return "\n".join(lines)


def _head(results: Results, command: str) -> list[str]:
    """Title, how it was generated, the machine and the versions of both venvs."""
    host = machine()
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
        f"- CPU: {host['cpu']}, {host['cpus']} CPU(s) available; memory {host['memory']}",
        f"- OS: {host['os']}; Python {host['python']}",
        "- Server pinned to CPU 1, each client process to CPU 0"
        if host["cpus"] != "1"
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
    main_env = results.envs["main"]
    peers_versions = results.envs["peers"].versions if "peers" in results.envs else {}
    for dist in ["python", *VERSION_DISTS]:
        a, b = main_env.versions.get(dist, ""), peers_versions.get(dist, "")
        if a or b:
            lines.append(f"| {dist} | {a} | {b} |")
    return lines


METHOD = [
    (
        "- **Server**: `benchmarks/sse_server.py`, asyncio, precomputed bytes, keep-alive, "
        "one HTTP chunk per SSE event (as a real server flushes per token); separate process."
    ),
    (
        "- **Floor**: raw `httpx.Client` / `httpx.AsyncClient` doing the minimum a correct client "
        "must do. Non-streaming: POST, read, check the status, `json.loads`, take "
        "`choices[0].message.content`. Streaming: `iter_lines()`, skip lines without the "
        "`data: ` prefix, stop at `[DONE]` (reading the rest of the body, so the connection is "
        "kept), `json.loads` each chunk, collect every "
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
]


def _notes(results: Results) -> list[str]:
    lines: list[str] = []
    if results.skipped or results.notes:
        lines += ["## Not measured and notes", ""]
        for key, reason in results.skipped.items():
            lines.append(f"- {label(key)}: not measured: {reason}")
        for key, note in results.notes.items():
            if ":" in key:
                lines.append(f"- {label(key)}: {note}")
        for name in CLIENTS:
            if CLIENTS[name].note:
                lines.append(f"- {CLIENTS[name].label}: {CLIENTS[name].note}")
        lines.append("")
    return lines
