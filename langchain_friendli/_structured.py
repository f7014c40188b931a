"""Tool binding and structured output support for `ChatFriendli`.

Friendli's request fields: `tools` (OpenAI function format), `tool_choice` (`"auto"`, `"none"`,
`"required"` or `{"type": "function", "function": {"name": ...}}`), `parallel_tool_calls`, and
`response_format` (`json_schema` with `{"json_schema": {"schema": ...}}`, `json_object`, `regex`,
`text`); their wire values come from the core toolbox (`friendli_core.kit`), which
`llama_index_friendli` uses too. Friendli defines no `strict` flag on tools or JSON schemas, so
`strict` is accepted for interface compatibility and not sent; `json_schema` output is always
decoded under the schema. As in langchain-openai, the prompt is sent as written (no instruction
is added): it should ask for JSON, which Friendli's structured-output guide recommends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any, Literal, TypeAlias

from langchain_core.language_models import LanguageModelInput
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.base import OutputParserLike
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass

from friendli_core.kit import (
    JSON_OBJECT_FORMAT,
    function_tool,
    json_schema_format,
    resolve_tool_choice,
)

__all__ = [
    "StructuredMethod",
    "ToolChoice",
    "ToolLike",
    "format_tools",
    "resolve_tool_choice",
    "structured_output",
]

ToolLike: TypeAlias = dict[str, Any] | type | Callable[..., Any] | BaseTool
ToolChoice: TypeAlias = dict[str, Any] | str | bool | None
StructuredMethod: TypeAlias = Literal["json_schema", "function_calling", "json_mode"]


def format_tools(tools: Sequence[ToolLike]) -> list[dict[str, Any]]:
    """Tools (dicts, Pydantic classes, TypedDicts, functions, BaseTools) in Friendli's format.

    Raises:
        InvalidRequestError: A tool that is not a function tool (e.g. a provider's built-in).
    """
    return [function_tool(convert_to_openai_tool(tool)) for tool in tools]


def _is_pydantic(schema: object) -> bool:
    return isinstance(schema, type) and is_basemodel_subclass(schema)


def _content_parser(schema: object) -> OutputParserLike[Any]:
    if _is_pydantic(schema):
        return PydanticOutputParser(pydantic_object=schema)
    return JsonOutputParser()


def _bound_model(
    model: BaseChatModel, schema: Any, method: StructuredMethod, *, strict: bool | None
) -> tuple[Runnable[LanguageModelInput, AIMessage], OutputParserLike[Any]]:
    trace = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
    if method == "function_calling":
        name = convert_to_openai_tool(schema)["function"]["name"]
        bound = model.bind_tools([schema], tool_choice=name, ls_structured_output_format=trace)
        parser: OutputParserLike[Any] = (
            PydanticToolsParser(tools=[schema], first_tool_only=True)
            if _is_pydantic(schema)
            else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
        )
        return bound, parser
    if method == "json_schema":
        response_format = json_schema_format(convert_to_json_schema(schema))
        bound = model.bind(response_format=response_format, ls_structured_output_format=trace)
        return bound, _content_parser(schema)
    if method == "json_mode":
        extra = {"ls_structured_output_format": trace} if schema is not None else {}
        bound = model.bind(response_format=dict(JSON_OBJECT_FORMAT), **extra)
        return bound, _content_parser(schema)
    msg = f"method must be 'json_schema', 'function_calling' or 'json_mode'; got {method!r}."
    raise ValueError(msg)


def structured_output(
    model: BaseChatModel,
    schema: Any,
    *,
    method: StructuredMethod,
    include_raw: bool,
    strict: bool | None,
) -> Runnable[LanguageModelInput, Any]:
    """Build the structured-output runnable (see `ChatFriendli.with_structured_output`).

    Raises:
        ValueError: Unknown method, or no schema for a method that needs one.
    """
    if schema is None and method != "json_mode":
        msg = f"schema is required for method={method!r}; only 'json_mode' works without one."
        raise ValueError(msg)
    bound, parser = _bound_model(model, schema, method, strict=strict)
    if not include_raw:
        return bound | parser
    parse = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    no_parse = RunnablePassthrough.assign(parsed=lambda _: None)
    with_fallback = parse.with_fallbacks([no_parse], exception_key="parsing_error")
    return RunnableMap(raw=bound) | with_fallback
