"""Stream decoding and accumulation (sans-IO: no httpx, no asyncio).

SSE framing (bytes to events) is done by `_sse.SSEDecoder` in the clients; this module turns each
event's `(event, data)` into a typed chunk, and folds chunks into the complete response:

* `ChatStreamParser` / `CompletionStreamParser`: keep-alives and comments are ignored, `[DONE]`
  ends the stream, an `error` event or error JSON raises the typed `APIStatusError`, malformed
  data raises `APIStreamError`, usage-only chunks (`choices: []`) pass through, and legacy
  `{"event": "token_sampled" | "complete"}` completions events are converted to chunks.
  `close()` raises `IncompleteStreamError` when the stream ended without `[DONE]` or with a
  choice that never got a finish_reason: partial output is never taken for a complete one.
* `ChatStreamAccumulator` / `CompletionStreamAccumulator`: merge content, reasoning, tool-call
  fragments (by index; id and name from the first fragment), logprobs and usage of every
  choice, so that folding a stream gives the `ChatCompletion` / `Completion` that the
  non-streaming call returns. A chat choice is folded by `_fold.ChatChoiceFold`, which the
  LlamaIndex stream uses too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from friendli_core._fold import ChatChoiceFold
from friendli_core.errors import (
    APIStatusError,
    APIStreamError,
    IncompleteStreamError,
    make_status_error,
)
from friendli_core.types import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatLogprobs,
    ChatMessage,
    Choice,
    Completion,
    CompletionChoice,
    CompletionChunk,
    CompletionChunkChoice,
    CompletionLogprobs,
    Usage,
)

__all__ = [
    "ChatStreamAccumulator",
    "CompletionStreamAccumulator",
    "fold_chat_stream",
    "fold_completion_stream",
]

DONE = "[DONE]"


def _error_from_payload(payload: object, where: tuple[str | None, str | None]) -> APIStatusError:
    err = payload.get("error") if isinstance(payload, dict) else None
    code = err.get("code") if isinstance(err, dict) else None
    if not isinstance(code, int) and isinstance(payload, dict):
        code = payload.get("status", payload.get("code"))
    status = code if isinstance(code, int) and 400 <= code <= 599 else 500  # noqa: PLR2004
    return make_status_error(status, payload, method=where[0], path=where[1])


def _is_error_object(chunk: ChatCompletionChunk, extra: dict[str, Any]) -> bool:
    """An object in the stream that reports an error instead of carrying a chunk."""
    if "error" in extra:
        return True
    return "message" in extra and chunk.id is None and chunk.usage is None


def _loads(data: str) -> object:
    try:
        return json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: nesting too deep for the parser
        return data


class _ParserBase:
    """State shared by the chat and completions parsers: done flag and finished choices."""

    def __init__(self, method: str | None = None, path: str | None = None) -> None:
        self.where = (method, path)
        self.done = False
        self._open: set[int] = set()

    def _stream_error(self, text: str) -> APIStreamError:
        return APIStreamError(text, method=self.where[0], path=self.where[1])

    def _is_chunk_to_parse(self, event: str, data: str) -> bool:
        """Handle control events; True when `data` is a JSON chunk to parse."""
        if data[:1] == "{" and not event and not self.done:
            return True  # the common case: a JSON chunk of the default event type
        if self.done:
            return False
        if event == "error":
            raise _error_from_payload(_loads(data), self.where)
        if data == DONE:
            self.done = True
            return False
        return bool(data.strip()) and event in {"", "message"}

    def _track(self, index: int, finish_reason: str | None) -> None:
        if finish_reason:
            self._open.discard(index)
        else:
            self._open.add(index)

    def close(self) -> None:
        """Check the stream ended properly.

        Raises:
            IncompleteStreamError: No `[DONE]`, or a choice without a finish_reason.
        """
        method, path = self.where
        if not self.done:
            msg = "The stream ended before [DONE]: the connection closed early; output is partial."
            raise IncompleteStreamError(msg, method=method, path=path)
        if self._open:
            msg = f"The stream ended without a finish_reason for choice(s) {sorted(self._open)}."
            raise IncompleteStreamError(msg, method=method, path=path)


class ChatStreamParser(_ParserBase):
    """Turns chat SSE events into `ChatCompletionChunk`s."""

    def feed(self, event: str, data: str) -> ChatCompletionChunk | None:
        """Parse one SSE event; None for control events (keep-alive, `[DONE]`).

        Raises:
            APIStatusError: An error event or error object in the stream.
            APIStreamError: Data that is not a chunk.
        """
        # `_is_chunk_to_parse`'s common case, tested inline first: this runs once per token
        if (data[:1] != "{" or event or self.done) and not self._is_chunk_to_parse(event, data):
            return None
        try:
            chunk = ChatCompletionChunk.model_validate_json(data)
        except ValidationError:
            payload = _loads(data)
            if isinstance(payload, dict) and "error" in payload:
                raise _error_from_payload(payload, self.where) from None
            msg = f"Malformed stream event: {data[:200]!r}"
            raise self._stream_error(msg) from None
        choices = chunk.choices
        if not choices and (extra := chunk.model_extra) and _is_error_object(chunk, extra):
            raise _error_from_payload(chunk.model_dump(), self.where)
        for choice in choices:
            self._track(choice.index, choice.finish_reason)
        return chunk


class CompletionStreamParser(_ParserBase):
    """Turns completions SSE events (current or legacy format) into `CompletionChunk`s."""

    def feed(self, event: str, data: str) -> CompletionChunk | None:
        """Parse one SSE event; None for control events (keep-alive, `[DONE]`).

        Raises:
            APIStatusError: An error event or error object in the stream.
            APIStreamError: Data that is not a chunk.
        """
        if not self._is_chunk_to_parse(event, data):
            return None
        payload = _loads(data)
        if not isinstance(payload, dict):
            msg = f"Malformed stream event: {data[:200]!r}"
            raise self._stream_error(msg)
        if "error" in payload and not payload.get("choices"):
            raise _error_from_payload(payload, self.where)
        try:
            chunk = self._legacy(payload) if "event" in payload else CompletionChunk(**payload)
        except (ValidationError, TypeError, AttributeError):  # Attribute: non-dict legacy choices
            msg = f"Malformed stream event: {data[:200]!r}"
            raise self._stream_error(msg) from None
        for choice in chunk.choices:
            self._track(choice.index, choice.finish_reason)
        return chunk

    def _legacy(self, payload: dict[str, Any]) -> CompletionChunk:
        if payload["event"] == "token_sampled":
            choice = CompletionChunkChoice(
                index=payload.get("index", 0),
                text=payload.get("text", ""),
                token=payload.get("token"),
            )
            return CompletionChunk(choices=[choice])
        if payload["event"] == "complete":
            self.done = True  # the legacy stream ends here, without [DONE]
            choices = [
                CompletionChunkChoice(
                    index=c.get("index", 0),
                    finish_reason=c.get("finish_reason") or "stop",
                    seed=c.get("seed"),
                )
                for c in payload.get("choices") or [{"index": 0}]
            ]
            return CompletionChunk(choices=choices, usage=payload.get("usage"))
        msg = f"Unknown legacy completions event {payload['event']!r}"
        raise self._stream_error(msg)


# --------------------------------------------------------------------------- accumulation


class _HeaderState:
    def __init__(self) -> None:
        self.id: str | None = None
        self.model: str | None = None
        self.created: int | None = None
        self.usage: Usage | None = None

    def take(self, chunk: ChatCompletionChunk | CompletionChunk) -> None:
        self.id = self.id or chunk.id
        self.model = self.model or chunk.model
        self.created = chunk.created if chunk.created is not None else self.created
        if chunk.usage is not None:
            self.usage = chunk.usage


class ChatStreamAccumulator:
    """Folds `ChatCompletionChunk`s into the `ChatCompletion` they describe."""

    def __init__(self) -> None:
        """Start with no choices."""
        self._head = _HeaderState()
        self._choices: dict[int, ChatChoiceFold] = {}

    def feed(self, chunk: ChatCompletionChunk) -> None:
        """Merge one chunk."""
        self._head.take(chunk)
        choices = self._choices
        for choice in chunk.choices:
            fold = choices.get(choice.index)
            if fold is None:
                fold = choices[choice.index] = ChatChoiceFold()
            fold.feed(choice)

    def result(self) -> ChatCompletion:
        """The completion folded so far."""
        choices = [self._choice(i, fold) for i, fold in sorted(self._choices.items())]
        head = self._head
        return ChatCompletion(
            id=head.id, created=head.created, model=head.model, choices=choices, usage=head.usage
        )

    @staticmethod
    def _choice(index: int, fold: ChatChoiceFold) -> Choice:
        message = ChatMessage(
            role=fold.role,
            content=fold.content(),
            tool_calls=fold.tool_calls() or None,
            reasoning_content=fold.reasoning(),
        )
        logprobs = None if fold.logprobs is None else ChatLogprobs(content=fold.logprobs)
        return Choice(
            index=index, message=message, finish_reason=fold.finish_reason, logprobs=logprobs
        )


@dataclass
class _CompletionChoiceState:
    text: list[str] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)
    logprobs: CompletionLogprobs | None = None
    finish_reason: str | None = None
    seed: int | None = None


def _merge_completion_logprobs(
    into: CompletionLogprobs | None, new: CompletionLogprobs, text_before: int
) -> CompletionLogprobs:
    chat_shaped = (new.model_extra or {}).get("content")
    if chat_shaped is not None:
        # converted from the chat shape: offsets count from this chunk's text, not the stream's
        new = new.model_copy(update={"text_offset": [o + text_before for o in new.text_offset]})
    if into is None:
        return new.model_copy(deep=True)
    if chat_shaped is not None and isinstance((into.model_extra or {}).get("content"), list):
        into.model_extra["content"].extend(chat_shaped)  # type: ignore[index]
    into.tokens.extend(new.tokens)
    into.token_logprobs.extend(new.token_logprobs)
    into.text_offset.extend(new.text_offset)
    if new.top_logprobs is not None:
        into.top_logprobs = [*(into.top_logprobs or []), *new.top_logprobs]
    return into


class CompletionStreamAccumulator:
    """Folds `CompletionChunk`s into the `Completion` they describe."""

    def __init__(self) -> None:
        """Start with no choices."""
        self._head = _HeaderState()
        self._choices: dict[int, _CompletionChoiceState] = {}

    def feed(self, chunk: CompletionChunk) -> None:
        """Merge one chunk."""
        self._head.take(chunk)
        for choice in chunk.choices:
            state = self._choices.get(choice.index)
            if state is None:
                state = self._choices[choice.index] = _CompletionChoiceState()
            if choice.logprobs is not None:
                before = sum(map(len, state.text))
                state.logprobs = _merge_completion_logprobs(state.logprobs, choice.logprobs, before)
            state.text.append(choice.text)
            if choice.token is not None:
                state.tokens.append(choice.token)
            state.finish_reason = choice.finish_reason or state.finish_reason
            state.seed = choice.seed if choice.seed is not None else state.seed

    def result(self) -> Completion:
        """The completion folded so far."""
        choices = [
            CompletionChoice(
                index=i,
                text="".join(s.text),
                tokens=s.tokens or None,
                finish_reason=s.finish_reason,
                logprobs=s.logprobs,
                seed=s.seed,
            )
            for i, s in sorted(self._choices.items())
        ]
        head = self._head
        return Completion(
            id=head.id, created=head.created, model=head.model, choices=choices, usage=head.usage
        )


def fold_chat_stream(chunks: list[ChatCompletionChunk]) -> ChatCompletion:
    """Fold a list of chat chunks into one `ChatCompletion`."""
    acc = ChatStreamAccumulator()
    for chunk in chunks:
        acc.feed(chunk)
    return acc.result()


def fold_completion_stream(chunks: list[CompletionChunk]) -> Completion:
    """Fold a list of completion chunks into one `Completion`."""
    acc = CompletionStreamAccumulator()
    for chunk in chunks:
        acc.feed(chunk)
    return acc.result()
