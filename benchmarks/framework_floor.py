"""The cheapest LangChain chat model and LlamaIndex LLM one can write: the frameworks' floors.

Each does the raw-httpx floor's work (`HttpxSync` / `HttpxAsync` in `benchmarks/clients.py`)
inside the framework's own machinery, and nothing else: no parameters, no usage, no tool calls,
no error mapping. What they cost above the raw floor is what langchain-core and
llama-index-core charge any integration per call and per token (callbacks, run managers,
message objects, instrumentation events), so an integration's ratio to these floors is the part
of its overhead it owns. Imported only inside the benchmark child processes of the main venv.
"""

# ruff: noqa: ARG002 - the frameworks' signatures; the floors ignore their inputs by design

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.llms.callbacks import llm_chat_callback
from llama_index.core.llms.custom import CustomLLM
from pydantic import ConfigDict, PrivateAttr

from benchmarks.clients import HttpxAsync, HttpxSync

__all__ = ["FloorChatModel", "FloorLLM"]


class FloorChatModel(BaseChatModel):
    """A LangChain chat model that is only the raw-httpx floor plus `BaseChatModel`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    base_url: str
    tokens: int
    _sync: HttpxSync | None = PrivateAttr(default=None)
    _async: HttpxAsync | None = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "floor"

    def _http(self) -> HttpxSync:
        if self._sync is None:
            self._sync = HttpxSync(self.base_url)
        return self._sync

    def _ahttp(self) -> HttpxAsync:
        if self._async is None:
            self._async = HttpxAsync(self.base_url)
        return self._async

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = self._http().call(self.tokens)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for piece in self._http().stream(self.tokens):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = await self._ahttp().acall(self.tokens)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        async for piece in self._ahttp().astream(self.tokens):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                await run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk


class FloorLLM(CustomLLM):
    """A LlamaIndex LLM that is only the raw-httpx floor plus the chat callbacks."""

    base_url: str
    tokens: int
    _sync: HttpxSync | None = PrivateAttr(default=None)
    _async: HttpxAsync | None = PrivateAttr(default=None)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(is_chat_model=True, model_name="floor")

    def _http(self) -> HttpxSync:
        if self._sync is None:
            self._sync = HttpxSync(self.base_url)
        return self._sync

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        text = self._http().call(self.tokens)
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        def gen() -> ChatResponseGen:
            text = ""
            for piece in self._http().stream(self.tokens):
                text += piece
                message = ChatMessage(role=MessageRole.ASSISTANT, content=text)
                yield ChatResponse(message=message, delta=piece)

        return gen()

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        if self._async is None:
            self._async = HttpxAsync(self.base_url)
        text = await self._async.acall(self.tokens)
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        raise NotImplementedError

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
        raise NotImplementedError
