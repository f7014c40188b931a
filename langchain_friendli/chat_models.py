"""`ChatFriendli`: the FriendliAI chat completions API as a LangChain chat model."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from pydantic import PrivateAttr, model_validator

from friendli_core.catalog import ModelInfo, warn_if_deprecated
from friendli_core.reasoning import prepare_chat
from langchain_friendli._base import MODEL_CONFIG, FriendliBase
from langchain_friendli._convert import (
    build_chat_params,
    convert_chunk_to_generation_chunk,
    create_chat_result,
)
from langchain_friendli._errors import translate_errors
from langchain_friendli._fields import ChatFields, ChatSwitches
from langchain_friendli._profile import (
    count_message_tokens,
    snapshot_info,
    snapshot_profile,
    with_server_profile,
)

if TYPE_CHECKING:
    from langchain_core.language_models import ModelProfile

    # Imported on first use of bind_tools / with_structured_output: the output parsers and
    # tools of langchain_core are not needed to chat.
    from langchain_friendli._structured import StructuredMethod, ToolChoice, ToolLike

__all__ = ["ChatFriendli"]


class ChatFriendli(FriendliBase, ChatFields, ChatSwitches, BaseChatModel):
    r"""FriendliAI chat model (serverless, dedicated, container or OpenAI-compatible endpoints).

    Setup:
        Install `friendli-integrations[langchain]` and set your personal access token:

        ```bash
        pip install "friendli-integrations[langchain]"
        export FRIENDLI_TOKEN="flp_..."
        ```

    Key init args — completion params:
        model: str | None
            Model code (serverless, e.g. `"deepseek-ai/DeepSeek-V3.2"`), endpoint ID
            (dedicated; `"endpoint-id:adapter-route"` picks a LoRA adapter), or None for a
            container, which serves one model. Alias: `model_name`.
        temperature, top_p, top_k, min_p, max_tokens, min_tokens, stop, seed, n:
            Sampling parameters; None leaves the server default.
        frequency_penalty, presence_penalty, repetition_penalty, logit_bias, eos_token:
            Penalties and token controls.
        logprobs, top_logprobs: Return per-token log probabilities (and alternatives).
        parallel_tool_calls: Allow several tool calls in one turn.
        reasoning: bool | None
            Thinking on or off (`chat_template_kwargs.enable_thinking`, merged with the other
            template variables); None keeps the model's default. Also per call.
        reasoning_effort, reasoning_budget, parse_reasoning, include_reasoning,
        chat_template_kwargs: Further reasoning controls and chat-template variables.
        response_format: Constrain every output, e.g.
            `{"type": "regex", "schema": "(yes|no)"}`; structured-output calls set their own.
        stream_usage: Ask for the usage chunk when streaming (default True).
        extra_body: Fields merged into every request body as they are.

    Key init args — client params:
        friendli_token: SecretStr | None
            Token (alias `api_key`; env `FRIENDLI_TOKEN`). Construction works without one;
            a request without one fails with a message saying how to set it.
        friendli_team: str | None
            Team ID (alias `team_id`; env `FRIENDLI_TEAM`), sent as `X-Friendli-Team`.
        endpoint: "serverless" | "dedicated" | "container" | "openai-compatible"
            Picks the default base URL; the container endpoint needs no model or team.
            "openai-compatible" is any other server that speaks OpenAI's API (vLLM,
            llama.cpp, a hosted API): base_url required (env `OPENAI_COMPATIBLE_BASE_URL`),
            token from `OPENAI_COMPATIBLE_API_KEY`, and OpenAI's fields (`user`,
            `metadata` via extra_body, `store`, ...) are taken per call.
        base_url: str | None
            API prefix (env `FRIENDLI_BASE_URL`), e.g. `http://localhost:8000/v1`.
        timeout, max_retries, default_headers:
            Request timeout in seconds, retries (with backoff) and extra headers.
        http_client, http_async_client:
            Your own `httpx.Client` / `httpx.AsyncClient` (proxies, certificates).

    Every argument of the chat body can also be passed per call (`invoke(..., temperature=0)`,
    `bind(...)`), overriding the field; per-call `stop` is combined with the field. Unknown body
    fields are refused before sending; put them in `extra_body`.

    Instantiate:
        ```python
        from langchain_friendli import ChatFriendli

        model = ChatFriendli(model="deepseek-ai/DeepSeek-V3.2", temperature=0, max_tokens=512)
        ```

    Invoke:
        ```python
        messages = [
            ("system", "You are a helpful translator. Translate the user sentence to French."),
            ("human", "I love programming."),
        ]
        model.invoke(messages)
        ```

        ```python
        AIMessage(
            content="J'adore la programmation.",
            response_metadata={
                "finish_reason": "stop",
                "model_name": "deepseek-ai/DeepSeek-V3.2",
                "id": "chatcmpl-...",
                "model_provider": "friendli",
                "token_usage": {"prompt_tokens": 29, "completion_tokens": 7, "total_tokens": 36},
            },
            usage_metadata={"input_tokens": 29, "output_tokens": 7, "total_tokens": 36},
        )
        ```

    Vision:
        ```python
        from langchain_core.messages import HumanMessage

        message = HumanMessage(
            content=[
                {"type": "text", "text": "Describe this image."},
                {"type": "image", "base64": image_b64, "mime_type": "image/png"},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
            ]
        )
        model.invoke([message])
        ```

        Standard `image`/`audio`/`video` blocks (URL or base64) and OpenAI-style `image_url`
        parts become Friendli `image_url`/`audio_url`/`video_url` parts.

    Stream:
        ```python
        for chunk in model.stream(messages):
            print(chunk.text, end="")
        ```

        The sum of the chunks equals the `invoke` result: content, tool calls, reasoning,
        logprobs, finish_reason, and usage (on the last chunk, with `stream_usage=True`).

    Async:
        ```python
        await model.ainvoke(messages)
        async for chunk in model.astream(messages):
            ...
        await model.abatch([messages])
        ```

    Tool calling:
        ```python
        from pydantic import BaseModel, Field


        class GetWeather(BaseModel):
            '''Get the current weather in a given location.'''

            location: str = Field(..., description="The city, e.g. San Francisco, CA")


        model_with_tools = model.bind_tools([GetWeather], tool_choice="auto")
        ai_msg = model_with_tools.invoke("What is the weather like in Paris?")
        ai_msg.tool_calls
        ```

        ```python
        [{"name": "GetWeather", "args": {"location": "Paris"}, "id": "call_...",
          "type": "tool_call"}]
        ```

        `tool_choice` takes `"auto"`, `"none"`, `"any"`/`"required"`/True, a tool name, or a
        Friendli dict. Malformed arguments from the model land in `invalid_tool_calls`.

    Structured output:
        ```python
        class Joke(BaseModel):
            '''Joke to tell user.'''

            setup: str = Field(description="The setup of the joke")
            punchline: str = Field(description="The punchline to the joke")


        model.with_structured_output(Joke).invoke("Tell me a joke about cats")
        ```

        ```python
        Joke(setup="Why was the cat sitting on the computer?",
             punchline="To keep an eye on the mouse!")
        ```

        Methods: `json_schema` (default; Friendli's schema-constrained decoding),
        `function_calling`, `json_mode`. Friendli also constrains output to a regular
        expression: `model.invoke("Yes or no?", response_format={"type": "regex",
        "schema": "(yes|no)"})`.

    Reasoning:
        ```python
        model = ChatFriendli(
            model="deepseek-ai/DeepSeek-V3.2", reasoning=True, parse_reasoning=True
        )
        msg = model.invoke("What is 17 * 23?")
        msg.additional_kwargs["reasoning_content"]
        model.invoke("What is 17 * 23?", reasoning=False)  # per call
        ```

        Reasoning is sent back with the assistant message in later turns. Friendli's model
        catalog (`model.profile`, `friendli_core.known_models()`) says which models reason
        and which `reasoning_effort` values and `reasoning_budget` range they take: the
        switch, an effort or a budget a model does not take is refused before sending,
        naming what it takes. A model the catalog does not list passes everything through.

    Logprobs:
        ```python
        msg = model.invoke(messages, logprobs=True, top_logprobs=2)
        msg.response_metadata["logprobs"]["content"][0]
        ```

    Response metadata:
        `finish_reason`, `model_name`, `id`, `model_provider="friendli"`, `logprobs` (when
        asked), `token_usage`, and any other field the API returns. `usage_metadata` holds
        input/output/total tokens and `input_token_details.cache_read` when reported.

    Errors:
        Failures raise `friendli_core` errors that are also LangChain `ModelError`s, e.g.
        `FriendliRateLimitError(friendli_core.RateLimitError, ModelRateLimitError)`.

    Profile and token counts:
        `model.profile` (`max_input_tokens`, `max_output_tokens`, `tool_calling`,
        `structured_output`, `reasoning_output`, ...) comes from Friendli's model catalog: the
        packaged snapshot for serverless models (`friendli_core.known_models()`), or the live
        catalog with `ChatFriendli.from_server(model=...)`, which also works for a container
        or any OpenAI-compatible server. Pass `profile={...}` to override it; a model the
        catalog does not list has no profile. A model near or past its deprecation date logs
        a warning when built (the date of the catalog it came from: the snapshot, or the live
        one after `from_server`). `get_num_tokens_from_messages(messages, tools=...)` is exact:
        Friendli renders the chat template (`/chat/render`), then tokenizes the text.
    """

    model_config = MODEL_CONFIG  # BaseChatModel/BaseLLM would win otherwise

    streaming: bool = False
    """Use the streaming API for `invoke`/`generate` too."""
    stream_usage: bool = True
    """Ask for token usage at the end of a stream (`stream_options.include_usage`)."""

    _BODY_FIELDS: ClassVar[tuple[str, ...]] = (
        *FriendliBase._BODY_FIELDS,  # noqa: SLF001
        *ChatFields.model_fields,
    )
    _served_entry: ModelInfo | None = PrivateAttr(default=None)
    """The live catalog entry `from_server` read (reasoning checks use it over the snapshot)."""

    @property
    def _llm_type(self) -> str:
        return "friendli-chat"

    def _resolve_model_profile(self) -> ModelProfile | None:
        return snapshot_profile(self.model, self.endpoint)

    @model_validator(mode="after")
    def _warn_if_deprecated(self) -> Self:
        warn_if_deprecated(snapshot_info(self.model, self.endpoint))
        return self

    @classmethod
    def from_server(cls, **kwargs: Any) -> Self:
        """Build the model with its profile read from the live catalog of its endpoint.

        Serverless: Friendli's `GET /models`. Container or any OpenAI-compatible `base_url`:
        `GET {base_url}/models`, with the context length the server reports (vLLM's
        `max_model_len`, llama.cpp's `n_ctx`). Keys of an explicit `profile=` still win.

        Args:
            **kwargs: The constructor's arguments.

        Raises:
            ModelNotListedError: The endpoint's catalog does not list the model.
            UnsupportedEndpointError: A dedicated endpoint, which publishes no catalog.
        """
        return with_server_profile(cls, kwargs)

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """Exact prompt tokens of `messages` and `tools`: `/chat/render`, then `/tokenize`.

        Uses the model's own chat template (with `chat_template_kwargs`), on serverless and
        dedicated endpoints.

        Raises:
            UnsupportedEndpointError: On a container endpoint, which cannot render prompts.
        """
        return count_message_tokens(self, messages, tools)

    @property
    def _identifying_params(self) -> dict[str, Any]:
        # The switch changes the output, so it belongs to the cache key and traced parameters.
        params = super()._identifying_params
        if self.reasoning is not None:
            params["reasoning"] = self.reasoning
        return params

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = super()._get_ls_params(stop=stop, **kwargs)
        return self._add_friendli_ls_params(params, stop, kwargs)

    def _params(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        kwargs: dict[str, Any],
        *,
        stream: bool,
    ) -> dict[str, Any]:
        defaults = {**self._body_defaults(), "stop": self.stop, "extra_body": self.extra_body}
        call = dict(kwargs)
        thinking = call.pop("reasoning", None)
        params = build_chat_params(
            defaults, messages, stop, call, stream=stream, stream_usage=self.stream_usage
        )
        return prepare_chat(
            params,
            thinking=self.reasoning if thinking is None else thinking,
            switch="reasoning",
            endpoint=self.endpoint,
            served=self._served_entry,
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,  # noqa: ARG002 - base signature
        **kwargs: Any,
    ) -> ChatResult:
        with translate_errors():
            params = self._params(messages, stop, kwargs, stream=False)
            response = self.client.chat(**params)
        return create_chat_result(response, params.get("model"))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,  # noqa: ARG002 - base signature
        **kwargs: Any,
    ) -> ChatResult:
        with translate_errors():
            params = self._params(messages, stop, kwargs, stream=False)
            response = await self.async_client.chat(**params)
        return create_chat_result(response, params.get("model"))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        with translate_errors():
            params = self._params(messages, stop, kwargs, stream=True)
            model = params.get("model")
            with self.client.stream_chat(**params) as stream:
                for chunk in stream:
                    if gen := convert_chunk_to_generation_chunk(chunk, model):
                        if run_manager:
                            run_manager.on_llm_new_token(gen.text, chunk=gen)
                        yield gen

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        with translate_errors():
            params = self._params(messages, stop, kwargs, stream=True)
            model = params.get("model")
            async with await self.async_client.stream_chat(**params) as stream:
                async for chunk in stream:
                    if gen := convert_chunk_to_generation_chunk(chunk, model):
                        if run_manager:
                            await run_manager.on_llm_new_token(gen.text, chunk=gen)
                        yield gen

    def bind_tools(
        self,
        tools: Sequence[ToolLike],
        *,
        tool_choice: ToolChoice = None,
        parallel_tool_calls: bool | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (dicts, Pydantic classes, TypedDicts, functions, BaseTools) to the model.

        Args:
            tools: The tools the model may call.
            tool_choice: `"auto"`, `"none"`, `"any"`/`"required"`/True (must call a tool), a
                tool name (must call that tool), or a Friendli `tool_choice` dict.
            parallel_tool_calls: Allow several tool calls in one turn.
            strict: Accepted for interface compatibility; Friendli defines no strict flag for
                tools, so nothing is sent.
            **kwargs: Further call arguments to bind.

        Returns:
            The model with the tools bound.
        """
        from langchain_friendli._structured import (  # noqa: PLC0415 - lazy by design
            format_tools,
            resolve_tool_choice,
        )

        del strict  # documented above: no Friendli counterpart
        choice = resolve_tool_choice(tool_choice)
        if choice is not None:
            kwargs["tool_choice"] = choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=format_tools(tools), **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: StructuredMethod = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | Any]:
        """Return a runnable whose output matches `schema`.

        Args:
            schema: A Pydantic class (output is an instance), a TypedDict or a JSON-schema /
                OpenAI-function dict (output is a dict). Optional for `json_mode`.
            method: `"json_schema"` (default): Friendli's `response_format` with the schema,
                decoded under it; the prompt is sent as written, so ask for JSON in it.
                `"function_calling"`: a tool built from the schema, forced with `tool_choice`.
                `"json_mode"`: `{"type": "json_object"}`; the prompt must describe the keys.
            include_raw: Return `{"raw": AIMessage, "parsed": ..., "parsing_error": ...}`
                instead of raising on parse errors.
            strict: Accepted for interface compatibility; Friendli's JSON-schema decoding is
                always constrained and the API has no strict flag, so nothing is sent.
            **kwargs: Not supported; passing any raises.

        Returns:
            A runnable producing the parsed output (or the raw/parsed dict).

        Raises:
            ValueError: Unsupported keyword arguments, an unknown method, or a missing schema.

        For Friendli's regular-expression format, pass it per call instead:
        `model.bind(response_format={"type": "regex", "schema": "(yes|no)"})`.
        """
        from langchain_friendli._structured import structured_output  # noqa: PLC0415 - lazy

        if kwargs:
            msg = f"Received unsupported arguments {kwargs}"
            raise ValueError(msg)
        return structured_output(
            self, schema, method=method, include_raw=include_raw, strict=strict
        )
