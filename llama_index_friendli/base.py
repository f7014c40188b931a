"""`FriendliLLM`: the FriendliAI inference API as a LlamaIndex `FunctionCallingLLM`."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.generic_utils import (
    messages_to_prompt as generic_messages_to_prompt,
)
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.bridge.pydantic import ConfigDict, Field, model_validator
from llama_index.core.constants import DEFAULT_NUM_OUTPUTS
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection, default_completion_to_prompt
from llama_index.core.types import Model, PydanticProgramMode
from typing_extensions import override

from llama_index_friendli._clients import (
    amap_chat_to_completion,
    amap_completion_to_chat,
    arelay,
    map_chat_to_completion,
    map_completion_to_chat,
    relay,
)
from llama_index_friendli._connection import FriendliConnectionFields
from llama_index_friendli._convert import (
    ChatStreamState,
    CompletionStreamState,
    chat_to_completion_response,
    completion_to_chat_response,
    keep_first_tool_call,
    to_chat_response,
    to_completion_response,
    to_friendli_message_dicts,
    tool_chat_kwargs,
    tool_selections,
)
from llama_index_friendli._structured import JSONSchemaProgram, apredict, predict

if TYPE_CHECKING:
    from llama_index.core.prompts.base import PromptTemplate
    from llama_index.core.tools.types import BaseTool


__all__ = ["FriendliLLM"]

dispatcher = get_dispatcher(__name__)

_SAMPLING_FIELDS = (
    "temperature",
    "top_p",
    "top_k",
    "min_p",
    "max_tokens",
    "frequency_penalty",
    "presence_penalty",
    "repetition_penalty",
    "seed",
    "stop",
)


class FriendliLLM(FriendliConnectionFields, FunctionCallingLLM):
    """FriendliAI serverless, dedicated or container endpoints as a LlamaIndex LLM.

    Chat, completion, streaming, tool calling and structured output (JSON schema), sync and
    async, on the `friendli_core` client: typed errors, retries and timeouts come from there.

    Example:
        >>> from llama_index_friendli import FriendliLLM
        >>> llm = FriendliLLM(model="meta-llama-3.1-8b-instruct")  # key from FRIENDLI_TOKEN
        >>> llm.complete("Say hello").text  # doctest: +SKIP
    """

    # The schema is built when the class is defined (the connection mixin defers its own).
    model_config = ConfigDict(defer_build=False)

    model: str | None = Field(
        default=None,
        description=(
            "Model code (serverless), endpoint ID or 'endpoint-id:adapter' (dedicated), or "
            "adapter route (container, optional there)."
        ),
    )
    temperature: float | None = Field(
        default=None, ge=0.0, description="Sampling temperature (server default 1.0)."
    )
    top_p: float | None = Field(default=None, gt=0.0, le=1.0, description="Nucleus sampling.")
    top_k: int | None = Field(default=None, ge=0, description="Top-k sampling (0 = off).")
    min_p: float | None = Field(default=None, ge=0.0, le=1.0, description="Min-p sampling.")
    max_tokens: int | None = Field(
        default=None, ge=1, description="Maximum number of generated tokens."
    )
    frequency_penalty: float | None = Field(
        default=None, ge=-2.0, le=2.0, description="Penalty on token frequency so far."
    )
    presence_penalty: float | None = Field(
        default=None, ge=-2.0, le=2.0, description="Penalty on tokens already present."
    )
    repetition_penalty: float | None = Field(
        default=None, gt=0.0, description="Multiplicative repetition penalty (1.0 = none)."
    )
    seed: int | None = Field(default=None, description="Random seed for reproducible sampling.")
    stop: list[str] | None = Field(default=None, description="Stop phrases (excluded).")
    logprobs: bool | None = Field(
        default=None, description="Return per-token log probabilities (ChatResponse.logprobs)."
    )
    top_logprobs: int | None = Field(
        default=None, ge=0, le=20, description="Alternatives per position; needs logprobs."
    )
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict,
        description="Further request fields (e.g. parse_reasoning, extra_body) for every call.",
    )
    context_window: int = Field(
        default=32768, gt=0, description="Context window of the model, in tokens."
    )
    num_output: int = Field(
        default=DEFAULT_NUM_OUTPUTS,
        gt=0,
        description="Tokens reserved for the answer when max_tokens is not set.",
    )
    is_chat_model: bool = Field(
        default=True,
        description="Use /chat/completions (True) or /completions with a text prompt (False).",
    )
    is_function_calling_model: bool = Field(
        default=True, description="Whether the model supports tool calling."
    )

    @model_validator(mode="after")
    def _check_model(self) -> FriendliLLM:
        if not self.model and self.endpoint != "container":
            msg = (
                f"model is required for the {self.endpoint} endpoint: pass the model code "
                "(serverless) or the endpoint ID (dedicated)."
            )
            raise ValueError(msg)
        return self

    @classmethod
    def class_name(cls) -> str:
        """The serialisation name."""
        return "FriendliLLM"

    @property
    def metadata(self) -> LLMMetadata:
        """Metadata from the fields; never depends on the model name."""
        return LLMMetadata(
            context_window=self.context_window,
            num_output=self.max_tokens or self.num_output,
            is_chat_model=self.is_chat_model,
            is_function_calling_model=self.is_function_calling_model,
            model_name=self.model or "",
        )

    # -- request parameters -------------------------------------------------------------------

    def _base_params(self) -> dict[str, Any]:
        params = {name: getattr(self, name) for name in _SAMPLING_FIELDS}
        params["model"] = self.model
        return {k: v for k, v in params.items() if v is not None}

    def _chat_params(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> Any:
        params = self._base_params()
        params["logprobs"] = self.logprobs
        params["top_logprobs"] = self.top_logprobs
        params.update(self.additional_kwargs)
        params.update(kwargs)
        params["messages"] = to_friendli_message_dicts(messages)
        return {k: v for k, v in params.items() if v is not None}

    def _completion_params(self, prompt: str, kwargs: dict[str, Any], *, formatted: bool) -> Any:
        if not formatted:
            prompt = (self.completion_to_prompt or default_completion_to_prompt)(prompt)
        logprobs = (self.top_logprobs or 0) if self.logprobs else None
        params = {**self._base_params(), "logprobs": logprobs, **self.additional_kwargs, **kwargs}
        params["prompt"] = prompt
        return {k: v for k, v in params.items() if v is not None}

    def _messages_prompt(self, messages: Sequence[ChatMessage]) -> str:
        return (self.messages_to_prompt or generic_messages_to_prompt)(messages)

    # -- chat endpoint ------------------------------------------------------------------------

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        params = self._chat_params(messages, kwargs)
        return to_chat_response(self._sync_client().chat(**params))

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        params = self._chat_params(messages, kwargs)
        return to_chat_response(await self._async_client().chat(**params))

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        params = self._chat_params(messages, kwargs)
        return relay(self._sync_client().stream_chat(**params), ChatStreamState())

    async def _astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        params = self._chat_params(messages, kwargs)
        return arelay(await self._async_client().stream_chat(**params), ChatStreamState())

    # -- completions endpoint -----------------------------------------------------------------

    def _complete(
        self, prompt: str, *, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        params = self._completion_params(prompt, kwargs, formatted=formatted)
        return to_completion_response(self._sync_client().completions(**params))

    async def _acomplete(
        self, prompt: str, *, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        params = self._completion_params(prompt, kwargs, formatted=formatted)
        return to_completion_response(await self._async_client().completions(**params))

    def _stream_complete(
        self, prompt: str, *, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        params = self._completion_params(prompt, kwargs, formatted=formatted)
        return relay(self._sync_client().stream_completions(**params), CompletionStreamState())

    async def _astream_complete(
        self, prompt: str, *, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        params = self._completion_params(prompt, kwargs, formatted=formatted)
        stream = await self._async_client().stream_completions(**params)
        return arelay(stream, CompletionStreamState())

    # -- LlamaIndex entry points (chat model: /chat/completions; else /completions) -----------

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Chat with the model."""
        if self.is_chat_model:
            return self._chat(messages, **kwargs)
        response = self._complete(self._messages_prompt(messages), formatted=True, **kwargs)
        return completion_to_chat_response(response)

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async chat with the model."""
        if self.is_chat_model:
            return await self._achat(messages, **kwargs)
        response = await self._acomplete(self._messages_prompt(messages), formatted=True, **kwargs)
        return completion_to_chat_response(response)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Stream a chat reply: one response per chunk, with the message so far."""
        if self.is_chat_model:
            return self._stream_chat(messages, **kwargs)
        prompt = self._messages_prompt(messages)
        return map_completion_to_chat(self._stream_complete(prompt, formatted=True, **kwargs))

    @llm_chat_callback()
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        """Async stream of a chat reply."""
        if self.is_chat_model:
            return await self._astream_chat(messages, **kwargs)
        prompt = self._messages_prompt(messages)
        return amap_completion_to_chat(
            await self._astream_complete(prompt, formatted=True, **kwargs)
        )

    @override
    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Complete a prompt (through chat unless is_chat_model is False)."""
        if not self.is_chat_model:
            return self._complete(prompt, formatted=formatted, **kwargs)
        return chat_to_completion_response(self._chat(self._prompt_messages(prompt), **kwargs))

    @override
    @llm_completion_callback()
    async def acomplete(
        self, prompt: str, *, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        """Async completion."""
        if not self.is_chat_model:
            return await self._acomplete(prompt, formatted=formatted, **kwargs)
        response = await self._achat(self._prompt_messages(prompt), **kwargs)
        return chat_to_completion_response(response)

    @override
    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, *, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        """Stream a completion: one response per chunk, with the text so far."""
        if not self.is_chat_model:
            return self._stream_complete(prompt, formatted=formatted, **kwargs)
        responses = self._stream_chat(self._prompt_messages(prompt), **kwargs)
        return map_chat_to_completion(responses)

    @override
    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, *, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        """Async stream of a completion."""
        if not self.is_chat_model:
            return await self._astream_complete(prompt, formatted=formatted, **kwargs)
        responses = await self._astream_chat(self._prompt_messages(prompt), **kwargs)
        return amap_chat_to_completion(responses)

    @staticmethod
    def _prompt_messages(prompt: str) -> list[ChatMessage]:
        return [ChatMessage(role=MessageRole.USER, content=prompt)]

    # -- tool calling -------------------------------------------------------------------------

    @override
    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: str | dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """The `chat` kwargs for a tool-calling turn (no tools: a plain chat)."""
        messages = [*(chat_history or []), *([] if user_msg is None else [user_msg])]
        return tool_chat_kwargs(
            tools,
            messages,
            tool_choice=tool_choice,
            tool_required=tool_required,
            parallel=allow_parallel_tool_calls,
            **kwargs,
        )

    @override
    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        """Keep only the first tool call unless parallel calls are allowed."""
        return response if allow_parallel_tool_calls else keep_first_tool_call(response)

    @override
    def get_tool_calls_from_response(
        self,
        response: ChatResponse,
        error_on_no_tool_call: bool = True,
        **kwargs: Any,
    ) -> list[ToolSelection]:
        """The tool calls of a (possibly partial, streamed) response.

        Raises:
            ValueError: No tool call while `error_on_no_tool_call` is true.
        """
        return tool_selections(response, error_on_no_tool_call=error_on_no_tool_call)

    # -- structured output --------------------------------------------------------------------

    def _json_schema_program(
        self, output_cls: type[Model], prompt: PromptTemplate
    ) -> JSONSchemaProgram[Model] | None:
        """The JSON-schema program in DEFAULT mode; None lets LlamaIndex pick (FUNCTION, LLM)."""
        if self.pydantic_program_mode != PydanticProgramMode.DEFAULT:
            return None
        return JSONSchemaProgram(self, output_cls, prompt)

    @dispatcher.span
    def structured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Predict an `output_cls` instance via `response_format` json_schema (DEFAULT mode)."""
        program = self._json_schema_program(output_cls, prompt)
        if program is None:
            fallback: Model = super().structured_predict(
                output_cls, prompt, llm_kwargs, **prompt_args
            )
            return fallback
        return predict(program, llm_kwargs, prompt_args)

    @dispatcher.span
    async def astructured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Async twin of `structured_predict`."""
        program = self._json_schema_program(output_cls, prompt)
        if program is None:
            fallback: Model = await super().astructured_predict(
                output_cls, prompt, llm_kwargs, **prompt_args
            )
            return fallback
        return await apredict(program, llm_kwargs, prompt_args)

    def _structured_stream_call(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Any:
        program = self._json_schema_program(output_cls, prompt)
        if program is None:
            return super()._structured_stream_call(output_cls, prompt, llm_kwargs, **prompt_args)
        return program.stream_call(llm_kwargs=llm_kwargs, **prompt_args)

    async def _structured_astream_call(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Any:
        program = self._json_schema_program(output_cls, prompt)
        if program is None:
            return await super()._structured_astream_call(
                output_cls, prompt, llm_kwargs, **prompt_args
            )
        return await program.astream_call(llm_kwargs=llm_kwargs, **prompt_args)


def _store_signatures(cls: type, names: Sequence[str]) -> None:
    """Store the signature of each instrumented entry point on its wrapped function.

    LlamaIndex's span wrapper calls `inspect.signature` on every call; with `__signature__`
    set, that is a lookup instead of a walk through the decorator chain (~15 µs a call).
    """
    for name in names:
        wrapped = getattr(cls.__dict__[name], "__wrapped__", None)
        if callable(wrapped) and not hasattr(wrapped, "__signature__"):
            wrapped.__signature__ = inspect.signature(wrapped)


_store_signatures(
    FriendliLLM,
    (
        "chat",
        "achat",
        "stream_chat",
        "astream_chat",
        "complete",
        "acomplete",
        "stream_complete",
        "astream_complete",
    ),
)
