"""`Friendli`: the FriendliAI text completions API as a LangChain LLM."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.base import LangSmithParams
from langchain_core.language_models.llms import BaseLLM
from langchain_core.outputs import GenerationChunk, LLMResult

from langchain_friendli._base import MODEL_CONFIG, FriendliBase
from langchain_friendli._completions import (
    build_completion_params,
    convert_completion_chunk,
    create_llm_result,
    result_from_chunks,
)
from langchain_friendli._errors import translate_errors
from langchain_friendli._fields import CompletionFields

__all__ = ["Friendli"]


class Friendli(FriendliBase, CompletionFields, BaseLLM):
    """FriendliAI text completion model (`/completions`: raw prompt in, text out).

    Setup:
        ```bash
        pip install "friendli-integrations[langchain]"
        export FRIENDLI_TOKEN="flp_..."
        ```

    Key init args — completion params:
        model: str | None
            Model code, endpoint ID (dedicated) or None (container). Alias `model_name`.
        temperature, top_p, top_k, min_p, max_tokens, min_tokens, stop, seed, n,
        frequency_penalty, presence_penalty, repetition_penalty, eos_token:
            Sampling parameters shared with the chat body; None leaves the server default.
        response_format: dict | None
            Constrain every output (text, json_object, json_schema or regex).
        logprobs: int | None
            Number of top alternatives per position; the result lands in
            `generation_info["logprobs"]`.
        max_total_tokens, min_total_tokens, bad_words, bad_word_tokens, stop_tokens,
        no_repeat_ngram, encoder_no_repeat_ngram, encoder_repetition_penalty,
        forced_output_tokens, token_index_to_replace, embedding_to_replace:
            Completions-only parameters.

    Key init args — client params:
        friendli_token (alias `api_key`, env `FRIENDLI_TOKEN`), friendli_team (alias
        `team_id`, env `FRIENDLI_TEAM`), endpoint, base_url (env `FRIENDLI_BASE_URL`), timeout,
        max_retries, default_headers, http_client, http_async_client, extra_body.
        `endpoint="openai-compatible"` (vLLM, llama.cpp, a hosted API) reads
        `OPENAI_COMPATIBLE_API_KEY` and `OPENAI_COMPATIBLE_BASE_URL` instead, and takes
        OpenAI's fields per call: `llm.invoke(prompt, suffix=..., user=..., logit_bias=...)`.

    Instantiate:
        ```python
        from langchain_friendli import Friendli

        llm = Friendli(model="deepseek-ai/DeepSeek-V3.2", max_tokens=64)
        ```

    Invoke:
        ```python
        llm.invoke("The capital of France is")
        ```

    Stream:
        ```python
        for text in llm.stream("Once upon a time"):
            print(text, end="")
        ```

    Async and batch:
        ```python
        await llm.ainvoke("Hello")
        llm.batch(["Hello", "Hi"])
        ```

    Response metadata:
        `llm.generate([...])` gives one generation per choice with `generation_info`
        (finish_reason, seed, tokens, logprobs, ...) and `llm_output` with the summed
        `token_usage`, `model_name` and response `ids`.
    """

    model_config = MODEL_CONFIG  # BaseChatModel/BaseLLM would win otherwise

    streaming: bool = False
    """Use the streaming API for `invoke`/`generate` too."""
    stream_usage: bool = True
    """Ask for token usage at the end of a stream (`stream_options.include_usage`)."""

    _BODY_FIELDS: ClassVar[tuple[str, ...]] = (
        *FriendliBase._BODY_FIELDS,  # noqa: SLF001
        *CompletionFields.model_fields,
    )

    @property
    def _llm_type(self) -> str:
        return "friendli"

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = super()._get_ls_params(stop=stop, **kwargs)
        return self._add_friendli_ls_params(params, stop, kwargs)

    def _params(
        self, prompt: str, stop: list[str] | None, kwargs: dict[str, Any], *, stream: bool
    ) -> dict[str, Any]:
        defaults = {**self._body_defaults(), "stop": self.stop, "extra_body": self.extra_body}
        return build_completion_params(
            defaults, prompt, stop, kwargs, stream=stream, stream_usage=self.stream_usage
        )

    def _generate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        if self.streaming:
            return result_from_chunks(
                [list(self._stream(p, stop, run_manager, **kwargs)) for p in prompts], self.model
            )
        with translate_errors():
            responses = [
                self.client.completions(**self._params(p, stop, kwargs, stream=False))
                for p in prompts
            ]
        return create_llm_result(responses, kwargs.get("model") or self.model)

    async def _agenerate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        if self.streaming:
            return result_from_chunks(
                [[c async for c in self._astream(p, stop, run_manager, **kwargs)] for p in prompts],
                self.model,
            )
        with translate_errors():
            responses = [
                await self.async_client.completions(**self._params(p, stop, kwargs, stream=False))
                for p in prompts
            ]
        return create_llm_result(responses, kwargs.get("model") or self.model)

    def _stream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[GenerationChunk]:
        with translate_errors():
            params = self._params(prompt, stop, kwargs, stream=True)
            with self.client.stream_completions(**params) as stream:
                for chunk in stream:
                    if gen := convert_completion_chunk(chunk, params.get("model")):
                        if run_manager:
                            run_manager.on_llm_new_token(gen.text, chunk=gen)
                        yield gen

    async def _astream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[GenerationChunk]:
        with translate_errors():
            params = self._params(prompt, stop, kwargs, stream=True)
            async with await self.async_client.stream_completions(**params) as stream:
                async for chunk in stream:
                    if gen := convert_completion_chunk(chunk, params.get("model")):
                        if run_manager:
                            await run_manager.on_llm_new_token(gen.text, chunk=gen)
                        yield gen
