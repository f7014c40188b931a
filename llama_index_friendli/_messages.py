"""LlamaIndex messages and tools to the Friendli wire format, and tool calls back (pure: no I/O).

* Requests: `to_friendli_message_dicts` (roles, text/image/audio/video parts, assistant tool
  calls and reasoning, tool results), `tool_specs`, `tool_chat_kwargs` (with the `tool_choice`
  resolution). The Friendli shapes come from the core toolbox (`friendli_core.kit`).
* Tool calls of a response: `tool_selections` (lenient on partial JSON, for streamed calls),
  `keep_first_tool_call`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import (
    AudioBlock,
    CachePoint,
    ChatMessage,
    ChatResponse,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.utils import parse_partial_json
from pydantic import BaseModel

from friendli_core.errors import InvalidRequestError
from friendli_core.kit import (
    MediaKind,
    assistant_message,
    data_url,
    function_tool,
    media_part,
    resolve_tool_choice,
    tool_call,
)

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = [
    "keep_first_tool_call",
    "to_friendli_message_dict",
    "to_friendli_message_dicts",
    "tool_chat_kwargs",
    "tool_selections",
    "tool_specs",
]

_ROLES: Mapping[MessageRole, str] = {
    MessageRole.SYSTEM: "system",
    MessageRole.DEVELOPER: "system",
    MessageRole.USER: "user",
    MessageRole.ASSISTANT: "assistant",
    MessageRole.CHATBOT: "assistant",
    MessageRole.MODEL: "assistant",
    MessageRole.TOOL: "tool",
    MessageRole.FUNCTION: "tool",
}
_DEFAULT_IMAGE_MIMETYPE = "image/png"


# --------------------------------------------------------------------------- requests


def _media_part(block: ImageBlock | AudioBlock | VideoBlock) -> dict[str, Any]:
    """A Friendli `image_url` / `audio_url` / `video_url` part (URL, or base64 data URL)."""
    kind: MediaKind
    if isinstance(block, ImageBlock):
        kind, mime = "image", block.image_mimetype or _DEFAULT_IMAGE_MIMETYPE
        data = None if block.url else block.resolve_image(as_base64=True)
    elif isinstance(block, AudioBlock):
        kind, mime = "audio", f"audio/{block.format or 'wav'}"
        data = None if block.url else block.resolve_audio(as_base64=True)
    else:
        kind, mime = "video", block.video_mimetype or "video/mp4"
        data = None if block.url else block.resolve_video(as_base64=True)
    if data is None:
        return media_part(kind, str(block.url))
    return media_part(kind, data_url(mime, data.read().decode("ascii"), kind))


def _tool_call_from_block(block: ToolCallBlock) -> dict[str, Any]:
    return tool_call(block.tool_call_id, block.tool_name, block.tool_kwargs)


def _tool_call_from_kwargs(call: object) -> dict[str, Any]:
    """Normalise an `additional_kwargs["tool_calls"]` entry (model or dict) to the wire shape."""
    data = call.model_dump() if isinstance(call, BaseModel) else call
    if not isinstance(data, Mapping) or not isinstance(data.get("function"), Mapping):
        msg = f"Unsupported tool call in additional_kwargs['tool_calls']: {call!r:.120}"
        raise InvalidRequestError(msg)
    fn = data["function"]
    return tool_call(data.get("id"), fn.get("name"), fn.get("arguments"))


def _split_blocks(
    message: ChatMessage, role: str
) -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Texts, content parts, tool calls and reasoning texts of a message's blocks."""
    texts: list[str] = []
    parts: list[dict[str, Any]] = []
    calls: list[dict[str, Any]] = []
    thinking: list[str] = []
    for block in message.blocks:
        if isinstance(block, TextBlock):
            texts.append(block.text)
            parts.append({"type": "text", "text": block.text})
        elif isinstance(block, ImageBlock | AudioBlock | VideoBlock):
            if role != "user":
                msg = (
                    f"Friendli accepts {block.block_type} content only in user messages; "
                    f"got one in a {message.role.value} message."
                )
                raise InvalidRequestError(msg)
            parts.append(_media_part(block))
        elif isinstance(block, ThinkingBlock):
            if block.content:
                thinking.append(block.content)
        elif isinstance(block, ToolCallBlock):
            calls.append(_tool_call_from_block(block))
        elif not isinstance(block, CachePoint):
            msg = f"{type(block).__name__} content is not supported by the Friendli chat API."
            raise InvalidRequestError(msg)
    return texts, parts, calls, thinking


def to_friendli_message_dict(message: ChatMessage) -> dict[str, Any]:
    """Convert one LlamaIndex `ChatMessage` to a Friendli message dict.

    System, developer and tool messages carry text only; user messages become a list of content
    parts when they hold images, audio or video; assistant messages send back their tool calls
    (`ToolCallBlock`s, else `additional_kwargs["tool_calls"]`) and reasoning (`ThinkingBlock`s,
    as `reasoning_content`); tool messages take `tool_call_id` from `additional_kwargs`.

    Raises:
        InvalidRequestError: A role or content block the API cannot carry.
    """
    role = _ROLES.get(message.role)
    if role is None:
        msg = f"Message role {message.role!r} is not supported by the Friendli chat API."
        raise InvalidRequestError(msg)
    texts, parts, calls, thinking = _split_blocks(message, role)
    text = "\n".join(texts)
    out: dict[str, Any]
    if role == "assistant":
        legacy = message.additional_kwargs.get("tool_calls") or []
        calls = calls or [_tool_call_from_kwargs(c) for c in legacy]
        out = assistant_message(text, calls, "".join(thinking))
    elif role == "user" and any(p["type"] != "text" for p in parts):
        out = {"role": role, "content": parts}
    else:
        out = {"role": role, "content": text}
    if role == "tool" and "tool_call_id" in message.additional_kwargs:
        out["tool_call_id"] = message.additional_kwargs["tool_call_id"]
    name = message.additional_kwargs.get("name")
    if isinstance(name, str) and name:
        out["name"] = name
    return out


def to_friendli_message_dicts(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    """Convert a LlamaIndex message list to Friendli message dicts (see the single version)."""
    return [to_friendli_message_dict(message) for message in messages]


def tool_specs(tools: Sequence[BaseTool]) -> list[dict[str, Any]]:
    """Friendli function-tool dicts (`{"type": "function", "function": {...}}`) for tools."""
    return [function_tool(tool.metadata.to_openai_tool(skip_length_check=True)) for tool in tools]


def tool_chat_kwargs(
    tools: Sequence[BaseTool],
    messages: Sequence[ChatMessage | str],
    *,
    tool_choice: str | Mapping[str, Any] | None,
    tool_required: bool,
    parallel: bool,
    **kwargs: Any,
) -> dict[str, Any]:
    """The `chat` kwargs of a tool-calling turn (with no tools, a plain chat).

    String messages become user messages; the caller's history list is never mutated.
    """
    as_messages = [
        ChatMessage(role=MessageRole.USER, content=m) if isinstance(m, str) else m for m in messages
    ]
    specs = tool_specs(tools)
    if not specs:
        return {"messages": as_messages, **kwargs}
    return {
        "messages": as_messages,
        "tools": specs,
        "tool_choice": resolve_tool_choice(
            tool_choice, default="required" if tool_required else "auto"
        ),
        "parallel_tool_calls": parallel,
        **kwargs,
    }


# --------------------------------------------------------------------------- tool calls


def _parse_arguments(arguments: Mapping[str, Any] | str) -> dict[str, Any]:
    """Tool arguments as a dict; partial JSON (mid-stream) is completed leniently."""
    if isinstance(arguments, Mapping):
        return dict(arguments)
    if not arguments.strip():
        return {}
    try:
        parsed = parse_partial_json(arguments)
    except (ValueError, TypeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def tool_selections(
    response: ChatResponse, *, error_on_no_tool_call: bool = True
) -> list[ToolSelection]:
    """The tool calls of a response as `ToolSelection`s.

    Reads the message's `ToolCallBlock`s, else `additional_kwargs["tool_calls"]` (messages built
    elsewhere or restored from storage).

    Raises:
        ValueError: No tool call while `error_on_no_tool_call` is true.
    """
    message = response.message
    calls = [
        _tool_call_from_block(block) for block in message.blocks if isinstance(block, ToolCallBlock)
    ] or [_tool_call_from_kwargs(c) for c in message.additional_kwargs.get("tool_calls") or []]
    if not calls:
        if error_on_no_tool_call:
            text = (message.content or "").strip()
            msg = (
                "Expected at least one tool call in the response, but the model answered "
                f"without calling a tool: {text[:200]!r}"
            )
            raise ValueError(msg)
        return []
    return [
        ToolSelection(
            tool_id=call["id"],
            tool_name=call["function"]["name"],
            tool_kwargs=_parse_arguments(call["function"]["arguments"]),
        )
        for call in calls
    ]


def keep_first_tool_call(response: ChatResponse) -> ChatResponse:
    """Drop every tool call but the first from the response's message (in place)."""
    message = response.message
    calls = message.additional_kwargs.get("tool_calls")
    if calls and len(calls) > 1:
        message.additional_kwargs["tool_calls"] = calls[:1]
    seen = False
    blocks = []
    for block in message.blocks:
        if isinstance(block, ToolCallBlock):
            if seen:
                continue
            seen = True
        blocks.append(block)
    message.blocks = blocks
    return response
