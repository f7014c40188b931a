"""Documented request constraints beyond the OpenAPI schemas (pure).

Each check returns an error message (the request is answered with HTTP 400) or ``None``.
They are the API's documented rules: the mutual exclusions and ranges of the chat fields, the
shape of tool messages, the completions body's rules, and that a tool message's ``tool_call_id``
must answer a tool call of an earlier assistant message. ``check_openai_fields`` is the rule of
a strict OpenAI-compatible server (``openai_strict``): only OpenAI's field names are accepted.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

from friendli_core.testing._regex import RegexError, parse

__all__ = ["MAX_N", "MAX_TOP_LOGPROBS", "check_chat", "check_completions", "check_openai_fields"]

MAX_N = 16
MAX_TOP_LOGPROBS = 20
_TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_Check = Callable[[Mapping[str, Any]], "str | None"]


def _set(body: Mapping[str, Any], name: str) -> bool:
    return body.get(name) is not None


def _exclusions(body: Mapping[str, Any]) -> str | None:
    if body.get("tools") and _set(body, "response_format"):
        return "`tools` and `response_format` cannot be used together"
    if body.get("tools") and (body.get("min_tokens") or 0) > 0:
        return "`min_tokens` is not supported together with `tools`"
    if _set(body, "response_format") and (body.get("min_tokens") or 0) > 0:
        return "`min_tokens` is not supported together with `response_format`"
    if _set(body, "stream_options") and body.get("stream") is not True:
        return "`stream_options` can only be used when `stream` is true"
    return None


def _ranges(body: Mapping[str, Any]) -> str | None:
    checks: list[tuple[str, float, float]] = [
        ("temperature", 0.0, 2.0),
        ("top_p", 1e-12, 1.0),
        ("min_p", 0.0, 1.0),
        ("frequency_penalty", -2.0, 2.0),
        ("presence_penalty", -2.0, 2.0),
        ("xtc_threshold", 0.0, 1.0),
        ("xtc_probability", 0.0, 1.0),
        ("n", 1, MAX_N),
        ("max_tokens", 1, float("inf")),
        ("min_tokens", 0, float("inf")),
        ("top_k", 0, float("inf")),
        ("reasoning_budget", 1, float("inf")),
    ]
    for name, low, high in checks:
        value = body.get(name)
        if value is not None and not low <= value <= high:
            return f"`{name}` must be between {low:g} and {high:g}, got {value}"
    if _set(body, "repetition_penalty") and body["repetition_penalty"] <= 0:
        return "`repetition_penalty` must be positive"
    if body.get("max_tokens") and (body.get("min_tokens") or 0) > body["max_tokens"]:
        return "`min_tokens` must not exceed `max_tokens`"
    seed = body.get("seed")
    if isinstance(seed, list) and len(seed) != (body.get("n") or 1):
        return f"`seed` has {len(seed)} values but `n` is {body.get('n') or 1}"
    if body.get("stop") is not None and "" in body["stop"]:
        return "`stop` must not contain an empty string"
    return None


def _response_format(body: Mapping[str, Any]) -> str | None:
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "regex":
        try:
            parse(fmt["schema"])
        except RegexError as exc:
            return f"`response_format.schema`: {exc}"
    return None


def _logprobs_chat(body: Mapping[str, Any]) -> str | None:
    if _set(body, "top_logprobs"):
        if body.get("logprobs") is not True:
            return "`top_logprobs` requires `logprobs` to be true"
        if not 0 <= body["top_logprobs"] <= MAX_TOP_LOGPROBS:
            return f"`top_logprobs` must be between 0 and {MAX_TOP_LOGPROBS}"
    return None


def _tools(body: Mapping[str, Any]) -> str | None:
    names = [t["function"]["name"] for t in body.get("tools") or ()]
    for name in names:
        if not _TOOL_NAME.fullmatch(name):
            return f"tool name {name!r} must match [a-zA-Z0-9_-]{{1,64}}"
    if len(set(names)) != len(names):
        return "tool names must be unique"
    choice = body.get("tool_choice")
    if isinstance(choice, str) and choice not in ("none", "auto", "required"):
        return f"`tool_choice` must be 'none', 'auto', 'required' or a function, got {choice!r}"
    if choice == "required" and not names:
        return "`tool_choice` 'required' needs `tools`"
    if isinstance(choice, Mapping) and choice["function"]["name"] not in names:
        return (
            f"`tool_choice` names function {choice['function']['name']!r}, which is not in `tools`"
        )
    return None


def _messages(body: Mapping[str, Any]) -> str | None:
    messages = body["messages"]
    if not messages:
        return "`messages` must not be empty"
    call_ids: set[str] = set()
    for index, message in enumerate(messages):
        role = message["role"]
        if role == "assistant":
            calls = message.get("tool_calls") or []
            if message.get("content") is None and not calls:
                return (
                    f"messages[{index}]: assistant `content` is required unless `tool_calls` is set"
                )
            call_ids.update(c["id"] for c in calls)
        if role == "tool" and message["tool_call_id"] not in call_ids:
            return (
                f"messages[{index}]: tool_call_id {message['tool_call_id']!r} does not match any "
                "tool call of an earlier assistant message"
            )
    return None


def _run(body: Mapping[str, Any], checks: tuple[_Check, ...]) -> str | None:
    for check in checks:
        problem = check(body)
        if problem is not None:
            return problem
    return None


def check_chat(body: Mapping[str, Any]) -> str | None:
    """Return the first violated constraint of a schema-valid chat body, or ``None``."""
    return _run(body, (_messages, _exclusions, _ranges, _logprobs_chat, _tools, _response_format))


def _completions_only(body: Mapping[str, Any]) -> str | None:
    if _set(body, "prompt") == _set(body, "tokens"):
        return "exactly one of `prompt` and `tokens` must be given"
    if _set(body, "max_tokens") and _set(body, "max_total_tokens"):
        return "only one of `max_tokens` and `max_total_tokens` may be given"
    if _set(body, "min_tokens") and _set(body, "min_total_tokens"):
        return "only one of `min_tokens` and `min_total_tokens` may be given"
    if _set(body, "logprobs") and not 0 <= body["logprobs"] <= MAX_TOP_LOGPROBS:
        return f"`logprobs` must be between 0 and {MAX_TOP_LOGPROBS}"
    prompt = body.get("prompt")
    if isinstance(prompt, list) and not prompt:
        return "`prompt` must not be an empty list"
    return None


def check_completions(body: Mapping[str, Any]) -> str | None:
    """Return the first violated constraint of a schema-valid completions body, or ``None``."""
    return _run(body, (_completions_only, _exclusions, _ranges, _response_format))


@functools.cache
def _openai_field_names() -> dict[str, frozenset[str]]:
    """OpenAI's body field names per API, as vendored from its SDK (``_data/openai_fields.json``).

    Read from the data file, not from the client's field table: the server judges requests on
    its own.
    """
    data = resources.files("friendli_core").joinpath("_data/openai_fields.json")
    loaded = json.loads(data.read_text(encoding="utf-8"))
    return {api: frozenset(loaded[api]) for api in ("chat", "completions", "embeddings")}


def check_openai_fields(api: str, body: Mapping[str, Any]) -> str | None:
    """As a strict OpenAI-compatible server: refuse a field OpenAI's API does not define.

    ``api`` is ``chat``, ``completions`` or ``embeddings``. The names are OpenAI's, so
    Friendli's own fields (``top_k``, ``min_p``, ``repetition_penalty``, ...) are refused, as
    OpenAI answers them.
    """
    unknown = sorted(set(body) - _openai_field_names()[api] - {"stream"})
    if unknown:
        return f"Unrecognized request argument supplied: {', '.join(unknown)}"
    best_of = body.get("best_of") if api == "completions" else None
    if best_of is not None and best_of < (body.get("n") or 1):
        return "best_of must be greater than or equal to n"
    return None
