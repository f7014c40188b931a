"""Shared helpers of the emulator's HTTP tests."""

from __future__ import annotations

import json
from typing import Any

import httpx

from friendli_core.testing import LocalServer
from friendli_core.testing._openapi import validate

FAMILIES = {"serverless": "Serverless", "dedicated": "Dedicated", "container": "Container"}
# One shared client: ``httpx.post`` builds a client (and an SSL context) per call, ~40 ms each.
HTTP = httpx.Client(timeout=30)


def base(server: LocalServer, family: str) -> str:
    return {
        "serverless": server.serverless_url,
        "dedicated": server.dedicated_url,
        "container": server.container_url,
    }[family]


def auth(server: LocalServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token}"}


def chat_body(family: str, text: str = "Hello there", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"messages": [{"role": "user", "content": text}], **extra}
    if family != "container":
        body.setdefault("model", "friendli-local-model")
    return body


def post(server: LocalServer, family: str, suffix: str, body: Any, **kwargs: Any) -> httpx.Response:
    """POST after checking the request body against the family's request schema."""
    component = {
        "chat/completions": "ChatCompletion{s}Body",
        "completions": "Completions{s}Body",
        "tokenize": "TokenizationBody",
        "detokenize": "DetokenizationBody",
    }[suffix].format(s="Stream" if isinstance(body, dict) and body.get("stream") else "")
    assert validate(FAMILIES[family] + component, body) == [], "the test sent an invalid request"
    headers = {**auth(server), **kwargs.pop("headers", {})}
    return HTTP.post(f"{base(server, family)}/{suffix}", json=body, headers=headers, **kwargs)


def sse_events(raw: bytes) -> list[tuple[str | None, str]]:
    """Split an SSE body into (event, data) pairs."""
    events = []
    for block in raw.decode().split("\n\n"):
        if not block.strip():
            continue
        event = None
        data = []
        for line in block.split("\n"):
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data.append(line.removeprefix("data: "))
        events.append((event, "\n".join(data)))
    return events


def stream_chunks(raw: bytes) -> list[dict[str, Any]]:
    """Return the JSON chunks of a well-formed stream, asserting it ends with [DONE]."""
    events = sse_events(raw)
    assert events[-1] == (None, "[DONE]")
    return [json.loads(data) for _, data in events[:-1]]


async def raw_post(
    port: int, path: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 POST over a fresh asyncio connection (``Connection: close``).

    httpx's pool gets slow with hundreds of simultaneous new connections, so the concurrency
    test talks HTTP directly.
    """
    import asyncio

    payload = json.dumps(body).encode()
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        f"Content-Length: {len(payload)}",
        "Connection: close",
    ]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, rest = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode().split("\r\n")
    parsed = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    return int(status_line.split()[1]), parsed, rest
