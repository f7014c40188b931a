"""`FriendliLLM`'s structured output: Friendli's JSON-schema decoding in DEFAULT program mode.

A mixin of `FriendliLLM` (kept apart so that `base.py` stays about the LLM's requests): in
`PydanticProgramMode.DEFAULT` the `structured_predict` family runs `JSONSchemaProgram`, which
sends the output class's schema as `response_format`; other modes go to LlamaIndex's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.types import Model, PydanticProgramMode

from llama_index_friendli._structured import JSONSchemaProgram, apredict, predict

if TYPE_CHECKING:
    from llama_index.core.llms.function_calling import FunctionCallingLLM
    from llama_index.core.prompts.base import PromptTemplate

    _LLM = FunctionCallingLLM
else:
    _LLM = object  # at run time a plain mixin: FriendliLLM's MRO supplies the LLM methods

__all__ = ["StructuredOutputMixin"]

dispatcher = get_dispatcher(__name__)


class StructuredOutputMixin(_LLM):
    """The structured-output methods of `FriendliLLM`."""

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
