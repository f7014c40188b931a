"""`FriendliLLM`: the FriendliAI inference API as a LlamaIndex `FunctionCallingLLM`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self

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
from llama_index.core.bridge.pydantic import (
    ConfigDict,
    Field,
    PrivateAttr,
    model_validator,
)
from llama_index.core.constants import DEFAULT_NUM_OUTPUTS
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection, default_completion_to_prompt
from typing_extensions import override

from friendli_core._fields import ENDPOINTS, api_fields
from friendli_core.catalog import ModelInfo, warn_if_deprecated
from friendli_core.config import CLOUD_ENDPOINTS
from friendli_core.errors import InvalidRequestError
from friendli_core.reasoning import prepare_chat
from llama_index_friendli._catalog import (
    DEFAULT_CONTEXT_WINDOW,
    DEFAULT_FUNCTION_CALLING,
    FriendliTokenizer,
    count_message_tokens,
    limits,
    llm_from_server,
    snapshot_entry,
)
from llama_index_friendli._connection import FriendliConnectionFields
from llama_index_friendli._convert import (
    ChatStreamState,
    CompletionStreamState,
    chat_to_completion_response,
    completion_to_chat_response,
    to_chat_response,
    to_completion_response,
)
from llama_index_friendli._fields import BodyFields, Switches
from llama_index_friendli._messages import (
    keep_first_tool_call,
    to_friendli_message_dicts,
    tool_chat_kwargs,
    tool_selections,
)
from llama_index_friendli._relays import (
    amap_chat_to_completion,
    amap_completion_to_chat,
    arelay,
    map_chat_to_completion,
    map_completion_to_chat,
    relay,
)
from llama_index_friendli._structured_output import StructuredOutputMixin

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool


__all__ = ["FriendliLLM"]


_BODY_FIELDS = tuple(BodyFields.model_fields)
# Those the endpoint kind's completions API also takes go to /completions too (with
# is_chat_model=False): the fields of both APIs, and logit_bias on "openai-compatible";
# logprobs/top_logprobs become its logprobs count; the other chat-only fields (and the
# reasoning switches) cannot be sent.
_COMPLETION_NAMES = {
    endpoint: {f.name for f in api_fields("completions", endpoint)} - {"logprobs"}
    for endpoint in ENDPOINTS
}
_SHARED_FIELDS = {
    endpoint: tuple(name for name in _BODY_FIELDS if name in names)
    for endpoint, names in _COMPLETION_NAMES.items()
}
_CHAT_ONLY_FIELDS = {
    endpoint: (
        *(n for n in _BODY_FIELDS if n not in {*names, "logprobs", "top_logprobs"}),
        *Switches.model_fields,
    )
    for endpoint, names in _COMPLETION_NAMES.items()
}


class FriendliLLM(
    FriendliConnectionFields, BodyFields, Switches, StructuredOutputMixin, FunctionCallingLLM
):
    """FriendliAI serverless, dedicated or container endpoints as a LlamaIndex LLM.

    `endpoint="openai-compatible"` serves any other server that speaks OpenAI's API (base_url
    or `OPENAI_COMPATIBLE_BASE_URL`, key from `OPENAI_COMPATIBLE_API_KEY`); OpenAI's fields go
    per call or in `additional_kwargs`, e.g. `llm.complete(prompt, user=..., suffix=...)`.

    Chat, completion, streaming, tool calling and structured output (JSON schema), sync and
    async, on the `friendli_core` client: typed errors, retries and timeouts come from there.

    Reasoning: `thinking=True|False` (a field, or per call: `llm.chat(messages,
    thinking=False)`) turns the model's thinking on or off through
    `chat_template_kwargs.enable_thinking`. Friendli's model catalog says which models reason
    and which `reasoning_effort` values and `reasoning_budget` range they take; the switch, an
    effort or a budget a model does not take is refused before sending. The reasoning comes
    back as a `ThinkingBlock` (with `parse_reasoning=True`) and is sent back on later turns.

    Example:
        >>> from llama_index_friendli import FriendliLLM
        >>> llm = FriendliLLM(model="deepseek-ai/DeepSeek-V3.2")  # key from FRIENDLI_TOKEN
        >>> llm.complete("Say hello").text  # doctest: +SKIP
    """

    # The schema is built when the class is defined (the mixins defer their own).
    model_config = ConfigDict(defer_build=False)

    model: str | None = Field(
        default=None,
        description=(
            "Model code (serverless), endpoint ID or 'endpoint-id:adapter' (dedicated), or "
            "adapter route (container, optional there)."
        ),
    )
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict,
        description="Further request fields (e.g. parse_reasoning, extra_body) for every call.",
    )
    context_window: int | None = Field(
        default=None,
        gt=0,
        description=(
            "Context window in tokens; unset: from Friendli's model catalog, else "
            f"{DEFAULT_CONTEXT_WINDOW}."
        ),
    )
    num_output: int | None = Field(
        default=None,
        gt=0,
        description=(
            "Tokens reserved for the answer when max_tokens is not set; unset: "
            f"{DEFAULT_NUM_OUTPUTS}, or the model's smaller max_completion_tokens."
        ),
    )
    is_chat_model: bool = Field(
        default=True,
        description="Use /chat/completions (True) or /completions with a text prompt (False).",
    )
    is_function_calling_model: bool | None = Field(
        default=None,
        description=(
            "Whether the model supports tool calling; unset: from Friendli's model catalog, "
            f"else {DEFAULT_FUNCTION_CALLING}."
        ),
    )

    # The live catalog entry `from_server` read (reasoning checks use it over the snapshot).
    _served_entry: ModelInfo | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check_model(self) -> FriendliLLM:
        if not self.model and self.endpoint in CLOUD_ENDPOINTS:
            msg = (
                f"model is required for the {self.endpoint} endpoint: pass the model code "
                "(serverless) or the endpoint ID (dedicated)."
            )
            raise ValueError(msg)
        warn_if_deprecated(snapshot_entry(self.model, self.endpoint))
        return self

    def __setstate__(self, state: dict[Any, Any]) -> None:
        """Unpickle (LlamaIndex re-runs `__init__`), keeping the live catalog entry."""
        super().__setstate__(state)
        entry = (state.get("__pydantic_private__") or {}).get("_served_entry")
        if entry is not None:
            self._served_entry = entry

    @classmethod
    def class_name(cls) -> str:
        """The serialisation name."""
        return "FriendliLLM"

    def to_payload(self) -> dict[str, Any]:
        """The metadata, plus the endpoint (the cost handler prices by model and endpoint)."""
        return {**super().to_payload(), "endpoint": self.endpoint}

    @property
    def metadata(self) -> LLMMetadata:
        """Metadata: explicit fields, else the model's catalog entry, else the defaults."""
        window, num_output, function_calling = limits(self)
        return LLMMetadata(
            context_window=window,
            num_output=num_output,
            is_chat_model=self.is_chat_model,
            is_function_calling_model=function_calling,
            model_name=self.model or "",
        )

    @classmethod
    def from_server(cls, **kwargs: Any) -> Self:
        """Build the LLM with unset limits read from the live catalog of its endpoint.

        Serverless: Friendli's `GET /models`; container or any OpenAI-compatible `base_url`:
        `GET {base_url}/models`, with the context length the server reports (vLLM's
        `max_model_len`, llama.cpp's `n_ctx`). Fields passed explicitly still win.

        Raises:
            ModelNotListedError: The endpoint's catalog does not list the model.
            UnsupportedEndpointError: A dedicated endpoint, which publishes no catalog.
        """
        return llm_from_server(cls, kwargs)

    @property
    def tokenizer(self) -> FriendliTokenizer:
        """The model's own tokenizer (`/tokenize`), e.g. for `Settings.tokenizer`."""
        return FriendliTokenizer(self)

    def count_tokens(
        self, messages: Sequence[ChatMessage], tools: Sequence[BaseTool] | None = None
    ) -> int:
        """Exact prompt tokens of `messages` and `tools` (`/chat/render`, then `/tokenize`).

        Raises:
            UnsupportedEndpointError: On a container endpoint, which cannot render prompts.
        """
        return count_message_tokens(self, messages, tools)

    # -- request parameters -------------------------------------------------------------------

    def _base_params(self, names: Sequence[str]) -> dict[str, Any]:
        values = self.__dict__  # the field values (read per request: fields may be reassigned)
        params = {name: values[name] for name in names}
        params["model"] = self.model
        return {k: v for k, v in params.items() if v is not None}

    def _chat_params(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> Any:
        params = self._base_params(_BODY_FIELDS)
        params.update(self.additional_kwargs)
        params.update(kwargs)
        thinking = params.pop("thinking", None)
        params["messages"] = to_friendli_message_dicts(messages)
        return prepare_chat(
            {k: v for k, v in params.items() if v is not None},
            thinking=self.thinking if thinking is None else thinking,
            switch="thinking",
            endpoint=self.endpoint,
            served=self._served_entry,
        )

    def _completion_params(self, prompt: str, kwargs: dict[str, Any], *, formatted: bool) -> Any:
        if not formatted:
            prompt = (self.completion_to_prompt or default_completion_to_prompt)(prompt)
        per_call = [n for n in Switches.model_fields if kwargs.get(n) is not None]
        chat_only_fields = _CHAT_ONLY_FIELDS[self.endpoint]
        if chat_only := [n for n in chat_only_fields if getattr(self, n) is not None] + per_call:
            msg = (
                f"{', '.join(chat_only)} apply to chat only; unset them or set is_chat_model=True."
            )
            raise InvalidRequestError(msg)
        logprobs = (self.top_logprobs or 0) if self.logprobs else None
        params = {**self._base_params(_SHARED_FIELDS[self.endpoint]), "logprobs": logprobs}
        params.update({**self.additional_kwargs, **kwargs})
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
