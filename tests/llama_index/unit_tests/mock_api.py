"""Friendli-shaped replies and a recording `httpx.MockTransport` handler for the unit tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

TOKEN = "flp_UNITSECRET0123456789abcdef"
MODEL = "deepseek-ai/DeepSeek-V3.2"

Reply = httpx.Response | Callable[[httpx.Request], httpx.Response]


def completion(
    content: str | None = "Hello there",
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    reasoning: str | None = None,
    logprobs: dict[str, Any] | None = None,
    finish_reason: str = "stop",
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls is not None:
        message["tool_calls"] = tool_calls
    if reasoning is not None:
        message["reasoning_content"] = reasoning
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": MODEL,
        "created": 1735722153,
        "choices": [
            {"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": logprobs}
        ],
        "usage": {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12},
    }


def text_completion(text: str = " world", logprobs: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": "cmpl-1",
        "object": "text_completion",
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "seed": 1,
                "text": text,
                "tokens": [1, 2],
                "finish_reason": "stop",
                "logprobs": logprobs,
            }
        ],
        "usage": {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4},
    }


def chunk(
    delta: dict[str, Any] | None = None, finish: str | None = None, **extra: Any
) -> dict[str, Any]:
    choices = (
        [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish, **extra}]
    )
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": MODEL,
        "choices": choices,
    }


USAGE_CHUNK = {
    "id": "chatcmpl-1",
    "object": "chat.completion.chunk",
    "created": 1,
    "choices": [],
    "usage": {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12},
}


def text_stream(*pieces: str) -> list[dict[str, Any]]:
    """Chunks for a plain streamed reply: role, text pieces, finish, usage."""
    first, *rest = pieces
    return [
        chunk({"role": "assistant", "content": first}),
        *(chunk({"content": p}) for p in rest),
        chunk({}, "stop"),
        USAGE_CHUNK,
    ]


def sse(events: list[dict[str, Any]], *, done: bool = True) -> httpx.Response:
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + (
        "data: [DONE]\n\n" if done else ""
    )
    return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})


@dataclass
class MockAPI:
    """Queued replies (the last one repeats) and the requests received, bodies parsed."""

    replies: list[Reply] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    @property
    def last(self) -> dict[str, Any]:
        return self.bodies[-1]

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if callable(reply):
            return reply(request)
        # a fresh response each time: a read response cannot be sent again
        return httpx.Response(reply.status_code, headers=reply.headers, content=reply.content)

    def reply(self, *replies: Reply | dict[str, Any]) -> None:
        self.replies = [httpx.Response(200, json=r) if isinstance(r, dict) else r for r in replies]
