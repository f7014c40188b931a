"""The adapters' toolbox: the Friendli wire shapes both adapters build, written once.

Pure (no I/O, no framework import). `langchain_friendli` and `llama_index_friendli` each keep
only their framework's conversion (its message classes, content blocks, tool objects and
response types) and call these for the Friendli side:

* Tools: `function_tool` (the `{"type": "function", "function": {...}}` definition, with only
  the fields Friendli defines), `tool_call` (an assistant message's tool call, arguments as a
  JSON string), `resolve_tool_choice` (keywords, booleans and tool names to the wire value).
* Messages: `assistant_message` (text, tool calls and reasoning of an assistant turn),
  `media_part` and `data_url` (image/audio/video content parts, base64 data as a `data:` URL).
* Structured output: `json_schema_format` / `JSON_OBJECT_FORMAT` (`response_format` values).
* Streams: `ChatChoiceFold`, the incremental fold of one choice of a chat stream. The core's
  `ChatStreamAccumulator` folds every choice with it; the LlamaIndex stream folds choice 0 with
  it and reads the message so far after each chunk.

The system-instruction decision for `json_schema` output, the same in both adapters: no
instruction is added to the prompt. The request carries the caller's messages as written and the
server constrains decoding to the schema, as langchain-openai (`with_structured_output`) and
llama-index-llms-openai (`structured_predict`) do. A hidden instruction would change the prompt
the caller traces, evaluates and caches, and collide with their own system prompt. Friendli's
structured-output guide asks that the prompt itself request JSON (without it some models pad
the output with whitespace), so the adapters' documentation tells the caller to say so.

This module imports no pydantic model at load time (`friendli_core.types` is imported where a
typed object is built): `langchain_friendli` imports it without loading the core's models.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from friendli_core.errors import InvalidRequestError

if TYPE_CHECKING:
    from friendli_core.types import (
        ChunkChoice,
        FunctionCall,
        LogprobContent,
        ToolCall,
        ToolCallDelta,
    )

__all__ = [
    "CONTENT",
    "JSON_OBJECT_FORMAT",
    "LOGPROBS",
    "REASONING",
    "ROLE",
    "TOOL_CALLS",
    "ChatChoiceFold",
    "MediaKind",
    "arguments_json",
    "assistant_message",
    "data_url",
    "function_tool",
    "json_schema_format",
    "media_part",
    "resolve_tool_choice",
    "tool_call",
]

MediaKind = Literal["image", "audio", "video"]

# --------------------------------------------------------------------------- tools

_FUNCTION_KEYS = ("name", "description", "parameters")  # the spec's `Function` fields
_TOOL_CHOICE_KEYWORDS = {"auto": "auto", "none": "none", "required": "required", "any": "required"}


def function_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    """The Friendli definition of an OpenAI-style function tool dict.

    Keeps the fields Friendli defines (`name`, `description`, `parameters`); OpenAI's `strict`
    has no Friendli counterpart (JSON-schema decoding is always constrained) and is not sent.

    Raises:
        InvalidRequestError: `tool` is not a function tool (e.g. a provider's built-in tool).
    """
    function = tool.get("function")
    if tool.get("type") != "function" or not isinstance(function, Mapping):
        msg = (
            "Friendli chat takes function tools only "
            f'({{"type": "function", "function": {{...}}}}); got {dict(tool)!r:.120}.'
        )
        raise InvalidRequestError(msg)
    kept = {k: function[k] for k in _FUNCTION_KEYS if function.get(k) is not None}
    return {"type": "function", "function": kept}


def arguments_json(arguments: str | Mapping[str, Any] | None) -> str:
    """Tool-call arguments as the wire's JSON string (a string is taken as already encoded)."""
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments if arguments is not None else {}, ensure_ascii=False)


def tool_call(
    call_id: str | None, name: str | None, arguments: str | Mapping[str, Any] | None
) -> dict[str, Any]:
    """An assistant message's tool call: `{"id", "type": "function", "function": {...}}`."""
    return {
        "id": call_id or "",
        "type": "function",
        "function": {"name": name or "", "arguments": arguments_json(arguments)},
    }


def resolve_tool_choice(
    choice: str | bool | Mapping[str, Any] | None,  # noqa: FBT001 - a framework's value
    *,
    default: str | None = None,
) -> str | dict[str, Any] | None:
    """The wire `tool_choice` of a framework's tool choice; `default` when it is None.

    `"auto"`, `"none"` and `"required"` pass through; `"any"` and True force some tool call
    (`"required"`), False forbids them (`"none"`); any other string names the tool to call
    (`{"type": "function", "function": {"name": ...}}`); a dict is sent as given.
    """
    if choice is None:
        return default
    if isinstance(choice, bool):
        return "required" if choice else "none"
    if isinstance(choice, Mapping):
        return dict(choice)
    keyword = _TOOL_CHOICE_KEYWORDS.get(choice)
    if keyword is not None:
        return keyword
    return {"type": "function", "function": {"name": choice}}


# --------------------------------------------------------------------------- messages


def assistant_message(
    text: str, tool_calls: Sequence[dict[str, Any]], reasoning: str | None = None
) -> dict[str, Any]:
    """An assistant message dict; `content` is null when the turn is tool calls only."""
    content = text if text or not tool_calls else None
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = list(tool_calls)
    if reasoning:
        message["reasoning_content"] = reasoning
    return message


def media_part(kind: MediaKind, url: str) -> dict[str, Any]:
    """A user content part: `{"type": "image_url", "image_url": {"url": ...}}` (or audio/video)."""
    key = f"{kind}_url"
    return {"type": key, key: {"url": url}}


def data_url(mime_type: object, base64_data: object, what: str) -> str:
    """A `data:` URL for base64 content; `what` names the content in the errors.

    Raises:
        InvalidRequestError: No mime type (the URL cannot say what the data is), or no data.
    """
    if not isinstance(mime_type, str) or not mime_type:
        msg = f"A base64 {what} block needs a mime_type (e.g. 'image/png') to build a data URL."
        raise InvalidRequestError(msg)
    if not isinstance(base64_data, str) or not base64_data:
        msg = f"A base64 {what} block needs its data as a base64 string; got {base64_data!r:.40}."
        raise InvalidRequestError(msg)
    return f"data:{mime_type};base64,{base64_data}"


# --------------------------------------------------------------------------- structured output

JSON_OBJECT_FORMAT: Mapping[str, str] = {"type": "json_object"}
"""`response_format` for any JSON object (the prompt must describe the keys)."""


def json_schema_format(schema: Mapping[str, Any]) -> dict[str, Any]:
    """`response_format` constraining the reply to a JSON schema.

    Friendli's `json_schema` holds only `schema` (no OpenAI `name` or `strict`). The messages are
    not changed: see the module docstring for why no system instruction is added.
    """
    return {"type": "json_schema", "json_schema": {"schema": dict(schema)}}


# --------------------------------------------------------------------------- streams


# what a delta changed, as returned by `ChatChoiceFold.feed` (plain ints: tested per token)
CONTENT = 1
REASONING = 2
TOOL_CALLS = 4
LOGPROBS = 8
ROLE = 16


class _ToolFold:
    """One streamed tool call: id, type and name from its first fragment, arguments appended."""

    __slots__ = ("arguments", "id", "name", "type")

    def __init__(self) -> None:
        self.id = ""
        self.type = "function"
        self.name = ""
        self.arguments: list[str] = []


def _joined(parts: list[str]) -> str | None:
    """The text of `parts` (None if there are none), to which they collapse.

    Reading the text after each chunk thus joins two pieces, not every piece so far.
    """
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    text = "".join(parts)
    parts.clear()  # cheaper than a slice assignment, which this runs once per token
    parts.append(text)
    return text


class ChatChoiceFold:
    """One choice of a chat stream, folded incrementally from its deltas.

    Content and reasoning pieces are appended (reading the text so far joins them once); tool
    calls are assembled by index, with id, type and name from the first fragment; logprob
    entries are collected; role and finish_reason keep their last non-empty value. Each delta
    costs the same whatever came before.
    """

    __slots__ = ("_content", "_reasoning", "_tools", "finish_reason", "logprobs", "role")

    def __init__(self) -> None:
        """Start with an empty assistant message."""
        self.role = "assistant"
        self.finish_reason: str | None = None
        self.logprobs: list[LogprobContent] | None = None
        self._content: list[str] = []  # empty: no delta carried content (None, not "")
        self._reasoning: list[str] = []
        self._tools: dict[int, _ToolFold] = {}

    def feed(self, choice: ChunkChoice) -> int:
        """Merge one chunk's delta for this choice; returns the flags of what it changed.

        The flags (`CONTENT`, `REASONING`, `TOOL_CALLS`, `LOGPROBS`, `ROLE`) let a reader that
        rebuilds its view after each chunk update only what changed, without reading the
        delta's fields a second time.
        """
        changed = 0
        delta = choice.delta
        if delta.role:
            self.role = delta.role
            changed = ROLE
        if (text := delta.content) is not None:
            self._content.append(text)
            changed |= CONTENT
        if (thought := delta.reasoning_content) is not None:
            self._reasoning.append(thought)
            changed |= REASONING
        if fragments := delta.tool_calls:
            self._fold_tools(fragments)
            changed |= TOOL_CALLS
        logprobs = choice.logprobs
        if logprobs is not None and logprobs.content is not None:
            if self.logprobs is None:
                self.logprobs = []
            self.logprobs.extend(logprobs.content)
            changed |= LOGPROBS
        if choice.finish_reason:
            self.finish_reason = choice.finish_reason
        return changed

    def _fold_tools(self, fragments: Sequence[ToolCallDelta]) -> None:
        tools = self._tools
        for frag in fragments:
            tool = tools.get(frag.index)
            if tool is None:
                tool = tools[frag.index] = _ToolFold()
            tool.id = tool.id or frag.id or ""
            tool.type = frag.type or tool.type
            if frag.function is not None:
                tool.name = tool.name or frag.function.name or ""
                if frag.function.arguments:
                    tool.arguments.append(frag.function.arguments)

    def content(self) -> str | None:
        """The text so far; None when no delta carried content."""
        return _joined(self._content)

    def reasoning(self) -> str | None:
        """The reasoning text so far; None when no delta carried any."""
        return _joined(self._reasoning)

    def tool_calls(self) -> list[ToolCall]:
        """The tool calls so far, in index order (arguments as received so far)."""
        function_call, tool_call_model = _tool_call_models()
        return [
            tool_call_model(
                id=tool.id,
                type=tool.type,
                function=function_call(name=tool.name, arguments=_joined(tool.arguments) or ""),
            )
            for _, tool in sorted(self._tools.items())
        ]


@cache
def _tool_call_models() -> tuple[type[FunctionCall], type[ToolCall]]:
    """The core's tool-call models, imported on first use (see the module docstring)."""
    from friendli_core.types import FunctionCall, ToolCall  # noqa: PLC0415

    return FunctionCall, ToolCall
