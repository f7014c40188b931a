"""The incremental fold of one choice of a chat stream (pure: no I/O, no framework).

`ChatChoiceFold` merges a choice's deltas as they arrive. The core's `ChatStreamAccumulator`
folds every choice with it; the LlamaIndex stream (through `friendli_core.kit`) folds choice 0
with it and reads the message so far after each chunk.

This module imports no pydantic model at load time (`friendli_core.types` is imported where a
typed object is built): importing an adapter does not load the core's response models.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from friendli_core.types import (
        ChunkChoice,
        FunctionCall,
        LogprobContent,
        ToolCall,
        ToolCallDelta,
    )

__all__ = ["CONTENT", "LOGPROBS", "REASONING", "ROLE", "TOOL_CALLS", "ChatChoiceFold"]

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
