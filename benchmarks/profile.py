"""Profile a client's hot path with cProfile against the benchmark server.

`python -m benchmarks.profile CLIENT [--figure b|a] [--tokens N] [--repeat N] [--top N]`
starts the server on CPU 1, runs CLIENT in this process on CPU 0 (one warm-up first), and
prints the top functions by own time and by cumulative time. `--out FILE` keeps the stats for
`python -m pstats` / snakeviz.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import subprocess
import sys
import time

from benchmarks.clients import CLIENTS, Client
from benchmarks.harness import ROOT, child_env
from benchmarks.sse_server import expected_text, pin_to_cpu


def _work(client: Client, figure: str, tokens: int, repeat: int) -> None:
    if figure == "b":
        for _ in range(repeat):
            text = "".join(client.stream(tokens))
            if text != expected_text(tokens):
                raise RuntimeError("wrong text")
    else:
        for _ in range(repeat):
            client.call(tokens)


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("client", choices=sorted(CLIENTS))
    parser.add_argument("--figure", choices=["a", "b"], default="b")
    parser.add_argument("--tokens", type=int, default=0, help="default 20000 (b) / 16 (a)")
    parser.add_argument("--repeat", type=int, default=0, help="default 1 (b) / 2000 (a)")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--out", default="")
    args = parser.parse_args(argv)
    tokens = args.tokens or (20_000 if args.figure == "b" else 16)
    repeat = args.repeat or (1 if args.figure == "b" else 2000)
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.sse_server", "--cpu", "1", "--warm", str(tokens)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{int(server.stdout.readline().split()[1])}"
        pin_to_cpu(0)
        client = CLIENTS[args.client](url)
        if not client.sync:
            raise SystemExit("profile the sync variant (async profiles mix in the event loop)")
        _work(client, args.figure, min(tokens, 200), 1)  # warm-up
        t0 = time.perf_counter()
        _work(client, args.figure, tokens, repeat)
        plain = time.perf_counter() - t0
        profiler = cProfile.Profile()
        t0 = time.perf_counter()
        profiler.runcall(_work, client, args.figure, tokens, repeat)
        profiled = time.perf_counter() - t0
        client.close()
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=10)
    unit = tokens * repeat if args.figure == "b" else repeat
    what = "token" if args.figure == "b" else "call"
    print(
        f"{CLIENTS[args.client].label}, figure ({args.figure}): {plain * 1e6 / unit:.1f} µs per "
        f"{what} unprofiled, {profiled * 1e6 / unit:.1f} µs profiled"
    )
    for key in ("tottime", "cumulative"):
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.sort_stats(key).print_stats(args.top)
        print(f"\n==== by {key}\n" + buffer.getvalue().split("\n\n", 2)[-1])
    if args.out:
        profiler.dump_stats(args.out)


if __name__ == "__main__":
    main()
