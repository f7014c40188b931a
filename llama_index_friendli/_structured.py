"""Structured output through Friendli's `response_format` JSON schema.

`JSONSchemaProgram` is the pydantic program `FriendliLLM` uses for `structured_predict` and its
siblings when `pydantic_program_mode` is DEFAULT: the prompt is sent with
`{"type": "json_schema", "json_schema": {"schema": <the model's JSON schema>}}` (built by the
core toolbox, as for `ChatFriendli`), so the server constrains decoding to the schema, and the
reply is validated into the Pydantic class. The prompt is sent as written, with no instruction
added (as llama-index-llms-openai does; see `friendli_core.kit`): it should ask for JSON,
which Friendli's structured-output guide recommends. Other modes (FUNCTION, LLM, ...) go through
LlamaIndex's own programs (function calling is the fallback for servers or models without
schema-constrained decoding).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.program.streaming_utils import process_streaming_content_incremental
from llama_index.core.types import BasePydanticProgram, Model

from friendli_core.kit import json_schema_format

if TYPE_CHECKING:
    from llama_index.core.llms.llm import LLM
    from llama_index.core.prompts.base import BasePromptTemplate

__all__ = ["JSONSchemaProgram", "apredict", "predict"]

dispatcher = get_dispatcher(__name__)


class JSONSchemaProgram(BasePydanticProgram[Model]):
    """Structured prediction with `response_format` json_schema, validated into `output_cls`."""

    def __init__(self, llm: LLM, output_cls: type[Model], prompt: BasePromptTemplate) -> None:
        """Bind the LLM, the output class and the prompt template."""
        self._llm = llm
        self._output_cls = output_cls
        self._prompt = prompt

    @property
    def output_cls(self) -> type[Model]:
        """The Pydantic class produced."""
        return self._output_cls

    @property
    def prompt(self) -> BasePromptTemplate:
        """The prompt template."""
        return self._prompt

    def _request(
        self, llm_kwargs: dict[str, Any] | None, prompt_args: dict[str, Any]
    ) -> tuple[list[ChatMessage], dict[str, Any]]:
        messages = self._prompt.format_messages(llm=self._llm, **prompt_args)
        messages = self._llm._extend_messages(messages)  # noqa: SLF001
        kwargs = {k: v for k, v in (llm_kwargs or {}).items() if k not in _TOOL_KWARGS}
        kwargs["response_format"] = json_schema_format(self._output_cls.model_json_schema())
        return messages, kwargs

    def _parse(self, content: str | None) -> Model:
        return self._output_cls.model_validate_json(content or "")

    def __call__(
        self, *_args: Any, llm_kwargs: dict[str, Any] | None = None, **kwargs: Any
    ) -> Model:
        """Run the prompt and validate the JSON reply.

        Raises:
            pydantic.ValidationError: The reply does not validate against `output_cls`.
        """
        messages, call_kwargs = self._request(llm_kwargs, kwargs)
        return self._parse(self._llm.chat(messages, **call_kwargs).message.content)

    async def acall(
        self, *_args: Any, llm_kwargs: dict[str, Any] | None = None, **kwargs: Any
    ) -> Model:
        """Async twin of `__call__`."""
        messages, call_kwargs = self._request(llm_kwargs, kwargs)
        return self._parse((await self._llm.achat(messages, **call_kwargs)).message.content)

    def stream_call(
        self, *_args: Any, llm_kwargs: dict[str, Any] | None = None, **kwargs: Any
    ) -> Generator[Model, None, None]:
        """Yield partial objects (flexible models) as the JSON streams in, then the result."""
        messages, call_kwargs = self._request(llm_kwargs, kwargs)
        current = None
        for response in self._llm.stream_chat(messages, **call_kwargs):
            current = process_streaming_content_incremental(response, self._output_cls, current)
            yield current  # type: ignore[misc]

    async def astream_call(
        self, *_args: Any, llm_kwargs: dict[str, Any] | None = None, **kwargs: Any
    ) -> AsyncGenerator[Model, None]:
        """Async twin of `stream_call`."""
        messages, call_kwargs = self._request(llm_kwargs, kwargs)
        responses = await self._llm.astream_chat(messages, **call_kwargs)

        async def gen() -> AsyncGenerator[Model, None]:
            current = None
            async for response in responses:
                current = process_streaming_content_incremental(response, self._output_cls, current)
                yield current  # type: ignore[misc]

        return gen()


def _start(program: JSONSchemaProgram[Model], prompt_args: dict[str, Any]) -> None:
    event = LLMStructuredPredictStartEvent(
        output_cls=program.output_cls, template=program.prompt, template_args=prompt_args
    )
    dispatcher.event(event)


def predict(
    program: JSONSchemaProgram[Model],
    llm_kwargs: dict[str, Any] | None,
    prompt_args: dict[str, Any],
) -> Model:
    """Run the program between the structured-predict start and end events."""
    _start(program, prompt_args)
    result = program(llm_kwargs=llm_kwargs, **prompt_args)
    dispatcher.event(LLMStructuredPredictEndEvent(output=result))
    return result


async def apredict(
    program: JSONSchemaProgram[Model],
    llm_kwargs: dict[str, Any] | None,
    prompt_args: dict[str, Any],
) -> Model:
    """Async twin of `predict`."""
    _start(program, prompt_args)
    result = await program.acall(llm_kwargs=llm_kwargs, **prompt_args)
    dispatcher.event(LLMStructuredPredictEndEvent(output=result))
    return result


_TOOL_KWARGS = frozenset({"tools", "tool_choice", "tool_required", "parallel_tool_calls"})
"""Function-calling kwargs that LlamaIndex callers may pass and json_schema mode cannot use."""
