"""A minimal, fast HTTP/1.1 server for the Friendli chat and completions paths.

Every response is precomputed bytes (built once per shape and size, then cached), so the
server spends next to nothing per request and the client's cost dominates the measurement.

* `POST .../chat/completions` and `POST .../completions` (any prefix: `/serverless/v1`,
  `/v1`, ...). The reply has `max_tokens` (or `max_completion_tokens`, or the
  `X-Bench-Tokens` header) tokens; 16 when none is given. `"stream": true` gives an SSE
  stream: a role chunk (chat), one content chunk per token, a finish chunk, a usage chunk
  (`choices: []`) when `stream_options.include_usage` is true, then `data: [DONE]`. Each SSE event is one HTTP/1.1 chunk, as a real
  server flushes per token. Without `stream` the reply is one JSON body with Content-Length.
* Keep-alive; `Connection: close` is honoured. `GET /health` answers `ok`; `GET /stats`
  answers `{"accepted": N}`, the connections accepted since the server started, less those
  that asked it (open one per question), which the scale figure reads to count connections.

Run it as a separate process: `python -m benchmarks.sse_server --port 0 --cpu 1` prints
`PORT <n>` once it listens, and serves until stdin closes or it is terminated.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from functools import lru_cache

__all__ = ["DEFAULT_TOKENS", "MODEL", "expected_text", "response_bytes", "token_text"]

MODEL = "bench-model"
DEFAULT_TOKENS = 16
CREATED = 1_700_000_000
_WORDS = (
    " the", " quick", " brown", " fox", " jumps", " over", " a", " lazy", " dog", ",",
    " and", " then", " it", " runs", " far", " away", " into", " forest", ".", " Friendli",
)  # fmt: skip


def token_text(i: int) -> str:
    """The text of token `i` of every reply."""
    return _WORDS[i % len(_WORDS)]


@lru_cache(maxsize=8)
def expected_text(n: int) -> str:
    """The full text of an `n`-token reply."""
    return "".join(token_text(i) for i in range(n))


def _dumps(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _usage(n: int) -> dict[str, int]:
    return {"prompt_tokens": 8, "completion_tokens": n, "total_tokens": 8 + n}


def _head(kind: str) -> dict[str, object]:
    obj = "chat.completion.chunk" if kind == "chat" else "text_completion"
    return {"id": f"{kind}-bench-0001", "object": obj, "created": CREATED, "model": MODEL}


def _event(obj: object) -> bytes:
    payload = b"data: " + (obj if isinstance(obj, bytes) else _dumps(obj)) + b"\n\n"
    return b"%x\r\n%s\r\n" % (len(payload), payload)


def _stream_body(kind: str, n: int, usage: bool) -> bytes:
    head = _head(kind)
    parts: list[bytes] = []
    if kind == "chat":
        first = {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
        parts.append(_event({**head, "choices": [first]}))
    for i in range(n):
        if kind == "chat":
            choice = {
                "index": 0,
                "delta": {"content": token_text(i)},
                "finish_reason": None,
                "logprobs": None,
            }
        else:
            choice = {"index": 0, "text": token_text(i), "finish_reason": None, "logprobs": None}
        parts.append(_event({**head, "choices": [choice]}))
    last: dict[str, object]
    if kind == "chat":
        last = {"index": 0, "delta": {}, "finish_reason": "stop", "logprobs": None}
    else:
        last = {"index": 0, "text": "", "finish_reason": "stop", "logprobs": None}
    parts.append(_event({**head, "choices": [last]}))
    if usage:
        parts.append(_event({**head, "choices": [], "usage": _usage(n)}))
    parts.append(_event(b"[DONE]"))
    parts.append(b"0\r\n\r\n")
    header = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
        b"Cache-Control: no-cache\r\nx-request-id: bench\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    return header + b"".join(parts)


def _json_body(kind: str, n: int) -> bytes:
    head = _head(kind)
    text = expected_text(n)
    if kind == "chat":
        head["object"] = "chat.completion"
        message = {"role": "assistant", "content": text}
        choice: dict[str, object] = {"index": 0, "message": message, "finish_reason": "stop"}
    else:
        choice = {"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}
    body = _dumps({**head, "choices": [choice], "usage": _usage(n)})
    header = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-request-id: bench\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    return header + body


@lru_cache(maxsize=32)
def response_bytes(kind: str, stream: bool, n: int, usage: bool = False) -> bytes:
    """The whole HTTP response (status line to last byte) for one request shape."""
    return _stream_body(kind, n, usage) if stream else _json_body(kind, n)


def _simple(status: str, body: bytes) -> bytes:
    return b"HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (
        status.encode(),
        len(body),
        body,
    )


_ACCEPTED = [0]  # connections accepted since the start


def _route(method: str, target: str, headers: dict[str, str], body: bytes) -> bytes:
    path = target.split("?", 1)[0]
    if method == "GET" and path == "/health":
        return _simple("200 OK", b"ok")
    if method == "GET" and path == "/stats":
        _ACCEPTED[0] -= 1  # the question's own connection is not one being counted
        return _simple("200 OK", _dumps({"accepted": _ACCEPTED[0]}))
    if method != "POST":
        return _simple("405 Method Not Allowed", b"method not allowed")
    if path.endswith("/chat/completions"):
        kind = "chat"
    elif path.endswith("/completions"):
        kind = "completion"
    else:
        return _simple("404 Not Found", b"not found")
    try:
        params = json.loads(body) if body else {}
    except ValueError:
        return _simple("400 Bad Request", b"body is not JSON")
    tokens = headers.get("x-bench-tokens")
    n = int(
        tokens
        if tokens is not None
        else params.get("max_tokens") or params.get("max_completion_tokens") or DEFAULT_TOKENS
    )
    options = params.get("stream_options") or {}
    usage = isinstance(options, dict) and options.get("include_usage") is True
    return response_bytes(kind, params.get("stream") is True, n, usage)


class _Connection(asyncio.Protocol):
    """One keep-alive connection: parse requests as they arrive, answer each with bytes."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        _ACCEPTED[0] += 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        transport = self.transport
        assert transport is not None
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
            method, target, _version = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if "chunked" in headers.get("transfer-encoding", ""):
                transport.write(_simple("411 Length Required", b"send Content-Length"))
                transport.close()
                return
            length = int(headers.get("content-length", "0"))
            start = end + 4
            if len(self.buffer) < start + length:
                return
            body = bytes(self.buffer[start : start + length])
            del self.buffer[: start + length]
            transport.write(_route(method, target, headers, body))
            if headers.get("connection", "").lower() == "close":
                transport.close()
                return


def pin_to_cpu(cpu: int) -> bool:
    """Pin this process to one CPU when the machine has it and more than one; True if pinned."""
    try:
        allowed = os.sched_getaffinity(0)
    except AttributeError:  # not Linux
        return False
    if cpu not in allowed or len(allowed) < 2:
        return False
    os.sched_setaffinity(0, {cpu})
    return True


async def _serve(host: str, port: int, sizes: list[int]) -> None:
    for n in sizes:  # warm the cache so the first request of each size costs nothing either
        for kind in ("chat", "completion"):
            response_bytes(kind, True, n, True)
            response_bytes(kind, True, n, False)
            response_bytes(kind, False, n)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Connection, host, port, backlog=4096)
    bound = server.sockets[0].getsockname()[1]
    print(f"PORT {bound}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # Stop when the parent goes away (stdin closes), so no server outlives a run.
    loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not sys.stdin.read(1) else None)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cpu", type=int, default=1, help="CPU to pin to; -1 for none")
    parser.add_argument(
        "--warm", default="16,2000", help="comma-separated reply sizes to precompute"
    )
    args = parser.parse_args(argv)
    if args.cpu >= 0:
        pin_to_cpu(args.cpu)
    sizes = [int(s) for s in args.warm.split(",") if s]
    asyncio.run(_serve(args.host, args.port, sizes))


if __name__ == "__main__":
    main()
