"""Friendli-shaped response bodies, stream chunks, SSE framing and error bodies (pure).

Shapes follow the OpenAPI schemas ``ChatResult``, ``StreamedChatData``, ``CompletionsResult``
and ``StreamedCompletionData``, and the API's SSE framing (``data:`` events, ``[DONE]``).

Determinism: ``request_key`` is the SHA-256 of the endpoint family plus the canonical JSON of the
body (without ``stream``/``stream_options``); the response ``id`` (``chatcmpl-``/``cmpl-`` +
32 hex digits of the key), ``created`` (``1_700_000_000`` + a key-derived offset), default seeds
and tool call ids come from it, so the same request yields the same bytes.

Usage: ``prompt_tokens`` = tokens of the rendered prompt (``_tokens.render_chat``) or of the
completions prompt(s); ``completion_tokens`` = over all choices, the content tokens plus the
reasoning tokens plus, per tool call, the tokens of ``name`` and ``arguments``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from friendli_core.testing._gen import alternatives, logprob_of
from friendli_core.testing._model import Plan
from friendli_core.testing._tokens import count_tokens, pieces, token_id

__all__ = [
    "DONE",
    "Meta",
    "chat_chunks",
    "chat_result",
    "completion_chunks",
    "completion_result",
    "error_body",
    "error_event",
    "request_key",
    "sse",
]

DONE = b"data: [DONE]\n\n"
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_denied_error",
    404: "not_found_error",
    405: "method_not_allowed",
    409: "conflict_error",
    413: "request_too_large",
    422: "unprocessable_entity_error",
    429: "rate_limit_error",
    500: "internal_server_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}
_EPOCH = 1_700_000_000


def request_key(family: str, body: Any) -> str:
    """Return the SHA-256 hex digest identifying a request (family + canonical JSON body).

    ``stream`` and ``stream_options`` are left out, so a streamed request gets the same id,
    default seed and text as its non-streamed twin.
    """
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in ("stream", "stream_options")}
    canonical = json.dumps(
        [family, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Meta:
    """Response-level fields shared by every choice and chunk."""

    key: str
    model: str | None
    prompt_tokens: int
    logprobs: int | None = None
    include_usage: bool = False
    cached_tokens: int = 0

    def ident(self, prefix: str) -> str:
        """Return the deterministic response id."""
        return f"{prefix}-{self.key[:32]}"

    @property
    def created(self) -> int:
        """Return the deterministic ``created`` timestamp (seconds)."""
        return _EPOCH + int(self.key[32:40], 16) % 50_000_000


def sse(payload: Mapping[str, Any]) -> bytes:
    """Frame one JSON payload as an SSE ``data:`` event."""
    return b"data: " + _dumps(payload) + b"\n\n"


def error_event(status: int, message: str) -> bytes:
    """Frame an error as an SSE ``event: error`` event."""
    return b"event: error\ndata: " + _dumps(error_body(status, message)) + b"\n\n"


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _dumps(payload: Any) -> bytes:
    return _ENCODER.encode(payload).encode()


def error_body(status: int, message: str, kind: str | None = None) -> dict[str, Any]:
    """Return the project's error body convention for ``status``."""
    kind = kind or _ERROR_TYPES.get(status, "api_error")
    return {"message": message, "error": {"message": message, "type": kind, "code": status}}


def _usage(meta: Meta, completion: int) -> dict[str, Any]:
    return {
        "prompt_tokens": meta.prompt_tokens,
        "completion_tokens": completion,
        "total_tokens": meta.prompt_tokens + completion,
        "prompt_tokens_details": {"cached_tokens": meta.cached_tokens},
    }


def _chat_logprob(seed: int, position: int, piece: str, top: int) -> dict[str, Any]:
    return {
        "token": piece,
        "logprob": logprob_of(seed, position, piece),
        "bytes": list(piece.encode()),
        "top_logprobs": [
            {"token": t, "logprob": lp, "bytes": list(t.encode())}
            for t, lp in alternatives(seed, position, piece, top)
        ],
    }


def _tool_call_tokens(plan: Plan) -> int:
    return sum(count_tokens(c.name) + count_tokens(c.arguments) for c in plan.tool_calls)


def _extra_tokens(plan: Plan) -> int:
    return (count_tokens(plan.reasoning) if plan.reasoning else 0) + _tool_call_tokens(plan)


def chat_result(plans: Sequence[Plan], meta: Meta) -> dict[str, Any]:
    """Return a non-streaming ``ChatResult`` body (consumes the plans)."""
    choices = []
    completion = 0
    for plan in plans:
        content = list(plan.content)
        completion += len(content) + _extra_tokens(plan)
        message: dict[str, Any] = {"role": "assistant", "content": "".join(content)}
        if plan.reasoning is not None:
            message["reasoning_content"] = plan.reasoning
        if plan.tool_calls:
            message["content"] = message["content"] or None
            message["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for c in plan.tool_calls
            ]
        logprobs = None
        if meta.logprobs is not None:
            entries = [_chat_logprob(plan.seed, i, p, meta.logprobs) for i, p in enumerate(content)]
            logprobs = {"content": entries}
        choices.append(
            {
                "index": plan.index,
                "message": message,
                "finish_reason": plan.finish_reason,
                "logprobs": logprobs,
            }
        )
    return {
        "id": meta.ident("chatcmpl"),
        "object": "chat.completion",
        "created": meta.created,
        "model": meta.model,
        "choices": choices,
        "usage": _usage(meta, completion),
    }


def _choice(
    index: int, delta: dict[str, Any], logprobs: Any = None, finish: str | None = None
) -> dict[str, Any]:
    return {"index": index, "delta": delta, "finish_reason": finish, "logprobs": logprobs}


def _chat_deltas(plan: Plan, meta: Meta) -> Iterator[dict[str, Any]]:
    role: dict[str, Any] = {"role": "assistant"}
    for piece in pieces(plan.reasoning or ""):
        yield _choice(plan.index, {**role, "reasoning_content": piece})
        role = {}
    for position, piece in enumerate(plan.content):
        logprobs = None
        if meta.logprobs is not None:
            logprobs = {"content": [_chat_logprob(plan.seed, position, piece, meta.logprobs)]}
        yield _choice(plan.index, {**role, "content": piece}, logprobs)
        role = {}
    for j, call in enumerate(plan.tool_calls):
        head = {
            "index": j,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        yield _choice(plan.index, {**role, "tool_calls": [head]})
        role = {}
        for fragment in pieces(call.arguments):
            part = {"index": j, "type": "function", "function": {"arguments": fragment}}
            yield _choice(plan.index, {"tool_calls": [part]})
    if role:
        yield _choice(plan.index, {**role, "content": ""})
    yield _choice(plan.index, {}, None, plan.finish_reason)


def _round_robin(streams: list[Iterator[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    active = list(streams)
    while active:
        for stream in list(active):
            item = next(stream, None)
            if item is None:
                active.remove(stream)
            else:
                yield item


def chat_chunks(plans: Sequence[Plan], meta: Meta) -> Iterator[dict[str, Any]]:
    """Yield ``StreamedChatData`` chunks (choices interleaved round-robin), then usage if asked."""
    head = {
        "id": meta.ident("chatcmpl"),
        "object": "chat.completion.chunk",
        "created": meta.created,
    }
    if meta.model is not None:
        head["model"] = meta.model
    for choice in _round_robin([_chat_deltas(plan, meta) for plan in plans]):
        yield {**head, "choices": [choice], "usage": None}
    if meta.include_usage:
        completion = sum(p.content.count + _extra_tokens(p) for p in plans)
        yield {**head, "choices": [], "usage": _usage(meta, completion)}


def _legacy_logprobs(
    seed: int, start: int, tokens: Sequence[str], offsets: Sequence[int], top: int
) -> dict[str, Any]:
    return {
        "tokens": list(tokens),
        "token_logprobs": [logprob_of(seed, start + i, t) for i, t in enumerate(tokens)],
        "text_offset": list(offsets),
        "top_logprobs": [dict(alternatives(seed, start + i, t, top)) for i, t in enumerate(tokens)],
    }


def completion_result(plans: Sequence[Plan], meta: Meta) -> dict[str, Any]:
    """Return a non-streaming ``CompletionsResult`` body (consumes the plans)."""
    choices = []
    completion = 0
    for plan in plans:
        content = list(plan.content)
        completion += len(content)
        offsets = list(itertools.accumulate((len(p) for p in content[:-1]), initial=0))
        logprobs = None
        if meta.logprobs is not None:
            logprobs = _legacy_logprobs(
                plan.seed, 0, content, offsets if content else [], meta.logprobs
            )
        choices.append(
            {
                "index": plan.index,
                "seed": plan.seed,
                "text": "".join(content),
                "tokens": [token_id(p) for p in content],
                "finish_reason": plan.finish_reason,
                "logprobs": logprobs,
            }
        )
    body: dict[str, Any] = {
        "id": meta.ident("cmpl"),
        "object": "text_completion",
        "model": meta.model,
    }
    return {**body, "choices": choices, "usage": _usage(meta, completion)}


def _completion_deltas(plan: Plan, meta: Meta) -> Iterator[dict[str, Any]]:
    offset = 0
    for position, piece in enumerate(plan.content):
        logprobs = None
        if meta.logprobs is not None:
            logprobs = _legacy_logprobs(plan.seed, position, [piece], [offset], meta.logprobs)
        offset += len(piece)
        choice = {"index": plan.index, "text": piece, "token": token_id(piece)}
        yield {**choice, "finish_reason": None, "logprobs": logprobs}
    yield {"index": plan.index, "text": "", "finish_reason": plan.finish_reason, "logprobs": None}


def completion_chunks(plans: Sequence[Plan], meta: Meta) -> Iterator[dict[str, Any]]:
    """Yield ``StreamedCompletionData`` chunks (current format), then usage if asked."""
    head = {"id": meta.ident("cmpl"), "object": "text_completion", "created": meta.created}
    if meta.model is not None:
        head["model"] = meta.model
    for choice in _round_robin([_completion_deltas(plan, meta) for plan in plans]):
        yield {**head, "choices": [choice]}
    if meta.include_usage:
        completion = sum(p.content.count for p in plans)
        yield {**head, "choices": [], "usage": _usage(meta, completion)}
