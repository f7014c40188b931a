"""Pure conversions for the completions endpoint (`Friendli`, a LangChain `BaseLLM`).

Parameters in, `Completion`/`CompletionChunk` out: each choice becomes a `Generation` whose
`generation_info` carries finish_reason, logprobs (the API's `{tokens, token_logprobs,
text_offset, top_logprobs}`), seed, generated token IDs and any other field the API returns;
usage is summed into `llm_output["token_usage"]`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.outputs import Generation, GenerationChunk, LLMResult

from langchain_friendli._convert import build_params

if TYPE_CHECKING:
    from friendli_core import Completion, CompletionChunk

__all__ = [
    "build_completion_params",
    "convert_completion_chunk",
    "create_generations",
    "create_llm_result",
    "result_from_chunks",
    "sum_usage",
]

_CHOICE_SKIP = {"index", "text", "token"}
_USAGE_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens")


def build_completion_params(
    defaults: Mapping[str, Any],
    prompt: str,
    stop: Sequence[str] | None,
    kwargs: Mapping[str, Any],
    *,
    stream: bool,
    stream_usage: bool,
) -> dict[str, Any]:
    """The keyword arguments of a core `completions`/`stream_completions` call.

    Raises:
        InvalidRequestError: `n > 1` with streaming.
    """
    body = {"prompt": prompt}
    return build_params(defaults, stop, kwargs, body, stream=stream, stream_usage=stream_usage)


def create_generations(response: Completion) -> list[Generation]:
    """One `Generation` per choice, with everything but the text in `generation_info`."""
    data = response.model_dump(exclude_none=True)
    generations = []
    for choice in data.get("choices", []):
        info = {k: v for k, v in choice.items() if k not in _CHOICE_SKIP}
        generations.append(Generation(text=choice.get("text", ""), generation_info=info))
    return generations


def sum_usage(usages: Sequence[Mapping[str, Any] | None]) -> dict[str, int]:
    """Add up token usage dicts (prompt, completion, total)."""
    total = dict.fromkeys(_USAGE_KEYS, 0)
    for usage in usages:
        for key in _USAGE_KEYS:
            total[key] += int((usage or {}).get(key) or 0)
    return total


def create_llm_result(responses: Sequence[Completion], model: str | None) -> LLMResult:
    """An `LLMResult` for one response per prompt; usage summed, model name and ids kept."""
    usages = [r.usage.model_dump(exclude_none=True) if r.usage else None for r in responses]
    model_name = next((r.model for r in responses if r.model), model)
    llm_output: dict[str, Any] = {"token_usage": sum_usage(usages), "model_name": model_name}
    if ids := [r.id for r in responses if r.id]:
        llm_output["ids"] = ids
    return LLMResult(generations=[create_generations(r) for r in responses], llm_output=llm_output)


def convert_completion_chunk(
    chunk: CompletionChunk, model: str | None = None
) -> GenerationChunk | None:
    """Convert one completions stream chunk (single choice) to a `GenerationChunk`.

    Token IDs are collected as `generation_info["tokens"]` (a list, so chunks add up); the
    finish chunk carries finish_reason, seed, model_name and id; the usage chunk carries
    `token_usage`. Returns None for a chunk that carries nothing.
    """
    data = chunk.model_dump(exclude_none=True)
    choices = data.get("choices") or []
    if not choices and "usage" not in data:
        return None
    choice = choices[0] if choices else {}
    info: dict[str, Any] = {k: v for k, v in choice.items() if k not in _CHOICE_SKIP}
    if "token" in choice:
        info["tokens"] = [choice["token"]]
    if choice.get("finish_reason") is not None:
        info.update(model_name=data.get("model") or model, id=data.get("id"))
    if "usage" in data:
        info["token_usage"] = sum_usage([data["usage"]])
    info = {k: v for k, v in info.items() if v is not None}
    return GenerationChunk(text=choice.get("text", ""), generation_info=info or None)


def result_from_chunks(streams: list[list[GenerationChunk]], model: str | None) -> LLMResult:
    """Fold the chunks of one stream per prompt into an `LLMResult` (usage summed)."""
    generations = []
    usages = []
    for chunks in streams:
        total = GenerationChunk(text="")
        for chunk in chunks:
            total += chunk
        info = dict(total.generation_info or {})
        usages.append(info.pop("token_usage", None))
        model = info.get("model_name") or model
        generations.append([GenerationChunk(text=total.text, generation_info=info or None)])
    llm_output = {"token_usage": sum_usage(usages), "model_name": model}
    return LLMResult(generations=generations, llm_output=llm_output)
