"""Typed request parameters and response models.

Response models are pydantic models with `extra="allow"`: unknown fields the server adds
(`timings`, `system_fingerprint`, future fields) are kept, and only the fields we read are
typed. Fields the spec marks required but that OpenAI-compatible or older servers omit (`id`,
`model`, `created`) are optional here, so that parsing never fails on them.

Request parameters are `TypedDict`s that document every field of the spec's request bodies,
and OpenAI's fields that only endpoint="openai-compatible" takes, for type checkers; the fields
themselves are declared in `friendli_core._fields` (a test checks these agree with it), and
values are validated from there before anything is sent.
"""

from __future__ import annotations

from itertools import accumulate
from typing import Any, TypedDict

from pydantic import BaseModel, ConfigDict, model_validator

from friendli_core._fields import (
    MessageParam,
    ReasoningEffort,
    ResponseFormatParam,
    StreamOptionsParam,
    TokenSequence,
    ToolChoiceParam,
    ToolParam,
)

__all__ = [
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionParams",
    "ChatLogprobs",
    "ChatMessage",
    "Choice",
    "ChoiceDelta",
    "ChunkChoice",
    "Completion",
    "CompletionChoice",
    "CompletionChunk",
    "CompletionChunkChoice",
    "CompletionLogprobs",
    "CompletionParams",
    "FunctionCall",
    "FunctionCallDelta",
    "LogprobContent",
    "MessageParam",
    "PromptTokensDetails",
    "ReasoningEffort",
    "ResponseFormatParam",
    "StreamOptionsParam",
    "TokenSequence",
    "ToolCall",
    "ToolCallDelta",
    "ToolChoiceParam",
    "ToolParam",
    "TopLogprob",
    "Usage",
]


class _Model(BaseModel):
    # defer_build: validators are built on first use, not at import
    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


# --------------------------------------------------------------------------- responses: shared


class Usage(_Model):
    """Token counts of a request."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: PromptTokensDetails | None = None


class PromptTokensDetails(_Model):
    """Details of the prompt tokens (cached tokens)."""

    cached_tokens: int | None = None


class TopLogprob(_Model):
    """One alternative token at a position."""

    token: str
    logprob: float
    bytes: list[int] | None = None


class LogprobContent(_Model):
    """Log probability of one sampled token, with the top alternatives."""

    token: str
    logprob: float
    bytes: list[int] | None = None
    top_logprobs: list[TopLogprob] = []


class ChatLogprobs(_Model):
    """Chat logprobs in the spec's `{"content": [...]}` shape."""

    content: list[LogprobContent] | None = None


# --------------------------------------------------------------------------- chat responses


class FunctionCall(_Model):
    """The function a tool call invokes; `arguments` is a JSON string (possibly invalid)."""

    name: str
    arguments: str = ""


class ToolCall(_Model):
    """A complete tool call in a response message."""

    id: str
    type: str = "function"
    function: FunctionCall


class ChatMessage(_Model):
    """The assistant message of a choice."""

    role: str = "assistant"
    content: str | None = None
    tool_calls: list[ToolCall] | None = None
    reasoning_content: str | None = None


class Choice(_Model):
    """One generated choice."""

    index: int = 0
    message: ChatMessage
    finish_reason: str | None = None
    logprobs: ChatLogprobs | None = None


class ChatCompletion(_Model):
    """A non-streamed chat completion (or the fold of a stream)."""

    id: str | None = None
    object: str = "chat.completion"
    created: int | None = None
    model: str | None = None
    choices: list[Choice] = []
    usage: Usage | None = None


class FunctionCallDelta(_Model):
    """A fragment of a streamed function call."""

    name: str | None = None
    arguments: str | None = None


class ToolCallDelta(_Model):
    """A fragment of a streamed tool call; `id` and `name` come with the first fragment."""

    index: int = 0
    id: str | None = None
    type: str | None = None
    function: FunctionCallDelta | None = None


class ChoiceDelta(_Model):
    """The incremental part of a streamed message."""

    role: str | None = None
    content: str | None = None
    reasoning_content: str | None = None
    tool_calls: list[ToolCallDelta] | None = None


class ChunkChoice(_Model):
    """One choice of a stream chunk."""

    index: int = 0
    delta: ChoiceDelta = ChoiceDelta()
    finish_reason: str | None = None
    logprobs: ChatLogprobs | None = None


class ChatCompletionChunk(_Model):
    """One chunk of a streamed chat completion."""

    id: str | None = None
    object: str = "chat.completion.chunk"
    created: int | None = None
    model: str | None = None
    choices: list[ChunkChoice] = []
    usage: Usage | None = None


# --------------------------------------------------------------------------- completions


class CompletionLogprobs(_Model):
    """Completions logprobs, OpenAI-legacy shaped.

    Some OpenAI-compatible servers (llama.cpp) answer `/completions` with the chat shape
    `{"content": [{"token", "logprob", "top_logprobs": [...]}, ...]}`; it is converted to the
    legacy fields (the original list stays in `model_extra["content"]`), with `text_offset`
    counted from the start of the text this object came with.
    """

    tokens: list[str] = []
    token_logprobs: list[float | None] = []
    text_offset: list[int] = []
    top_logprobs: list[dict[str, float] | None] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_chat_shape(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "tokens" in data:
            return data
        content = data.get("content")
        if not isinstance(content, list) or not all(isinstance(e, dict) for e in content):
            return data
        tokens = [e.get("token") for e in content]
        offsets = accumulate((len(t) if isinstance(t, str) else 0 for t in tokens[:-1]), initial=0)
        return {
            **data,
            "tokens": tokens,
            "token_logprobs": [e.get("logprob") for e in content],
            "text_offset": list(offsets) if tokens else [],
            "top_logprobs": [
                {
                    t["token"]: t["logprob"]
                    for t in e.get("top_logprobs") or []
                    if isinstance(t, dict) and "token" in t and "logprob" in t
                }
                for e in content
            ],
        }


class CompletionChoice(_Model):
    """One choice of a text completion."""

    index: int = 0
    text: str = ""
    seed: int | None = None
    tokens: list[int] | None = None
    finish_reason: str | None = None
    logprobs: CompletionLogprobs | None = None


class Completion(_Model):
    """A non-streamed text completion (or the fold of a stream)."""

    id: str | None = None
    object: str = "text_completion"
    created: int | None = None
    model: str | None = None
    choices: list[CompletionChoice] = []
    usage: Usage | None = None


class CompletionChunkChoice(_Model):
    """One choice of a streamed completion chunk."""

    index: int = 0
    text: str = ""
    token: int | None = None
    finish_reason: str | None = None
    logprobs: CompletionLogprobs | None = None
    seed: int | None = None


class CompletionChunk(_Model):
    """One chunk of a streamed text completion (current format, or converted legacy events)."""

    id: str | None = None
    object: str = "text_completion"
    created: int | None = None
    model: str | None = None
    choices: list[CompletionChunkChoice] = []
    usage: Usage | None = None


# --------------------------------------------------------------------------- request parameters


class _SamplingParams(TypedDict, total=False):
    model: str
    eos_token: list[int]
    frequency_penalty: float
    presence_penalty: float
    repetition_penalty: float
    max_tokens: int
    min_tokens: int
    min_p: float
    n: int
    seed: int | list[int]
    stop: list[str]
    stream_options: StreamOptionsParam
    temperature: float
    top_k: int
    top_p: float
    xtc_threshold: float
    xtc_probability: float
    response_format: ResponseFormatParam
    extra_body: dict[str, Any]
    """Fields merged into the body as they are (for fields the spec adds later)."""


class ChatCompletionParams(_SamplingParams, total=False):
    """Every field of the chat-completions body (`stream` is set by the method called)."""

    messages: list[MessageParam]
    chat_template_kwargs: dict[str, Any]
    logit_bias: dict[str, float]
    logprobs: bool
    top_logprobs: int
    parallel_tool_calls: bool
    reasoning_effort: ReasoningEffort
    reasoning_budget: int
    parse_reasoning: bool
    include_reasoning: bool
    tool_choice: ToolChoiceParam
    tools: list[ToolParam]
    # OpenAI's fields, taken by endpoint="openai-compatible" only
    user: str
    max_completion_tokens: int
    metadata: dict[str, str]
    store: bool
    service_tier: str
    modalities: list[str]
    audio: dict[str, Any]
    prediction: dict[str, Any]
    verbosity: str
    web_search_options: dict[str, Any]
    prompt_cache_key: str
    prompt_cache_options: dict[str, Any]
    prompt_cache_retention: str
    safety_identifier: str
    moderation: dict[str, Any]
    functions: list[dict[str, Any]]
    function_call: str | dict[str, Any]


class CompletionParams(_SamplingParams, total=False):
    """Every field of the completions body: exactly one of `prompt` or `tokens`."""

    prompt: str | list[str]
    tokens: list[int]
    logprobs: int
    max_total_tokens: int
    min_total_tokens: int
    bad_words: list[str]
    bad_word_tokens: list[TokenSequence]
    stop_tokens: list[TokenSequence]
    no_repeat_ngram: int
    encoder_no_repeat_ngram: int
    encoder_repetition_penalty: float
    forced_output_tokens: list[int]
    token_index_to_replace: list[int]
    embedding_to_replace: list[float]
    # OpenAI's fields, taken by endpoint="openai-compatible" only
    user: str
    logit_bias: dict[str, float]
    suffix: str
    echo: bool
    best_of: int


Usage.model_rebuild()
