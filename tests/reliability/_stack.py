"""One calling convention over the whole stack, for the fault and load tests.

A `Target` names a class of the stack (`core`: `FriendliClient`/`AsyncFriendliClient`, `chat`:
`ChatFriendli`, `llm`: `Friendli`, `llama`: `FriendliLLM`), a mode (sync or async) and whether
the call streams. `Target.run` builds a fresh instance with the given settings through its
public constructor, sends one request to the local server, collects every chunk the caller
would see into `sink`, and returns the final text. Errors propagate unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from llama_index.core.base.llms.types import ChatMessage, ChatResponse

from friendli_core import AsyncFriendliClient, ChatCompletionChunk, FriendliClient
from friendli_core.testing import LOCAL_TOKEN, LocalServer
from langchain_friendli import ChatFriendli, Friendli
from llama_index_friendli import FriendliLLM

MODEL = "friendli-local-model"
CLASSES = ("core", "chat", "llm", "llama")


@dataclass(frozen=True)
class Target:
    """A class of the stack, called sync or async, streaming or not."""

    cls: str
    mode: str
    stream: bool
    via_invoke: bool = False  # LangChain: `invoke` with `streaming=True` instead of `.stream()`

    @property
    def id(self) -> str:
        parts = [self.cls, self.mode, "stream" if self.stream else "plain"]
        if self.via_invoke:
            parts.append("invoke")
        return "-".join(parts)

    def build(self, server: LocalServer | str, **options: Any) -> Any:
        """A fresh instance pointed at `server` (a LocalServer or a base URL)."""
        base_url = server if isinstance(server, str) else server.serverless_url
        options.setdefault("max_retries", 0)
        options.setdefault("timeout", 10.0)
        token = options.pop("token", LOCAL_TOKEN)
        if self.cls == "core":
            factory = FriendliClient if self.mode == "sync" else AsyncFriendliClient
            return factory(token=token, base_url=base_url, **options)
        if self.via_invoke:
            # only when set: LangChain reads an explicit `streaming=False` as "never stream"
            options["streaming"] = True
        if self.cls == "chat":
            return ChatFriendli(model=MODEL, api_key=token, base_url=base_url, **options)
        if self.cls == "llm":
            return Friendli(model=MODEL, api_key=token, base_url=base_url, **options)
        return FriendliLLM(model=MODEL, api_key=token, base_url=base_url, **options)

    async def run(
        self,
        server: LocalServer | str,
        content: str = "hello",
        sink: list[Any] | None = None,
        *,
        instance: Any = None,
        params: dict[str, Any] | None = None,
        **options: Any,
    ) -> str:
        """Send one request; chunks seen by the caller go to `sink`; return the final text."""
        obj = instance if instance is not None else self.build(server, **options)
        sink = [] if sink is None else sink
        try:
            call = _CALLS[(self.cls, self.stream and not self.via_invoke)]
            return await call(self, obj, content, sink, params or {})
        finally:
            if instance is None:
                await close(obj, self.mode)

    def complete_chunks(self, sink: list[Any]) -> list[Any]:
        """The chunks in `sink` that would present the output as finished."""
        return [c for c in sink if looks_finished(c)]


def looks_finished(chunk: Any) -> bool:
    """Whether a chunk or response carries a finish_reason (marks a complete answer)."""
    if isinstance(chunk, ChatCompletionChunk):
        return any(c.finish_reason for c in chunk.choices)
    if isinstance(chunk, AIMessageChunk | AIMessage):
        return bool(chunk.response_metadata.get("finish_reason")) or (
            getattr(chunk, "chunk_position", None) == "last"
        )
    if isinstance(chunk, ChatResponse):
        if isinstance(chunk.raw, ChatCompletionChunk):  # streamed responses carry the chunk
            return looks_finished(chunk.raw)
        raw = chunk.raw if isinstance(chunk.raw, dict) else {}
        return any(c.get("finish_reason") for c in raw.get("choices") or [])
    return False


def targets(
    *, stream: bool | None = None, classes: tuple[str, ...] = CLASSES, invoke: bool = False
) -> list[Any]:
    """pytest params for every class x mode (x streaming unless fixed)."""
    import pytest

    streams = (False, True) if stream is None else (stream,)
    result = [
        Target(cls, mode, s) for cls in classes for mode in ("sync", "async") for s in streams
    ]
    if invoke:
        result += [
            Target(cls, mode, stream=True, via_invoke=True)
            for cls in ("chat", "llm")
            if cls in classes
            for mode in ("sync", "async")
        ]
    return [pytest.param(t, id=t.id) for t in result]


async def close(obj: Any, mode: str) -> None:
    """Release the connections an instance built (never a user-supplied http client)."""
    if isinstance(obj, FriendliClient):
        obj.close()
    elif isinstance(obj, AsyncFriendliClient):
        await obj.close()
    else:
        obj.close()
        if mode == "async":
            await obj.aclose()


async def _maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def _messages(content: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": content}]


async def _core_plain(
    t: Target, obj: Any, content: str, sink: list[Any], params: dict[str, Any]
) -> str:
    reply = await _maybe(obj.chat(model=MODEL, messages=_messages(content), **params))
    sink.append(reply)
    return str(reply.choices[0].message.content)


async def _core_stream(
    t: Target, obj: Any, content: str, sink: list[Any], params: dict[str, Any]
) -> str:
    stream = await _maybe(obj.stream_chat(model=MODEL, messages=_messages(content), **params))
    if t.mode == "sync":
        with stream:
            sink.extend(stream)
    else:
        async with stream:
            async for chunk in stream:
                sink.append(chunk)  # noqa: PERF401 - keep the chunks seen before an error
    return "".join(c.choices[0].delta.content or "" for c in sink if c.choices)


async def _lc_plain(
    t: Target, obj: Any, content: str, sink: list[Any], params: dict[str, Any]
) -> str:
    reply = (
        obj.invoke(content, **params) if t.mode == "sync" else await obj.ainvoke(content, **params)
    )
    sink.append(reply)
    return reply if isinstance(reply, str) else str(reply.content)


async def _lc_stream(
    t: Target, obj: Any, content: str, sink: list[Any], params: dict[str, Any]
) -> str:
    if t.mode == "sync":
        sink.extend(obj.stream(content, **params))
    else:
        async for chunk in obj.astream(content, **params):
            sink.append(chunk)  # noqa: PERF401 - keep the chunks seen before an error
    return "".join(c if isinstance(c, str) else str(c.content) for c in sink)


async def _llama_plain(
    t: Target, obj: Any, content: str, sink: list[Any], params: dict[str, Any]
) -> str:
    messages = [ChatMessage(role="user", content=content)]
    reply = (
        obj.chat(messages, **params) if t.mode == "sync" else await obj.achat(messages, **params)
    )
    sink.append(reply)
    return str(reply.message.content)


async def _llama_stream(
    t: Target, obj: Any, content: str, sink: list[Any], params: dict[str, Any]
) -> str:
    messages = [ChatMessage(role="user", content=content)]
    if t.mode == "sync":
        sink.extend(obj.stream_chat(messages, **params))
    else:
        async for response in await obj.astream_chat(messages, **params):
            sink.append(response)  # noqa: PERF401 - keep the responses seen before an error
    return str(sink[-1].message.content) if sink else ""


_CALLS: dict[
    tuple[str, bool], Callable[[Target, Any, str, list[Any], dict[str, Any]], Awaitable[str]]
] = {
    ("core", False): _core_plain,
    ("core", True): _core_stream,
    ("chat", False): _lc_plain,
    ("chat", True): _lc_stream,
    ("llm", False): _lc_plain,
    ("llm", True): _lc_stream,
    ("llama", False): _llama_plain,
    ("llama", True): _llama_stream,
}
