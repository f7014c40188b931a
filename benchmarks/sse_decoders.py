"""SSE framing: `httpx-sse` against `friendli_core._sse.SSEDecoder` on the same bytes.

Both read the same `httpx.Response` (one network read per event, as a server flushing per
token sends them) and yield the same `(event, data)` pairs; the floor only splits lines. The
core uses its own decoder when this shows it clearly faster (see RESULTS.md).

    python -m benchmarks.sse_decoders [--events 20000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Iterator

import httpx
from httpx_sse import EventSource

from friendli_core._sse import SSEDecoder


def transcript(events: int) -> list[bytes]:
    chunk = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": " tok"}, "finish_reason": None}],
    }
    line = b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\n\n"
    return [line] * events + [b"data: [DONE]\n\n"]


def response(parts: list[bytes]) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=iter(parts))


def with_httpx_sse(parts: list[bytes]) -> int:
    return sum(1 for _ in EventSource(response(parts)).iter_sse())


def with_ours(parts: list[bytes]) -> int:
    decoder = SSEDecoder()
    return sum(len(decoder.feed(raw)) for raw in response(parts).iter_bytes())


def floor_lines(parts: list[bytes]) -> int:
    return sum(1 for line in response(parts).iter_lines() if line.startswith("data: "))


def timed(fn: Callable[[list[bytes]], int], parts: list[bytes], rounds: int) -> Iterator[float]:
    for _ in range(rounds):
        started = time.process_time()
        count = fn(parts)
        yield (time.process_time() - started) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    parts = transcript(args.events)
    assert with_httpx_sse(parts) == with_ours(parts) == floor_lines(parts)
    results = {
        name: statistics.median(timed(fn, parts, args.rounds))
        for name, fn in [
            ("iter_lines floor", floor_lines),
            ("httpx-sse", with_httpx_sse),
            ("friendli_core SSEDecoder", with_ours),
        ]
    }
    print(f"| SSE framing ({args.events} events, CPU µs/event, median of {args.rounds}) | µs |")
    print("| --- | --- |")
    for name, value in results.items():
        print(f"| {name} | {value:.2f} |")


if __name__ == "__main__":
    main()
