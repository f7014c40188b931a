r"""The deterministic, rule-based "model" of the local emulator (pure).

Every rule is driven by the request (messages, tools, ``tool_choice``, ``response_format``,
parameters), never by a test's literal text. For a chat request each choice is decided in order:

1. **ReAct text mode** when a system message carries ReAct format instructions (``Action:``,
   ``Action Input:``, ``Observation:`` and a ``Tool Name:``/``Tool Args:`` listing, as
   llama-index's ``ReActChatFormatter`` writes): after a user ``Observation: ...`` message answer
   ``Thought: ...\nAnswer: <observation>``; otherwise pick a tool like ``tool_choice="auto"``
   and answer ``Thought/Action/Action Input`` (arguments synthesised from ``Tool Args``).
2. **Tool calls** (``tools`` given): ``none`` never calls; ``auto`` (the default) calls the tools
   the last user message names, exact name first (case-insensitive, word boundary, longest
   first) else any non-stopword part of a snake_case/camelCase name, ordered by first mention,
   never right after a tool result; ``required`` calls the matches or the first tool; a named
   function calls that one. ``parallel_tool_calls: false`` keeps only the first. Arguments come
   from ``_schema.synthesize`` over the tool's parameters.
3. **response_format**: ``json_schema`` → JSON synthesised from the schema; ``json_object`` → an
   object with the keys quoted in the last user message (else ``{"result": <reply>}``); ``regex``
   → a string generated from the pattern; ``text`` → text.
4. After trailing tool results: ``"The tool returned: <content>"``.
5. Otherwise ``"<opener> You said: <last user text>"`` (the opener depends on the seed).

Seeds: ``seed`` int → ``seed + i`` for choice i; a list gives one per choice; absent → derived
from a digest of the request. Same seed and request → same output. ``min_tokens`` pads with
deterministic filler (words of the last user message); ``long_tokens`` (the ``long:<n>`` mode)
makes a lazily generated reply of exactly n tokens; then ``stop``/``max_tokens`` apply
(``_gen.Limited``).

Thinking: the request's ``chat_template_kwargs.enable_thinking`` (Friendli's documented switch)
decides when it is a boolean; otherwise the model does (``reasoning``: reasoning models think).
A thinking choice, with ``parse_reasoning: true``, puts its reasoning in
``Plan.reasoning`` (dropped when ``include_reasoning: false``, capped at ``reasoning_budget``
tokens); without it the reasoning is written into the content as ``<think>...</think>`` (not for
structured ``response_format`` replies, whose content must stay parseable).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from friendli_core.testing._gen import Limited, pad_to
from friendli_core.testing._regex import generate
from friendli_core.testing._schema import STOPWORDS, Hints, synthesize, topic_words
from friendli_core.testing._tokens import digest, message_text, pieces

__all__ = ["Plan", "ToolCall", "chat_plans", "completion_plans", "match_tools", "react_tools"]

_OPENERS = ("Hello!", "Sure.", "Understood.", "Got it.")
_REACT_MARKERS = ("Action:", "Action Input:", "Observation:", "Tool Name:", "Tool Args:")
_ANSWER_THOUGHT = (
    "Thought: I can answer without using any more tools. I'll use the user's language to answer"
)


@dataclass(frozen=True)
class ToolCall:
    """One synthesised tool call."""

    id: str
    name: str
    arguments: str


@dataclass
class Plan:
    """What one choice will say; ``content`` is a lazy, limited piece stream."""

    index: int
    seed: int
    content: Limited
    reasoning: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()

    @property
    def finish_reason(self) -> str:
        """Return the finish reason (valid once ``content`` is exhausted)."""
        if self.tool_calls:
            return "tool_calls"
        return self.content.finish_reason or "stop"


def _seeds(body: Mapping[str, Any], count: int, key: str) -> list[int]:
    seed = body.get("seed")
    if isinstance(seed, list):
        return [int(s) for s in seed][:count]
    if isinstance(seed, int):
        return [seed + i for i in range(count)]
    return [digest(key, i) % 2**31 for i in range(count)]


def _name_parts(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ")
    return [p for p in spaced.lower().split() if len(p) > 2 and p not in STOPWORDS]  # noqa: PLR2004


def match_tools(text: str, names: Sequence[str]) -> list[str]:
    """Return the tool names ``text`` refers to, ordered by first mention."""
    lowered = text.lower()
    exact: dict[str, int] = {}
    taken = lowered
    for name in sorted(names, key=len, reverse=True):
        found = re.search(rf"(?<![\w]){re.escape(name.lower())}(?![\w])", taken)
        if found:
            exact[name] = found.start()
            taken = taken[: found.start()] + " " * len(name) + taken[found.end() :]
    if exact:
        return sorted(exact, key=exact.__getitem__)
    partial: dict[str, int] = {}
    for name in names:
        hits = [m.start() for p in _name_parts(name) for m in re.finditer(rf"\b{p}\b", lowered)]
        if hits:
            partial[name] = min(hits)
    return sorted(partial, key=partial.__getitem__)


def _last_user_text(messages: Sequence[Mapping[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return message_text(message.get("content")).strip()
    return ""


def _trailing_tool_results(messages: Sequence[Mapping[str, Any]]) -> list[str]:
    results: list[str] = []
    for message in reversed(messages):
        if message.get("role") != "tool":
            break
        results.insert(0, message_text(message.get("content")))
    return results


def react_tools(messages: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]] | None:
    """Return ``{tool name: args schema}`` if a system message has ReAct instructions."""
    for message in messages:
        text = message_text(message.get("content")) if message.get("role") == "system" else ""
        if not all(marker in text for marker in _REACT_MARKERS):
            continue
        tools: dict[str, dict[str, Any]] = {}
        for found in re.finditer(r"Tool Name:\s*(\S+)", text):
            start = text.find("Tool Args:", found.end())
            schema: Any = {}
            if start >= 0:
                payload = text[start + len("Tool Args:") :].lstrip()
                try:
                    schema, _ = json.JSONDecoder().raw_decode(payload)
                except ValueError:
                    schema = {}
            tools[found.group(1)] = schema if isinstance(schema, dict) else {}
        return tools
    return None


def _call_args(schema: Mapping[str, Any], name: str, text: str, shared: Hints) -> str:
    own = Hints.for_call(text, name)
    hints = own if own.text != text else shared
    return json.dumps(synthesize(schema, hints, name), ensure_ascii=False)


def _plain_reply(messages: Sequence[Mapping[str, Any]], seed: int) -> str:
    results = _trailing_tool_results(messages)
    if results:
        label = "The tool returned" if len(results) == 1 else "The tools returned"
        return f"{label}: {'; '.join(results)}"
    text = _last_user_text(messages)
    opener = _OPENERS[seed % len(_OPENERS)]
    return f"{opener} You said: {text}" if text else f"{opener} How can I help you today?"


def _react_reply(messages: Sequence[Mapping[str, Any]], tools: Mapping[str, Any], seed: int) -> str:
    last = messages[-1] if messages else {}
    last_text = message_text(last.get("content")).strip()
    if last.get("role") in ("user", "tool") and last_text.startswith("Observation:"):
        observation = last_text.removeprefix("Observation:").strip()
        return f"{_ANSWER_THOUGHT}\nAnswer: {observation}"
    question = _last_user_text(messages)
    chosen = match_tools(question, list(tools))
    if not chosen:
        return f"{_ANSWER_THOUGHT}\nAnswer: {_plain_reply(messages, seed)}"
    name = chosen[0]
    args = _call_args(tools[name], name, question, Hints.from_text(question))
    return (
        "Thought: I need to use a tool to help me answer the question.\n"
        f"Action: {name}\nAction Input: {args}"
    )


def _chosen_tools(body: Mapping[str, Any], messages: Sequence[Mapping[str, Any]]) -> list[str]:
    tools = [t["function"]["name"] for t in body.get("tools") or ()]
    choice = body.get("tool_choice") or "auto"
    if not tools or choice == "none":
        return []
    if isinstance(choice, Mapping):
        return [choice["function"]["name"]]
    if choice == "auto" and messages and messages[-1].get("role") == "tool":
        return []
    chosen = match_tools(_last_user_text(messages), tools)
    if choice == "required" and not chosen:
        chosen = tools[:1]
    return chosen if body.get("parallel_tool_calls") is not False else chosen[:1]


def _structured(body: Mapping[str, Any], text: str, fallback: str, seed: int) -> str | None:
    fmt = body.get("response_format") or {}
    kind = fmt.get("type")
    if kind == "json_schema":
        value = synthesize(fmt["json_schema"]["schema"], Hints.from_text(text))
        return json.dumps(value, ensure_ascii=False)
    if kind == "json_object":
        legacy = fmt.get("schema")
        if isinstance(legacy, str):
            return json.dumps(synthesize(json.loads(legacy), Hints.from_text(text)))
        keys = list(dict.fromkeys(Hints.from_text(text).quoted))
        words = [w for w in topic_words(text) if w not in keys and w not in _FORMAT_WORDS]
        words = words or ["value"]
        value = {k: words[i % len(words)] for i, k in enumerate(keys)} or {"result": fallback}
        return json.dumps(value, ensure_ascii=False)
    if kind == "regex":
        return generate(fmt["schema"], seed)
    return None


_FORMAT_WORDS = frozenset({"json", "object", "key", "keys", "return", "result", "format"})


def _reasoning_text(messages: Sequence[Mapping[str, Any]]) -> str:
    words = topic_words(_last_user_text(messages))[:3]
    about = ", ".join(words) if words else "the conversation"
    return f"The user is asking about {about}. I will think step by step and then answer."


def _content(
    source: Iterator[str], body: Mapping[str, Any], seed: int, long: int | None, topic: str
) -> Limited:
    """Apply ``long``/``min_tokens`` padding (filler drawn from the topic words), then limits."""
    words = topic_words(topic)
    if long is not None:
        source = itertools.islice(pad_to(source, long, seed, words), long)
    minimum = body.get("min_tokens") or 0
    if minimum:
        source = pad_to(source, minimum, seed, words)
    return Limited(source, body.get("stop") or (), body.get("max_tokens"))


def _thinks(body: Mapping[str, Any], *, reasoning: bool) -> bool:
    """The request's ``enable_thinking`` when it is a boolean, else the model's default."""
    template = body.get("chat_template_kwargs")
    switch = template.get("enable_thinking") if isinstance(template, Mapping) else None
    return switch if isinstance(switch, bool) else reasoning


def _chat_choice(
    body: Mapping[str, Any], index: int, seed: int, key: str, *, reasoning: bool, long: int | None
) -> Plan:
    messages: list[Mapping[str, Any]] = body["messages"]
    react = react_tools(messages)
    calls: tuple[ToolCall, ...] = ()
    structured: str | None = None
    if react is not None:
        text = _react_reply(messages, react, seed)
    else:
        question = _last_user_text(messages)
        schemas = {
            t["function"]["name"]: t["function"]["parameters"] for t in body.get("tools") or ()
        }
        shared = Hints.from_text(question)
        calls = tuple(
            ToolCall(
                f"call_{digest(key, index, j):016x}",
                name,
                _call_args(schemas[name], name, question, shared),
            )
            for j, name in enumerate(_chosen_tools(body, messages))
        )
        text = _plain_reply(messages, seed)
        structured = None if calls else _structured(body, question, text, seed)
        text = "" if calls else structured if structured is not None else text
    thought = _reasoning_text(messages) if _thinks(body, reasoning=reasoning) else None
    parsed: str | None = None
    if thought is not None and body.get("parse_reasoning"):
        if body.get("include_reasoning") is not False:
            budget = body.get("reasoning_budget")
            parsed = "".join(pieces(thought)[:budget] if budget else pieces(thought))
    elif thought is not None and structured is None:
        text = f"<think>\n{thought}\n</think>\n\n{text}"
    topic = _last_user_text(messages)
    content = _content(iter(pieces(text)), body, seed, None if calls else long, topic)
    return Plan(index=index, seed=seed, content=content, reasoning=parsed, tool_calls=calls)


def chat_plans(
    body: Mapping[str, Any], key: str, *, reasoning: bool = False, long_tokens: int | None = None
) -> list[Plan]:
    """Return one ``Plan`` per choice of a (validated) chat request body.

    Args:
        body: the request JSON.
        key: a digest of the request, used for default seeds and tool call ids.
        reasoning: whether the requested model is a reasoning model.
        long_tokens: the ``long:<n>`` mode: a lazily generated reply of n tokens.
    """
    count = body.get("n") or 1
    return [
        _chat_choice(body, i, seed, key, reasoning=reasoning, long=long_tokens)
        for i, seed in enumerate(_seeds(body, count, key))
    ]


def _continuation(prompt: str, seed: int) -> str:
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", prompt.strip()) if s]
    tail = " ".join((sentences[-1] if sentences else "").split()[-20:])
    opener = ("Indeed,", "In short,", "Well,", "So,")[seed % 4]
    return f" {opener} the text continues from: {tail}" if tail else f" {opener} here is some text."


def completion_plans(
    body: Mapping[str, Any], prompts: Sequence[str], key: str, *, long_tokens: int | None = None
) -> list[Plan]:
    """Return the plans of a completions request: ``len(prompts) * n`` choices."""
    count = body.get("n") or 1
    seeds = _seeds(body, count, key)
    plans: list[Plan] = []
    for p, prompt in enumerate(prompts):
        for j, seed in enumerate(seeds):
            text = _continuation(prompt, seed)
            structured = _structured(body, prompt, text.strip(), seed)
            source = iter(pieces(structured if structured is not None else text))
            long = long_tokens if structured is None else None
            content = _content(source, body, seed, long, prompt)
            plans.append(Plan(index=p * count + j, seed=seed, content=content))
    return plans
