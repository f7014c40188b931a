"""Structured output through Friendli's `response_format` JSON schema.

`JSONSchemaProgram` is the pydantic program `FriendliLLM` uses for `structured_predict` and its
siblings when `pydantic_program_mode` is DEFAULT: the prompt is sent with
`{"type": "json_schema", "json_schema": {"schema": <the model's JSON schema>}}`, so the server
constrains decoding to the schema, and the reply is validated into the Pydantic class. Other
modes (FUNCTION, LLM, ...) go through LlamaIndex's own programs (function calling is the
fallback for servers or models without schema-constrained decoding).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator, Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.program.streaming_utils import process_streaming_content_incremental
from llama_index.core.types import BasePydanticProgram, Model

if TYPE_CHECKING:
    from llama_index.core.llms.llm import LLM
    from llama_index.core.prompts.base import BasePromptTemplate

__all__ = [
    "JSON_INSTRUCTION",
    "JSONSchemaProgram",
    "apredict",
    "json_schema_format",
    "predict",
    "with_json_instruction",
]

dispatcher = get_dispatcher(__name__)

JSON_INSTRUCTION = (
    "Respond only with a single JSON object that follows the JSON schema of the response "
    "format, with no other text."
)
"""Friendli's guide asks that the prompt itself request JSON when a JSON schema is enforced."""


def json_schema_format(output_cls: type[Model]) -> dict[str, Any]:
    """The Friendli `response_format` for a Pydantic class."""
    return {"type": "json_schema", "json_schema": {"schema": output_cls.model_json_schema()}}


def with_json_instruction(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """The messages with `JSON_INSTRUCTION` added to the leading system message (or a new one)."""
    first = messages[0] if messages else None
    if first is not None and first.role == MessageRole.SYSTEM and first.content is not None:
        system = ChatMessage(
            role=MessageRole.SYSTEM, content=f"{first.content}\n\n{JSON_INSTRUCTION}"
        )
        return [system, *messages[1:]]
    return [ChatMessage(role=MessageRole.SYSTEM, content=JSON_INSTRUCTION), *messages]


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
        messages = with_json_instruction(self._llm._extend_messages(messages))  # noqa: SLF001
        kwargs = {k: v for k, v in (llm_kwargs or {}).items() if k not in _TOOL_KWARGS}
        kwargs["response_format"] = json_schema_format(self._output_cls)
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
