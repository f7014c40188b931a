"""LangChain messages to Friendli chat message dicts (pure: no I/O).

Roles map to Friendli's (`system`, `user`, `assistant`, `tool`; a `ChatMessage` keeps its role);
user content parts become text, image, audio and video parts (LangChain standard, OpenAI and
Anthropic block shapes; base64 data as a `data:` URL); assistant messages send back their tool
calls and reasoning; Anthropic-style `tool_result` blocks become tool messages. The Friendli
shapes come from the core toolbox (`friendli_core.kit`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from friendli_core.errors import InvalidRequestError
from friendli_core.kit import MediaKind, assistant_message, data_url, media_part, tool_call

__all__ = ["convert_message_to_dict", "convert_messages"]

_URL_PARTS: Mapping[str, MediaKind] = {
    "image_url": "image",
    "audio_url": "audio",
    "video_url": "video",
}
_MEDIA_BLOCKS = ("image", "audio", "video")
_NON_TEXT_BLOCKS = {*_URL_PARTS, *_MEDIA_BLOCKS, "file", "input_audio"}


def _media_url(block: Mapping[str, Any]) -> str:
    """The URL (or data URL) of a LangChain standard or Anthropic-style media block."""
    kind = block["type"]
    source = block.get("source")
    if isinstance(source, Mapping):  # Anthropic: {"source": {"type": "base64"|"url", ...}}
        if source.get("type") == "url":
            return str(source["url"])
        return data_url(source.get("media_type"), source.get("data"), kind)
    if block.get("source_type") == "base64":  # LangChain v0
        return data_url(block.get("mime_type"), block.get("data"), kind)
    if "url" in block:
        return str(block["url"])
    if "base64" in block:
        return data_url(block.get("mime_type"), block["base64"], kind)
    msg = f"Friendli takes {kind} input as a URL or base64 data; file IDs are not supported."
    raise InvalidRequestError(msg)


def _format_user_part(part: str | Mapping[str, Any]) -> dict[str, Any]:
    """One part of user content in Friendli's shape; a malformed part is an InvalidRequestError."""
    try:
        return _user_part(part)
    except (KeyError, TypeError, AttributeError) as exc:
        msg = (
            f"Malformed user content part {part!r:.100} ({type(exc).__name__}: {exc}); expected "
            "a string or a dict like {'type': 'text', 'text': ...} or "
            "{'type': 'image_url', 'image_url': {'url': ...}}."
        )
        raise InvalidRequestError(msg) from None


def _user_part(part: str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(part, str):
        return {"type": "text", "text": part}
    kind = part.get("type", "")
    if kind == "text":
        return {"type": "text", "text": part["text"]}
    if kind in _URL_PARTS:
        inner = part[kind]
        return media_part(_URL_PARTS[kind], inner if isinstance(inner, str) else inner["url"])
    if kind in _MEDIA_BLOCKS:
        return media_part(kind, _media_url(part))
    if kind == "input_audio":  # OpenAI: {"input_audio": {"data": ..., "format": "wav"}}
        audio = part["input_audio"]
        return media_part("audio", data_url(f"audio/{audio['format']}", audio["data"], "audio"))
    msg = f"Friendli user messages take text, image, audio and video parts; got a {kind!r} part."
    raise InvalidRequestError(msg)


def _format_user_content(content: str | list[str | dict[str, Any]]) -> str | list[dict[str, Any]]:
    if isinstance(content, str):
        return content
    return [_format_user_part(part) for part in content]


def _text_of(content: str | list[str | dict[str, Any]], role: str) -> str:
    """Plain text of system/tool content; Friendli takes only a string for these roles."""
    if isinstance(content, str):
        return content
    texts: list[str] = []
    for part in content:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, Mapping) and part.get("type") == "text":
            if not isinstance(part.get("text"), str):
                msg = f"A text part of a {role} message needs a string 'text'; got {part!r:.80}."
                raise InvalidRequestError(msg)
            texts.append(part["text"])
        else:
            kind = part.get("type") if isinstance(part, Mapping) else type(part).__name__
            msg = f"Friendli {role} messages take text only; got a {kind!r} part."
            raise InvalidRequestError(msg)
    return "\n".join(texts)


def _tool_content(content: str | list[str | dict[str, Any]]) -> str:
    """Tool-message content as a string: text parts joined, other lists as JSON."""
    if isinstance(content, str):
        return content
    for part in content:
        if isinstance(part, dict) and part.get("type") in _NON_TEXT_BLOCKS:
            msg = f"Friendli tool messages take text only; got a {part['type']!r} part."
            raise InvalidRequestError(msg)
    if all(isinstance(p, str) or p.get("type") == "text" for p in content):
        return _text_of(content, "tool")
    return json.dumps(content, ensure_ascii=False)


def _assistant_text(content: str | list[str | dict[str, Any]]) -> tuple[str, str]:
    """(text, reasoning) of assistant content.

    Tool-call and other provider blocks are skipped: tool calls are sent from
    `AIMessage.tool_calls`.
    """
    if isinstance(content, str):
        return content, ""
    texts: list[str] = []
    reasoning: list[str] = []
    for part in content:
        if isinstance(part, str):
            texts.append(part)
        elif part.get("type") == "text":
            texts.append(part.get("text", ""))
        elif part.get("type") == "reasoning":
            reasoning.append(part.get("reasoning", ""))
        elif part.get("type") == "thinking":
            reasoning.append(part.get("thinking", ""))
    return "".join(texts), "".join(reasoning)


def _assistant_dict(message: AIMessage) -> dict[str, Any]:
    text, reasoning = _assistant_text(message.content)
    calls = [
        tool_call(call.get("id"), call.get("name"), call.get("args"))
        for call in (*message.tool_calls, *message.invalid_tool_calls)
    ]
    reasoning = message.additional_kwargs.get("reasoning_content") or reasoning
    return assistant_message(text, calls, reasoning)


def convert_message_to_dict(message: BaseMessage) -> dict[str, Any]:
    """Convert one LangChain message to a Friendli chat message dict.

    Raises:
        InvalidRequestError: The message has no Friendli equivalent, or content Friendli does
            not accept for its role.
    """
    result: dict[str, Any]
    if isinstance(message, ChatMessage):
        content: Any = (
            _format_user_content(message.content)
            if message.role == "user"
            else _text_of(message.content, message.role)
        )
        result = {"role": message.role, "content": content}
    elif isinstance(message, HumanMessage):
        result = {"role": "user", "content": _format_user_content(message.content)}
    elif isinstance(message, SystemMessage):
        result = {"role": "system", "content": _text_of(message.content, "system")}
    elif isinstance(message, AIMessage):
        result = _assistant_dict(message)
    elif isinstance(message, ToolMessage):
        content = _tool_content(message.content)
        result = {"role": "tool", "content": content, "tool_call_id": message.tool_call_id}
    else:
        msg = (
            f"Friendli chat has no role for {type(message).__name__}; use System, Human, AI, "
            "Tool or ChatMessage."
        )
        raise InvalidRequestError(msg)
    if message.name:
        result["name"] = message.name
    return result


def _tool_result_dict(block: Mapping[str, Any]) -> dict[str, Any]:
    content = block.get("content", "")
    text = content if isinstance(content, str) else _text_of(content, "tool")
    return {"role": "tool", "tool_call_id": block["tool_use_id"], "content": text}


def convert_messages(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """Convert a message list to Friendli message dicts.

    Anthropic-style `tool_result` blocks in human content become Friendli `tool` messages,
    placed before the rest of that human message.
    """
    result: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, HumanMessage) and isinstance(message.content, list):
            parts = message.content
            results = [p for p in parts if isinstance(p, dict) and p.get("type") == "tool_result"]
            result.extend(_tool_result_dict(block) for block in results)
            rest = [p for p in parts if not (isinstance(p, dict) and p in results)]
            if results and not rest:
                continue
            message = message.model_copy(update={"content": rest})  # noqa: PLW2901
        result.append(convert_message_to_dict(message))
    return result
