"""Pure conversions between LlamaIndex objects and the Friendli wire format.

No I/O here (no httpx, no asyncio): the sync and async entry points of `FriendliLLM` share every
decision through these functions, so they differ only in the `await` on the client call.

* Requests: `to_friendli_message_dicts` (roles, text/image/audio/video parts, assistant tool
  calls and reasoning, tool results), `tool_specs`, `resolve_tool_choice`.
* Responses: `to_chat_response` / `to_completion_response` (message with `ToolCallBlock`s and
  `additional_kwargs["tool_calls"]` as LlamaIndex's OpenAI integration builds them, logprobs,
  usage, `raw` as a plain dict), and `ChatStreamState` / `CompletionStreamState`, which fold
  stream chunks incrementally (constant work per chunk, whatever the stream's length) and yield
  one response per chunk carrying the message so far, with the typed chunk as `raw`.
* Tool calls: `tool_selections` (lenient on partial JSON, for streamed calls).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import (
    AudioBlock,
    CachePoint,
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    ImageBlock,
    LogProb,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.utils import parse_partial_json
from pydantic import BaseModel

from friendli_core import (
    APIResponseValidationError,
    ChatCompletion,
    ChatCompletionChunk,
    Completion,
    CompletionChunk,
    InvalidRequestError,
)
from friendli_core._upstream_hooks.pydantic_copy import Prototype
from friendli_core.types import (
    ChatLogprobs,
    CompletionLogprobs,
    FunctionCall,
    ToolCall,
    ToolCallDelta,
    Usage,
)
from friendli_core.types import ChatMessage as FriendliMessage

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = [
    "ChatStreamState",
    "CompletionStreamState",
    "chat_to_completion_response",
    "completion_to_chat_response",
    "from_friendli_message",
    "keep_first_tool_call",
    "resolve_tool_choice",
    "to_chat_logprobs",
    "to_chat_response",
    "to_completion_logprobs",
    "to_completion_response",
    "to_friendli_message_dict",
    "to_friendli_message_dicts",
    "tool_chat_kwargs",
    "tool_selections",
    "tool_specs",
    "usage_kwargs",
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
# wire role -> LlamaIndex role of a response message (unknown roles read as assistant)
_RESPONSE_ROLES: Mapping[str, MessageRole] = {r.value: r for r in MessageRole}


# --------------------------------------------------------------------------- requests


def _media_part(block: ImageBlock | AudioBlock | VideoBlock) -> dict[str, Any]:
    """A Friendli `image_url` / `audio_url` / `video_url` part (URL, or base64 data URL)."""
    if isinstance(block, ImageBlock):
        kind, mime = "image_url", block.image_mimetype or _DEFAULT_IMAGE_MIMETYPE
        data = None if block.url else block.resolve_image(as_base64=True)
    elif isinstance(block, AudioBlock):
        kind, mime = "audio_url", f"audio/{block.format or 'wav'}"
        data = None if block.url else block.resolve_audio(as_base64=True)
    else:
        kind, mime = "video_url", block.video_mimetype or "video/mp4"
        data = None if block.url else block.resolve_video(as_base64=True)
    url = str(block.url) if data is None else f"data:{mime};base64,{data.read().decode('ascii')}"
    return {"type": kind, kind: {"url": url}}


def _tool_call_from_block(block: ToolCallBlock) -> dict[str, Any]:
    args = block.tool_kwargs
    arguments = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
    return {
        "id": block.tool_call_id or "",
        "type": "function",
        "function": {"name": block.tool_name, "arguments": arguments},
    }


def _tool_call_from_kwargs(call: object) -> dict[str, Any]:
    """Normalise an `additional_kwargs["tool_calls"]` entry (model or dict) to the wire shape."""
    data = call.model_dump() if isinstance(call, BaseModel) else call
    if not isinstance(data, Mapping) or not isinstance(data.get("function"), Mapping):
        msg = f"Unsupported tool call in additional_kwargs['tool_calls']: {call!r:.120}"
        raise InvalidRequestError(msg)
    fn = data["function"]
    args = fn.get("arguments") or ""
    return {
        "id": data.get("id") or "",
        "type": "function",
        "function": {
            "name": fn.get("name") or "",
            "arguments": args if isinstance(args, str) else json.dumps(args, ensure_ascii=False),
        },
    }


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
    out: dict[str, Any] = {"role": role}
    if role == "user" and any(p["type"] != "text" for p in parts):
        out["content"] = parts
    elif role == "assistant":
        legacy = message.additional_kwargs.get("tool_calls") or []
        calls = calls or [_tool_call_from_kwargs(c) for c in legacy]
        out["content"] = text if text or not calls else None
        if calls:
            out["tool_calls"] = calls
        if thinking:
            out["reasoning_content"] = "".join(thinking)
    else:
        out["content"] = text
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
    return [tool.metadata.to_openai_tool(skip_length_check=True) for tool in tools]


def resolve_tool_choice(
    tool_choice: str | Mapping[str, Any] | None, *, tool_required: bool = False
) -> str | dict[str, Any]:
    """The wire `tool_choice`: a given choice wins; otherwise `required` or `auto`.

    A tool name becomes `{"type": "function", "function": {"name": ...}}`.
    """
    if tool_choice is None:
        return "required" if tool_required else "auto"
    if isinstance(tool_choice, Mapping):
        return dict(tool_choice)
    if tool_choice in {"none", "auto", "required"}:
        return tool_choice
    return {"type": "function", "function": {"name": tool_choice}}


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
        "tool_choice": resolve_tool_choice(tool_choice, tool_required=tool_required),
        "parallel_tool_calls": parallel,
        **kwargs,
    }


# --------------------------------------------------------------------------- responses


def usage_kwargs(usage: Usage | None) -> dict[str, int]:
    """Token counts as `ChatResponse.additional_kwargs` (the OpenAI integration's keys)."""
    if usage is None:
        return {}
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }


def to_chat_logprobs(logprobs: ChatLogprobs | None) -> list[list[LogProb]] | None:
    """One list per generated token: its top alternatives, or the sampled token alone."""
    if logprobs is None or logprobs.content is None:
        return None
    return [
        [LogProb(token=t.token, logprob=t.logprob, bytes=t.bytes or []) for t in entry.top_logprobs]
        or [LogProb(token=entry.token, logprob=entry.logprob, bytes=entry.bytes or [])]
        for entry in logprobs.content
    ]


def to_completion_logprobs(logprobs: CompletionLogprobs | None) -> list[list[LogProb]] | None:
    """Completions (OpenAI-legacy) logprobs in the same per-token form as chat logprobs."""
    if logprobs is None:
        return None
    tops = logprobs.top_logprobs or []
    result = []
    for i, token in enumerate(logprobs.tokens):
        top = tops[i] if i < len(tops) else None
        if top:
            result.append([LogProb(token=t, logprob=lp) for t, lp in top.items()])
        else:
            logprob = logprobs.token_logprobs[i] if i < len(logprobs.token_logprobs) else None
            result.append([LogProb(token=token, logprob=logprob or 0.0)])
    return result


def _response_role(role: str | None) -> MessageRole:
    return _RESPONSE_ROLES.get(role or "", MessageRole.ASSISTANT)


def _tool_call_blocks(calls: Sequence[ToolCall]) -> list[ToolCallBlock]:
    return [
        ToolCallBlock(
            tool_call_id=call.id, tool_name=call.function.name, tool_kwargs=call.function.arguments
        )
        for call in calls
    ]


# An assistant message, and a streamed response, are made per token: they are copied from
# validated prototypes rather than validated (see friendli_core._upstream_hooks). Every value
# given to `make` is built here (block models, a fresh list and dict), and tests check that the
# copies equal validated construction, fields-set included.
_MESSAGE: Prototype[ChatMessage] = Prototype(
    ChatMessage(role=MessageRole.ASSISTANT, blocks=[], additional_kwargs={}),
    replace={"role", "blocks", "additional_kwargs"},
)
_STREAM_RESPONSE: Prototype[ChatResponse] = Prototype(
    ChatResponse(message=ChatMessage(), delta="", raw=None, additional_kwargs={}),
    replace={"message", "delta", "raw", "additional_kwargs"},
)


def _assistant_message(
    role: MessageRole,
    content: str | None,
    reasoning: str | None,
    calls: list[ToolCall],
    call_blocks: list[ToolCallBlock],
) -> ChatMessage:
    """The LlamaIndex message of a (possibly partial) Friendli assistant message."""
    blocks: list[Any] = []
    if reasoning:
        blocks.append(ThinkingBlock(content=reasoning))
    if content or not calls:
        blocks.append(TextBlock(text=content or ""))
    blocks.extend(call_blocks)
    extra: dict[str, Any] = {"tool_calls": calls} if calls else {}
    return _MESSAGE.make(role=role, blocks=blocks, additional_kwargs=extra)


def from_friendli_message(message: FriendliMessage) -> ChatMessage:
    """Convert a Friendli assistant message to a LlamaIndex `ChatMessage`.

    Reasoning becomes a `ThinkingBlock`, text a `TextBlock` (kept, possibly empty, unless the
    message is only tool calls), and each tool call a `ToolCallBlock` whose `tool_kwargs` is the
    raw arguments string; `additional_kwargs["tool_calls"]` holds the calls as `ToolCall`
    models with `.id` and `.function.name/.arguments`, as the OpenAI integration does.
    """
    calls: list[ToolCall] = list(message.tool_calls or [])
    return _assistant_message(
        _response_role(message.role),
        message.content,
        message.reasoning_content,
        calls,
        _tool_call_blocks(calls),
    )


def to_chat_response(completion: ChatCompletion) -> ChatResponse:
    """The `ChatResponse` for a chat completion's first choice.

    Raises:
        APIResponseValidationError: The completion has no choices.
    """
    if not completion.choices:
        msg = "The chat completion has no choices."
        raise APIResponseValidationError(msg)
    choice = completion.choices[0]
    return ChatResponse(
        message=from_friendli_message(choice.message),
        raw=completion.model_dump(mode="json", exclude_unset=True),
        logprobs=to_chat_logprobs(choice.logprobs),
        additional_kwargs=usage_kwargs(completion.usage),
    )


def to_completion_response(completion: Completion) -> CompletionResponse:
    """The `CompletionResponse` for a text completion's first choice.

    Raises:
        APIResponseValidationError: The completion has no choices.
    """
    if not completion.choices:
        msg = "The completion has no choices."
        raise APIResponseValidationError(msg)
    choice = completion.choices[0]
    return CompletionResponse(
        text=choice.text,
        raw=completion.model_dump(mode="json", exclude_unset=True),
        logprobs=to_completion_logprobs(choice.logprobs),
        additional_kwargs=usage_kwargs(completion.usage),
    )


def chat_to_completion_response(response: ChatResponse) -> CompletionResponse:
    """A chat response as a completion response, keeping delta and logprobs.

    (`generic_utils.chat_response_to_completion_response` drops the logprobs and mutates the
    message's `additional_kwargs`.)
    """
    return CompletionResponse(
        text=response.message.content or "",
        additional_kwargs={**response.message.additional_kwargs, **response.additional_kwargs},
        raw=response.raw,
        logprobs=response.logprobs,
        delta=response.delta,
    )


def completion_to_chat_response(response: CompletionResponse) -> ChatResponse:
    """A completion response as an assistant chat response, keeping delta and logprobs."""
    return ChatResponse(
        message=ChatMessage(role=MessageRole.ASSISTANT, content=response.text),
        raw=response.raw,
        delta=response.delta,
        logprobs=response.logprobs,
        additional_kwargs=dict(response.additional_kwargs),
    )


class _ToolFold:
    """One streamed tool call, assembled from its fragments."""

    __slots__ = ("arguments", "id", "name", "type")

    def __init__(self) -> None:
        self.id = ""
        self.type = "function"
        self.name = ""
        self.arguments = ""


class ChatStreamState:
    """Turns each chat stream chunk into a `ChatResponse` carrying the message so far.

    The message holds the accumulated text, reasoning and tool calls (assembled by index, with
    the arguments received so far); `delta` is the chunk's text, `raw` the typed
    `ChatCompletionChunk` (unknown fields in its `model_extra`), `additional_kwargs` the usage
    once it arrived and `thinking_delta` the chunk's reasoning text; `logprobs` are those
    accumulated so far. The last response therefore equals the non-streaming one (but for `raw`).

    The state is folded incrementally: each chunk costs the same whatever came before (only the
    new text is appended; tool calls are rebuilt only when a fragment arrives; only the chunk's
    logprobs are converted), and nothing is kept per chunk but the logprob entries.
    """

    __slots__ = (
        "_call_blocks",
        "_calls",
        "_content",
        "_logprobs",
        "_logprobs_seen",
        "_reasoning",
        "_role",
        "_tools",
        "_usage",
    )

    def __init__(self) -> None:
        """Start with an empty message."""
        self._role = MessageRole.ASSISTANT
        self._content: str | None = None
        self._reasoning: str | None = None
        self._tools: dict[int, _ToolFold] = {}
        self._calls: list[ToolCall] = []
        self._call_blocks: list[ToolCallBlock] = []
        self._logprobs: list[list[LogProb]] = []
        self._logprobs_seen: list[list[LogProb]] | None = None
        self._usage: dict[str, int] = {}

    def feed(self, chunk: ChatCompletionChunk) -> ChatResponse:
        """Merge one chunk and return the response for it."""
        if chunk.usage is not None:
            self._usage = usage_kwargs(chunk.usage)
        delta = None
        for choice in chunk.choices:
            if choice.index != 0:
                continue
            d = choice.delta
            if delta is None:
                delta = d
            if d.role:
                self._role = _response_role(d.role)
            if d.content is not None:
                self._content = d.content if self._content is None else self._content + d.content
            if d.reasoning_content is not None:
                reasoning = self._reasoning
                piece = d.reasoning_content
                self._reasoning = piece if reasoning is None else reasoning + piece
            if d.tool_calls:
                self._fold_tool_calls(d.tool_calls)
            if choice.logprobs is not None and choice.logprobs.content is not None:
                self._logprobs.extend(to_chat_logprobs(choice.logprobs) or ())
                # a fresh list per change: earlier responses keep the logprobs they were given
                self._logprobs_seen = list(self._logprobs)
        extra: dict[str, Any] = dict(self._usage)
        if delta is not None and delta.reasoning_content:
            extra["thinking_delta"] = delta.reasoning_content
        response = _STREAM_RESPONSE.make(
            message=_assistant_message(
                self._role, self._content, self._reasoning, self._calls, self._call_blocks
            ),
            delta=(delta.content or "") if delta is not None else "",
            raw=chunk,
            additional_kwargs=extra,
        )
        if self._logprobs_seen is not None:
            # assigned, not passed: validation would re-check every entry on every chunk
            response.logprobs = self._logprobs_seen
        return response

    def _fold_tool_calls(self, fragments: Sequence[ToolCallDelta]) -> None:
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
                    tool.arguments += frag.function.arguments
        self._calls = [
            ToolCall(
                id=t.id, type=t.type, function=FunctionCall(name=t.name, arguments=t.arguments)
            )
            for _, t in sorted(tools.items())
        ]
        self._call_blocks = _tool_call_blocks(self._calls)


class CompletionStreamState:
    """Turns each completions stream chunk into a `CompletionResponse` with the text so far.

    `delta` is the chunk's text, `raw` the typed `CompletionChunk`, `logprobs` those accumulated
    so far and `additional_kwargs` the usage once it arrived; folded incrementally, like
    `ChatStreamState`.
    """

    __slots__ = ("_logprobs", "_logprobs_seen", "_text", "_usage")

    def __init__(self) -> None:
        """Start with an empty text."""
        self._text = ""
        self._logprobs: list[list[LogProb]] = []
        self._logprobs_seen: list[list[LogProb]] | None = None
        self._usage: dict[str, int] = {}

    def feed(self, chunk: CompletionChunk) -> CompletionResponse:
        """Merge one chunk and return the response for it."""
        if chunk.usage is not None:
            self._usage = usage_kwargs(chunk.usage)
        delta: str | None = None
        for choice in chunk.choices:
            if choice.index != 0:
                continue
            if delta is None:
                delta = choice.text
            self._text += choice.text
            if choice.logprobs is not None:
                self._logprobs.extend(to_completion_logprobs(choice.logprobs) or ())
                self._logprobs_seen = list(self._logprobs)
        response = CompletionResponse(
            text=self._text,
            delta=delta or "",
            raw=chunk,
            additional_kwargs=dict(self._usage),
        )
        if self._logprobs_seen is not None:
            response.logprobs = self._logprobs_seen  # as in ChatStreamState.feed
        return response


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
