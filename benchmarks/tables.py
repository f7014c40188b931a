"""Summaries of a run: per-round ratios to the floor, medians over rounds, and the figure
tables (a) to (e) of RESULTS.md."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from benchmarks.clients import CLIENTS
from benchmarks.harness import IMPORTS, Results, figures_for

DASH = "\u2013"  # en dash, for ranges and empty cells
TIMES = "\u00d7"
FLAT_TOLERANCE_KIB = 16.0  # growth per 10k tokens beyond the text still called "flat"


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


def label(key: str) -> str:
    env, name = key.split(":", 1)
    text = CLIENTS[name].label
    return f"{text} (peers venv)" if env == "peers" else text


def error_of(results: Results, figure: str, key: str) -> str | None:
    runs = results.runs.get(figure, {}).get(key, [])
    errors = [r["error"] for r in runs if "error" in r]
    return errors[0] if errors and len(errors) == len(runs) else None


def keys(results: Results, figure: str) -> list[str]:
    return [
        f"{env.name}:{name}"
        for env in results.envs.values()
        for name in env.clients
        if figure in figures_for(name, [figure])
    ]


def fmt_ratio(s: Stat | None) -> str:
    return s.fmt(2, TIMES) if s else "\u2013"


def table_a(results: Results) -> list[str]:
    n = results.sizes["call-tokens"]
    rows = [
        f"### (a) Non-streaming call, {n}-token reply ({results.sizes['calls']} calls per process)",
        "",
        "| Client | latency µs, median | \u00d7 floor | CPU µs per call | CPU \u00d7 floor |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for key in keys(results, "a"):
        err = error_of(results, "a", key)
        if err:
            rows.append(f"| {label(key)} | failed: {err} | | | |")
            continue
        lat, cpu = values(results, "a", key, "latency_us"), values(results, "a", key, "cpu_us")
        rows.append(
            f"| {label(key)} | {lat.fmt() if lat else DASH} | {fmt_ratio(ratios(results, 'a', key, 'latency_us'))} "
            f"| {cpu.fmt() if cpu else DASH} | {fmt_ratio(ratios(results, 'a', key, 'cpu_us'))} |"
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
    for key in keys(results, "b"):
        err = error_of(results, "b", key)
        if err:
            rows.append(f"| {label(key)} | failed: {err} | | | | | |")
            continue
        tps = values(results, "b", key, "tokens_per_s")
        ttft = values(results, "b", key, "ttft_us")
        cpu = values(results, "b", key, "cpu_us_per_token")
        pieces = values(results, "b", key, "pieces")
        seen = f"{pieces.low:,.0f}" if pieces else "\u2013"
        if pieces and pieces.low < n / 2:
            seen += " (did not stream)"
        rows.append(
            f"| {label(key)} | {tps.fmt() if tps else DASH} "
            f"| {fmt_ratio(ratios(results, 'b', key, 'tokens_per_s', invert=True))} "
            f"| {ttft.fmt() if ttft else DASH} | {fmt_ratio(ratios(results, 'b', key, 'ttft_us'))} "
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
    for key in keys(results, "c"):
        err = error_of(results, "c", key)
        if err:
            rows.append(f"| {label(key)} | failed: {err} | | | |")
            continue
        wall, rate = values(results, "c", key, "wall_ms"), values(results, "c", key, "calls_per_s")
        cpu = values(results, "c", key, "cpu_ms")
        rows.append(
            f"| {label(key)} | {wall.fmt(1) if wall else DASH} | {rate.fmt() if rate else DASH} "
            f"| {fmt_ratio(ratios(results, 'c', key, 'wall_ms'))} | {cpu.fmt(1) if cpu else DASH} |"
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
            "building the model and its HTTP client (`benchmarks/figures.py` `FIRST_USE`). The "
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
            rows.append(f"| {label(key)} | failed: {out['error']} | | | | | | |")
            continue
        tokens = out["samples"][-1]["tokens"]
        peaks = " / ".join(f"{s['peak_kib']:,}" for s in out["samples"])
        beyond = out["beyond_text_kib_per_10k"]
        flat = "yes" if beyond <= FLAT_TOLERANCE_KIB else "**no**"
        rows.append(
            f"| {label(key)} | {tokens:,} | {peaks} | {out['growth_kib_per_10k']:,.1f} "
            f"| {out['text_kib_per_10k']:,.1f} | {beyond:,.1f} | {flat} | {out['seconds']:.1f} |"
        )
    return rows
