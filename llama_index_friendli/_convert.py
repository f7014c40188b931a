"""Pure conversions of Friendli responses and streams to LlamaIndex objects.

No I/O here (no httpx, no asyncio): the sync and async entry points of `FriendliLLM` share every
decision through these functions (and `_messages` for requests), so they differ only in the
`await` on the client call.

* Responses: `to_chat_response` / `to_completion_response` (message with `ToolCallBlock`s and
  `additional_kwargs["tool_calls"]` as LlamaIndex's OpenAI integration builds them, logprobs,
  usage, `raw` as a plain dict), and `ChatStreamState` / `CompletionStreamState`, which fold
  stream chunks incrementally (constant work per chunk, whatever the stream's length) and yield
  one response per chunk carrying the message so far, with the typed chunk as `raw`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    LogProb,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from friendli_core import APIResponseValidationError
from friendli_core.kit import (
    CONTENT,
    LOGPROBS,
    REASONING,
    ROLE,
    TOOL_CALLS,
    ChatChoiceFold,
    Prototype,
)

if TYPE_CHECKING:  # the core's response models load with the first client, not at import
    from friendli_core.types import (
        ChatCompletion,
        ChatCompletionChunk,
        ChatLogprobs,
        ChunkChoice,
        Completion,
        CompletionChunk,
        CompletionLogprobs,
        ToolCall,
        Usage,
    )
    from friendli_core.types import ChatMessage as FriendliMessage

__all__ = [
    "ChatStreamState",
    "CompletionStreamState",
    "chat_to_completion_response",
    "completion_to_chat_response",
    "from_friendli_message",
    "to_chat_logprobs",
    "to_chat_response",
    "to_completion_logprobs",
    "to_completion_response",
    "usage_kwargs",
]

_Choice = TypeVar("_Choice")
# wire role -> LlamaIndex role of a response message (unknown roles read as assistant)
_RESPONSE_ROLES: Mapping[str, MessageRole] = {r.value: r for r in MessageRole}


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


def _first_choice(choices: Sequence[_Choice], what: str) -> _Choice:
    if not choices:
        msg = f"The {what} has no choices."
        raise APIResponseValidationError(msg)
    return choices[0]


def to_chat_response(completion: ChatCompletion) -> ChatResponse:
    """The `ChatResponse` for a chat completion's first choice.

    Raises:
        APIResponseValidationError: The completion has no choices.
    """
    choice = _first_choice(completion.choices, "chat completion")
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
    choice = _first_choice(completion.choices, "completion")
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


class ChatStreamState:
    """Turns each chat stream chunk into a `ChatResponse` carrying the message so far.

    The message holds the accumulated text, reasoning and tool calls (assembled by index, with
    the arguments received so far); `delta` is the chunk's text, `raw` the typed
    `ChatCompletionChunk` (unknown fields in its `model_extra`), `additional_kwargs` the usage
    once it arrived and `thinking_delta` the chunk's reasoning text; `logprobs` are those
    accumulated so far. The last response therefore equals the non-streaming one (but for `raw`).

    Choice 0 is folded by the core's `ChatChoiceFold` (the fold of the core's stream
    accumulator), so each chunk costs the same whatever came before; tool calls are converted
    only when a fragment arrives and only the chunk's logprobs are converted.
    """

    __slots__ = (
        "_call_blocks",
        "_calls",
        "_fold",
        "_logprobs",
        "_logprobs_seen",
        "_reasoning",
        "_role",
        "_text",
        "_usage",
    )

    def __init__(self) -> None:
        """Start with an empty message."""
        self._fold = ChatChoiceFold()
        self._role = MessageRole.ASSISTANT
        self._text: str | None = None  # the fold's texts, read when a chunk changed them
        self._reasoning: str | None = None
        self._calls: list[ToolCall] = []
        self._call_blocks: list[ToolCallBlock] = []
        self._logprobs: list[list[LogProb]] = []
        self._logprobs_seen: list[list[LogProb]] | None = None
        self._usage: dict[str, int] = {}

    def feed(self, chunk: ChatCompletionChunk) -> ChatResponse:
        """Merge one chunk and return the response for it."""
        if chunk.usage is not None:
            self._usage = usage_kwargs(chunk.usage)
        fold = self._fold
        delta = None
        for choice in chunk.choices:
            if choice.index != 0:
                continue
            changed = fold.feed(choice)
            if delta is None:
                delta = choice.delta
            if changed == CONTENT:  # the common case: a text delta and nothing else
                self._text = fold.content()
            elif changed:
                self._update(changed, choice)
        extra: dict[str, Any] = dict(self._usage)
        if delta is not None and delta.reasoning_content:
            extra["thinking_delta"] = delta.reasoning_content
        message = _assistant_message(
            self._role, self._text, self._reasoning, self._calls, self._call_blocks
        )
        response = _STREAM_RESPONSE.make(
            message=message,
            delta=(delta.content or "") if delta is not None else "",
            raw=chunk,
            additional_kwargs=extra,
        )
        if self._logprobs_seen is not None:
            # assigned, not passed: validation would re-check every entry on every chunk
            response.logprobs = self._logprobs_seen
        return response

    def _update(self, changed: int, choice: ChunkChoice) -> None:
        """Rebuild the parts of the message a delta changed (`changed`: the fold's flags)."""
        fold = self._fold
        if changed & CONTENT:
            self._text = fold.content()
        if changed & REASONING:
            self._reasoning = fold.reasoning()
        if changed & ROLE:
            self._role = _response_role(fold.role)
        if changed & TOOL_CALLS:
            self._calls = fold.tool_calls()
            self._call_blocks = _tool_call_blocks(self._calls)
        if changed & LOGPROBS:
            self._logprobs.extend(to_chat_logprobs(choice.logprobs) or ())
            # a fresh list per change: earlier responses keep the logprobs they were given
            self._logprobs_seen = list(self._logprobs)


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
