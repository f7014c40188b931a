"""Pure conversions between LangChain objects and Friendli request/response bodies.

No I/O here: these functions turn Friendli responses and stream chunks into LangChain results,
and fields plus call arguments (with the messages converted by `_messages`) into the parameters
of a `friendli_core` call. Nothing the API returns is dropped: fields without a
LangChain counterpart go to `additional_kwargs`, `response_metadata` or `generation_info`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    InvalidToolCall,
    ToolCall,
)
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import invalid_tool_call, tool_call, tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from friendli_core.errors import InvalidRequestError
from friendli_core.kit import Prototype
from langchain_friendli._messages import convert_messages

if TYPE_CHECKING:
    from friendli_core import ChatCompletion, ChatCompletionChunk

__all__ = [
    "MODEL_PROVIDER",
    "build_chat_params",
    "build_params",
    "combine_stop",
    "convert_chunk_to_generation_chunk",
    "convert_dict_to_message",
    "create_chat_result",
    "create_usage_metadata",
    "parse_tool_call",
    "text_generation_chunk",
]

MODEL_PROVIDER = "friendli"
_MESSAGE_KEYS = {"role", "content", "tool_calls", "name"}
_RESPONSE_SKIP = {"choices", "usage", "object", "model"}
_CHOICE_SKIP = {"index", "message", "delta", "finish_reason", "logprobs"}


# --------------------------------------------------------------------------- responses -> messages


def parse_tool_call(raw: Mapping[str, Any]) -> ToolCall | InvalidToolCall:
    """Parse a Friendli tool call; arguments that are not a JSON object give an invalid call."""
    function = raw.get("function") or {}
    name = function.get("name")
    arguments = function.get("arguments") or ""
    try:
        args = json.loads(arguments) if arguments.strip() else {}
    except ValueError as exc:
        error = f"Function {name} arguments are not valid JSON: {exc}"
        return invalid_tool_call(name=name, args=arguments, id=raw.get("id"), error=error)
    if not isinstance(args, dict):
        error = f"Function {name} arguments are not a JSON object: {arguments[:100]!r}"
        return invalid_tool_call(name=name, args=arguments, id=raw.get("id"), error=error)
    return tool_call(name=name or "", args=args, id=raw.get("id"))


def convert_dict_to_message(message: Mapping[str, Any]) -> AIMessage:
    """Convert a Friendli assistant message dict to an `AIMessage`.

    `reasoning_content` and every field without a LangChain counterpart go to
    `additional_kwargs`; malformed tool-call arguments become `invalid_tool_calls`.
    """
    tool_calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for raw in message.get("tool_calls") or []:
        parsed = parse_tool_call(raw)
        (invalid if parsed.get("type") == "invalid_tool_call" else tool_calls).append(parsed)  # type: ignore[arg-type]
    # Only non-empty arguments are passed: each one costs validation in AIMessage.
    fields: dict[str, Any] = {}
    if tool_calls:
        fields["tool_calls"] = tool_calls
    if invalid:
        fields["invalid_tool_calls"] = invalid
    if extra := {k: v for k, v in message.items() if k not in _MESSAGE_KEYS and v is not None}:
        fields["additional_kwargs"] = extra
    if (name := message.get("name")) is not None:
        fields["name"] = name
    return AIMessage(
        content=message.get("content") or "",
        response_metadata={"model_provider": MODEL_PROVIDER},
        **fields,
    )


def create_usage_metadata(usage: Mapping[str, Any]) -> UsageMetadata:
    """Convert Friendli `usage` to LangChain `UsageMetadata` (cached tokens as cache_read)."""
    input_tokens = usage.get("prompt_tokens") or 0
    output_tokens = usage.get("completion_tokens") or 0
    result = UsageMetadata(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=usage.get("total_tokens") or input_tokens + output_tokens,
    )
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
    if cached is not None:
        result["input_token_details"] = InputTokenDetails(cache_read=cached)
    reasoning = (usage.get("completion_tokens_details") or {}).get("reasoning_tokens")
    if reasoning is not None:
        result["output_token_details"] = OutputTokenDetails(reasoning=reasoning)
    return result


def _response_metadata(data: Mapping[str, Any], model: str | None) -> dict[str, Any]:
    meta = {k: v for k, v in data.items() if k not in _RESPONSE_SKIP}
    meta["model_name"] = data.get("model") or model
    meta["model_provider"] = MODEL_PROVIDER
    return {k: v for k, v in meta.items() if v is not None}


def _generation_info(choice: Mapping[str, Any]) -> dict[str, Any]:
    info = {k: v for k, v in choice.items() if k not in _CHOICE_SKIP}
    if choice.get("finish_reason") is not None:
        info["finish_reason"] = choice["finish_reason"]
    if choice.get("logprobs") is not None:
        info["logprobs"] = choice["logprobs"]
    return info


def create_chat_result(response: ChatCompletion, model: str | None = None) -> ChatResult:
    """Convert a chat completion to a `ChatResult`, one generation per choice.

    Args:
        response: The parsed Friendli response.
        model: The requested model, used as `model_name` when the response names none.
    """
    data = response.model_dump(exclude_none=True)
    usage = create_usage_metadata(data["usage"]) if "usage" in data else None
    meta = _response_metadata(data, model)
    generations = []
    for choice in data.get("choices", []):
        message = convert_dict_to_message(choice.get("message", {}))
        message.usage_metadata = usage
        message.response_metadata = dict(meta)
        generations.append(
            ChatGeneration(message=message, generation_info=_generation_info(choice))
        )
    llm_output = {"token_usage": data.get("usage", {}), "model_name": meta.get("model_name")}
    return ChatResult(generations=generations, llm_output=llm_output)


def _delta_to_message_chunk(delta: Mapping[str, Any]) -> AIMessageChunk:
    # Only non-empty arguments are passed: each one costs validation in AIMessageChunk.
    fields: dict[str, Any] = {}
    if raw_calls := delta.get("tool_calls"):
        fields["tool_call_chunks"] = [
            tool_call_chunk(
                name=(frag.get("function") or {}).get("name"),
                args=(frag.get("function") or {}).get("arguments"),
                id=frag.get("id"),
                index=frag.get("index", 0),
            )
            for frag in raw_calls
        ]
    if extra := {k: v for k, v in delta.items() if k not in _MESSAGE_KEYS and v is not None}:
        fields["additional_kwargs"] = extra
    if (name := delta.get("name")) is not None:
        fields["name"] = name
    return AIMessageChunk(content=delta.get("content") or "", **fields)


def convert_chunk_to_generation_chunk(
    chunk: ChatCompletionChunk, model: str | None = None
) -> ChatGenerationChunk | None:
    """Convert one stream chunk (of a single-choice stream) to a `ChatGenerationChunk`.

    The usage chunk carries `usage_metadata`; the chunk with the finish_reason carries the
    response metadata (model_name, id, model_provider, ...), so each appears once in the sum of
    the chunks. Returns None for a chunk that carries nothing.

    Args:
        chunk: The parsed stream chunk.
        model: The requested model, used as `model_name` when the chunk names none.
    """
    # Fast path, taken by almost every chunk of a stream: a text (or reasoning) delta and
    # nothing else. It reads the typed chunk directly; whatever else a chunk may carry (tool
    # calls, finish_reason, logprobs, usage, fields unknown to the types) takes the general
    # path below, which converts the whole dump so that nothing is dropped. Chunk-level fields
    # (id, model, created, extras) are only reported with the finish_reason, so they do not
    # matter here.
    choices = chunk.choices
    if choices and chunk.usage is None:
        choice = choices[0]
        delta = choice.delta
        if (
            choice.finish_reason is None
            and choice.logprobs is None
            and delta.tool_calls is None
            and not choice.model_extra
            and not delta.model_extra
        ):
            return text_generation_chunk(delta.content or "", delta.reasoning_content)
    return _convert_chunk_dump(chunk.model_dump(exclude_none=True), model)


# The shapes of a plain text (or reasoning) delta, validated once; `text_generation_chunk`
# copies them rather than validating two models per token (see friendli_core._upstream_hooks;
# each copy gets its own containers). tests/langchain/unit_tests/test_convert.py checks the
# copies equal validation. Like the rest of the response metadata, `model_provider` is only on
# the finish_reason chunk (langchain-openai puts it on every chunk: langchain-core's `stream()`
# keeps every chunk, so that is memory per token, and no block translator is registered for
# "friendli" that a single chunk would need it for).
_TEXT_MESSAGE = Prototype(AIMessageChunk(content=""), replace={"content"})
_REASONING_MESSAGE = Prototype(
    AIMessageChunk(content="", additional_kwargs={"reasoning_content": ""}),
    replace={"content", "additional_kwargs"},
)
_GENERATION = Prototype(
    ChatGenerationChunk(message=AIMessageChunk(content="")), replace={"message", "text"}
)


def text_generation_chunk(content: str, reasoning: str | None = None) -> ChatGenerationChunk:
    """The chunk of a text delta (with its reasoning text, if any), built without validation.

    Equal to `ChatGenerationChunk(message=AIMessageChunk(content=..., [additional_kwargs=...]))`,
    fields-set included.
    """
    if reasoning is None:
        message = _TEXT_MESSAGE.make(content=content)
    else:
        message = _REASONING_MESSAGE.make(
            content=content, additional_kwargs={"reasoning_content": reasoning}
        )
    return _GENERATION.make(message=message, text=message.text)


def _convert_chunk_dump(data: Mapping[str, Any], model: str | None) -> ChatGenerationChunk | None:
    """The general path of `convert_chunk_to_generation_chunk`, on the chunk's dump."""
    choices = data.get("choices") or []
    if not choices and "usage" not in data:
        return None
    choice = choices[0] if choices else {}
    message = _delta_to_message_chunk(choice.get("delta") or {})
    if "usage" in data:
        message.usage_metadata = create_usage_metadata(data["usage"])
    info = _generation_info(choice)
    if choice.get("finish_reason") is not None:
        info.update(_response_metadata(data, model))
    return ChatGenerationChunk(message=message, generation_info=info or None)


# --------------------------------------------------------------------------- parameters


def combine_stop(*stops: Sequence[str] | str | None) -> list[str] | None:
    """Union of stop sequences, in order, without duplicates; None when there are none."""
    combined: list[str] = []
    for stop in stops:
        if stop is not None and not isinstance(stop, str | list | tuple):
            msg = f"stop must be a string or a list of strings; got {type(stop).__name__}."
            raise InvalidRequestError(msg)
        for item in [stop] if isinstance(stop, str) else stop or ():
            if item not in combined:
                combined.append(item)
    return combined or None


def build_params(
    defaults: Mapping[str, Any],
    stop: Sequence[str] | None,
    kwargs: Mapping[str, Any],
    body: Mapping[str, Any],
    *,
    stream: bool,
    stream_usage: bool,
) -> dict[str, Any]:
    """The keyword arguments of a core call (`chat`, `stream_chat`, `completions`, ...).

    Per-call `kwargs` override the instance `defaults`; stop sequences of both are combined;
    `extra_body` dicts are merged; `stream_usage` (per call or instance) asks for the usage
    chunk; `body` (messages or prompt) is added. LangChain-only arguments (`stream`) are
    dropped. The core decides the rest once: None values are left out (the server defaults
    apply), and `stream_options` is refused on a call that does not stream.

    Raises:
        InvalidRequestError: `n > 1` with streaming (the chunks of several choices cannot form
            one message).
    """
    call = dict(kwargs)
    call.pop("stream", None)
    include_usage = call.pop("stream_usage", stream_usage)
    params = {**defaults, **{k: v for k, v in call.items() if k != "extra_body"}, **body}
    params["stop"] = combine_stop(defaults.get("stop"), stop, call.get("stop"))
    extra = {**(defaults.get("extra_body") or {}), **(call.get("extra_body") or {})}
    params["extra_body"] = extra or None
    if stream:
        params.setdefault("stream_options", {"include_usage": bool(include_usage)})
        n = params.get("n")
        if isinstance(n, int) and n > 1:
            msg = "n > 1 is not supported when streaming; call invoke/generate for n samples."
            raise InvalidRequestError(msg)
    return params


def build_chat_params(
    defaults: Mapping[str, Any],
    messages: Sequence[BaseMessage],
    stop: Sequence[str] | None,
    kwargs: Mapping[str, Any],
    *,
    stream: bool,
    stream_usage: bool,
) -> dict[str, Any]:
    """The keyword arguments of a core `chat`/`stream_chat` call (see `build_params`).

    Raises:
        InvalidRequestError: A message Friendli cannot take, or `n > 1` with streaming.
    """
    body = {"messages": convert_messages(messages)}
    return build_params(defaults, stop, kwargs, body, stream=stream, stream_usage=stream_usage)
