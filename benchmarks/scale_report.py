"""The scale figure's part of RESULTS.md (targets and table) and its plot, from the run's JSON.

`benchmarks/scale.py` writes the JSON (`JSON`); `section` gives the Markdown that
`benchmarks/report.py` puts in RESULTS.md and that `update_results` rewrites in place after a
scale run; `plot` draws `PNG` with matplotlib.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from benchmarks.clients import CLIENTS

__all__ = ["JSON", "PNG", "RESULTS", "load", "plot", "section", "update_results"]

HERE = Path(__file__).resolve().parent
JSON = HERE / "scale.json"
PNG = HERE / "scale.png"
RESULTS = HERE / "RESULTS.md"
BEGIN, END = "<!-- scale: begin -->", "<!-- scale: end -->"

RAW = ("httpx-async", "httpx-async-keepalive")
OURS = ("core-async", "chatfriendli", "friendlillm")
PEER = {"chatfriendli": "chatopenai", "friendlillm": "openailike"}
CORE_TARGET = 0.9  # core throughput over the better raw httpx configuration
CONN_TARGET = 0.05  # connections opened per request, steady state
CPU_GROWTH_TARGET = 1.5  # CPU per request at 1,024 in flight over 16
TIMES, DASH = "\u00d7", "\u2013"


def load(path: Path = JSON) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.exists() else None


def label(entry: str, data: dict[str, Any]) -> str:
    name, _, pool = entry.partition("@")
    text = CLIENTS[name].label
    if name == "httpx-async-keepalive" and not pool:
        pool = str(data.get("default_max_connections", "?"))
    if name == "httpx-async":
        text += " (default limits: 100, 20 kept alive)"
    return f"{text} (pool {pool})" if pool else text


def _ok(result: dict[str, Any] | None) -> dict[str, Any] | None:
    return result if result and "error" not in result and result.get("requests") else None


def _get(data: dict[str, Any], key: str, entry: str) -> dict[str, Any] | None:
    return _ok(data["points"].get(key, {}).get(entry))


def _verdict(ok: bool | None) -> str:
    return DASH if ok is None else ("PASS" if ok else "**FAIL**")


def _core_rows(data: dict[str, Any]) -> list[str]:
    rows = []
    for key in data["points"]:
        core = _get(data, key, "core-async")
        raws = [r["rps"] for e in RAW if (r := _get(data, key, e))]
        if not core or not raws:
            rows.append(
                f"| core \u2265 {CORE_TARGET}{TIMES} better raw httpx, {key} | {DASH} | {DASH} |"
            )
            continue
        ratio = core["rps"] / max(raws)
        rows.append(
            f"| core \u2265 {CORE_TARGET}{TIMES} better raw httpx, {key} | {ratio:.2f}{TIMES} "
            f"| {_verdict(ratio >= CORE_TARGET)} |"
        )
    return rows


def _worst(values: list[tuple[float, str]], *, low: bool) -> tuple[float, str] | None:
    if not values:
        return None
    return min(values) if low else max(values)


def targets(data: dict[str, Any]) -> list[str]:
    rows = ["| Target | measured | result |", "| --- | --- | --- |", *_core_rows(data)]
    for ours, peer in PEER.items():
        ratios = [
            (a["rps"] / b["rps"], key)
            for key in data["points"]
            if (a := _get(data, key, ours)) and (b := _get(data, key, peer))
        ]
        worst = _worst(ratios, low=True)
        text = f"lowest {worst[0]:.2f}{TIMES} ({worst[1]})" if worst else DASH
        rows.append(
            f"| {CLIENTS[ours].label} throughput \u2265 {CLIENTS[peer].label}, every point "
            f"| {text} | {_verdict(worst[0] >= 1.0 if worst else None)} |"
        )
    for ours in OURS:
        conns = [
            (r["conn_per_request"], key) for key in data["points"] if (r := _get(data, key, ours))
        ]
        worst = _worst(conns, low=False)
        text = f"highest {worst[0]:.3f} ({worst[1]})" if worst else DASH
        rows.append(
            f"| {CLIENTS[ours].label}: connections opened per request \u2264 {CONN_TARGET} "
            f"(steady state), every point | {text} "
            f"| {_verdict(worst[0] <= CONN_TARGET if worst else None)} |"
        )
    for ours in OURS:
        low, high = _get(data, "call@16", ours), _get(data, "call@1024", ours)
        if not (low and high):
            rows.append(f"| {CLIENTS[ours].label}: CPU per request at 1,024 | {DASH} | {DASH} |")
            continue
        growth = high["cpu_ms_per_request"] / low["cpu_ms_per_request"]
        rows.append(
            f"| {CLIENTS[ours].label}: CPU per request at 1,024 in flight \u2264 "
            f"{CPU_GROWTH_TARGET}{TIMES} at 16 | {growth:.2f}{TIMES} "
            f"({high['cpu_ms_per_request']:.2f} / {low['cpu_ms_per_request']:.2f} ms) "
            f"| {_verdict(growth <= CPU_GROWTH_TARGET)} |"
        )
    return rows


def table(data: dict[str, Any]) -> list[str]:
    rows = [
        (
            "| point | client | requests/s | \u00d7 better raw httpx | CPU ms per request "
            "| connections opened per request (steady) | opened in warm-up | peak RSS MiB |"
        ),
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, results in data["points"].items():
        raws = [r["rps"] for e in RAW if (r := _get(data, key, e))]
        for entry in data["clients"]:
            result = results.get(entry)
            if result and "error" not in result and not result.get("requests"):
                rows.append(
                    f"| {key} | {label(entry, data)} | 0 (no measured request finished within "
                    f"{data['sizes']['deadline_s']:g} s) | | | | {result['warmup_connections']:,} "
                    f"| {result['peak_rss_mib']:.0f} |"
                )
                continue
            if not _ok(result):
                error = (result or {}).get("error", "not measured")
                if error.startswith("timed out"):
                    error = f"the process was stopped ({error})"
                rows.append(f"| {key} | {label(entry, data)} | no result: {error} | | | | | |")
                continue
            assert result is not None
            cut = f" (cut short: {result['requests']} of {result['wanted']})"
            rate = f"{result['rps']:,.0f}" + (cut if result["cut_short"] else "")
            ratio = f"{result['rps'] / max(raws):.2f}{TIMES}" if raws else DASH
            rows.append(
                f"| {key} | {label(entry, data)} | {rate} | {ratio} "
                f"| {result['cpu_ms_per_request']:.2f} | {result['conn_per_request']:.3f} "
                f"| {result['warmup_connections']:,} | {result['peak_rss_mib']:.0f} |"
            )
    return rows


def section(data: dict[str, Any] | None, png: Path = PNG) -> list[str]:
    """The scale part of RESULTS.md, between markers that `update_results` finds again."""
    head = [BEGIN, "## Scale: requests in flight on one model object", ""]
    if data is None:
        return [*head, "Not measured yet: run `make bench-scale`.", "", END]
    versions = data["versions"]
    sizes = data["sizes"]
    return [
        *head,
        (
            f"Generated {data['generated']} by `{data['command'].strip()}` "
            f"({data['elapsed_s']} s; `make bench-scale`), httpx {versions.get('httpx', '?')}, "
            f"httpcore {versions.get('httpcore', '?')}, h11 {versions.get('h11', '?')}, "
            f"Python {versions.get('python', '?')}; the core's default `max_connections` is "
            f"{data.get('default_max_connections', '?')}. Machine load: before `{data['load_before']}`; "
            f"after `{data['load_after']}`."
        ),
        "",
        (
            f"Each point is a fresh process: a warm-up of as many requests as are in flight "
            f"(at least {min(sizes['warmup'].values())}), then the measured requests "
            f"({', '.join(f'{k}: {v:,}' for k, v in sizes['requests'].items())}); `call` replies "
            f"have {sizes['call_tokens']} tokens, `stream` replies {sizes['stream_tokens']}. "
            "Connections are counted by the server as it accepts them. Each part stops sending "
            f"after {sizes['deadline_s']:g} s (a row says when it was cut short). One process "
            "per point and client: differences within about \u00b120% are noise on this machine "
            "(benchmarks/README.md)."
        ),
        "",
        *targets(data),
        "",
        f"![scale figure]({png.name})",
        "",
        *table(data),
        "",
        END,
    ]


def update_results(path: Path, data: dict[str, Any], png: Path = PNG) -> None:
    """Rewrite the scale section of RESULTS.md in place (append it when absent)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    new = "\n".join(section(data, png))
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: new, text)
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    path.write_text(text, encoding="utf-8")


METRICS = (
    ("rps", "requests/s", "linear"),
    ("cpu_ms_per_request", "CPU ms per request", "linear"),
    ("conn_per_request", "connections opened per request", "symlog"),
    ("peak_rss_mib", "peak RSS MiB", "linear"),
)


def plot(data: dict[str, Any], path: Path) -> None:
    """Two rows (non-streaming, streaming) of the four measures against requests in flight."""
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, len(METRICS), figsize=(18, 8), squeeze=False)
    for row, kind in enumerate(("call", "stream")):
        keys = [k for k in data["points"] if k.startswith(kind + "@")]
        xs = [int(k.split("@")[1]) for k in keys]
        for col, (metric, title, scale) in enumerate(METRICS):
            ax = axes[row][col]
            for entry in data["clients"]:
                points = [
                    (x, r[metric])
                    for x, key in zip(xs, keys, strict=True)
                    if (r := _get(data, key, entry)) and r.get(metric) is not None
                ]
                if points:
                    ax.plot(*zip(*points, strict=True), marker="o", label=label(entry, data))
            ax.set_xscale("log", base=2)
            if scale == "symlog":
                ax.set_yscale("symlog", linthresh=0.01)
                ax.axhline(CONN_TARGET, color="grey", linestyle=":", linewidth=1)
            ax.set_title(f"{title} ({'streaming' if kind == 'stream' else 'non-streaming'})")
            ax.set_xlabel("requests in flight")
            ax.grid(visible=True, alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize="small")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(path, dpi=80)
    plt.close(fig)
