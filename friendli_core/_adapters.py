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

The system-instruction decision for `json_schema` output, the same in both adapters: no
instruction is added to the prompt. The request carries the caller's messages as written and the
server constrains decoding to the schema, as langchain-openai (`with_structured_output`) and
llama-index-llms-openai (`structured_predict`) do. A hidden instruction would change the prompt
the caller traces, evaluates and caches, and collide with their own system prompt. Friendli's
structured-output guide asks that the prompt itself request JSON (without it some models pad
the output with whitespace), so the adapters' documentation tells the caller to say so.

This module imports no pydantic model: `langchain_friendli` imports it without loading the
core's models. The adapters reach it through `friendli_core.kit`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from friendli_core.errors import InvalidRequestError

__all__ = [
    "JSON_OBJECT_FORMAT",
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
