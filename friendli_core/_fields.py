"""The request-body fields of the chat, completions and embeddings APIs, declared once (pure).

`BODY_FIELDS` is the one description of every field of the spec's chat-completions, completions
and embeddings request bodies, and of OpenAI's: its Python type, the allowed range, which API
takes it, which endpoint kinds take it, and whether the LangChain and LlamaIndex adapters expose
it as a model-level field. Friendli's fields are taken by every endpoint kind; OpenAI's fields
that Friendli's spec lacks (`user`, `suffix`, `echo`, `best_of`, `metadata`, `store`, ...) only
by "openai-compatible", so that kind takes the union of both. OpenAI's names come from the
`openai` SDK's request TypedDicts, vendored with their version in `_data/openai_fields.json`
(`scripts/refresh_openai_fields.py`); a test keeps the table and that list in step. Everything
else is derived from the table:

- `_validate` builds its per-field checks and error texts from the types and ranges, per endpoint
  kind;
- `types.ChatCompletionParams` / `CompletionParams` / `EmbeddingsParams` are checked against it
  by a test;
- the adapters' field declarations (`langchain_friendli/_fields.py`,
  `llama_index_friendli/_fields.py`) are generated from it by `scripts/gen_fields.py`, and a
  test fails when they are stale, when a spec field has no entry, or when an adapter declares a
  body field that is not here.

Adding a field to the API means adding one `BodyField` here and regenerating.

`SWITCHES` declares the adapters' model-level switches that are not body fields themselves but
set one chat-template variable (`chat_template_kwargs`): their name in each adapter and their
doc, generated into the adapters' field modules next to the body fields.
"""

# No `from __future__ import annotations`: the TypedDicts' annotations are read at runtime.

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias, TypedDict, get_args

from friendli_core.config import Endpoint

__all__ = [
    "ADAPTER_API",
    "APIS",
    "BODY_FIELDS",
    "ENCODING_FORMATS",
    "ENDPOINTS",
    "METHOD_FIELDS",
    "REASONING_EFFORTS",
    "SWITCHES",
    "THINKING_VARIABLE",
    "Adapter",
    "Api",
    "BodyField",
    "EncodingFormat",
    "MessageParam",
    "ReasoningEffort",
    "ResponseFormatParam",
    "StreamOptionsParam",
    "TemplateSwitch",
    "TokenSequence",
    "ToolChoiceParam",
    "ToolParam",
    "adapter_fields",
    "adapter_switches",
    "api_fields",
]

Api: TypeAlias = Literal["chat", "completions", "embeddings"]
"""The APIs with a request body: `/chat/completions`, `/completions` and `/embeddings`."""
APIS: tuple[Api, ...] = get_args(Api)
ENDPOINTS: tuple[Endpoint, ...] = get_args(Endpoint)
_OPENAI: tuple[Endpoint, ...] = ("openai-compatible",)

EncodingFormat: TypeAlias = Literal["float", "base64"]
"""How an embeddings reply encodes its vectors (either way the client returns floats)."""
ENCODING_FORMATS: tuple[EncodingFormat, ...] = get_args(EncodingFormat)

ReasoningEffort: TypeAlias = Literal[
    "minimal", "low", "medium", "high", "xhigh", "max", "ultracode"
]
"""How much a reasoning model reasons; which values a model takes depends on the model."""
REASONING_EFFORTS: tuple[ReasoningEffort, ...] = get_args(ReasoningEffort)

Adapter: TypeAlias = Literal["ChatFriendli", "Friendli", "FriendliLLM"]
ADAPTER_API: Mapping[Adapter, Api] = {
    "ChatFriendli": "chat",
    "Friendli": "completions",
    # Chat first: with is_chat_model=False its fields common to both APIs go to /completions.
    "FriendliLLM": "chat",
}
"""The API whose model-level fields each adapter exposes."""

MessageParam: TypeAlias = dict[str, Any]
"""A message dict: `{"role": "system"|"user"|"assistant"|"tool", "content": ..., ...}`."""


class _FunctionParam(TypedDict, total=False):
    name: str
    description: str | None
    parameters: dict[str, Any]


class ToolParam(TypedDict):
    """A function tool: `{"type": "function", "function": {"name", "parameters", ...}}`."""

    type: Literal["function"]
    function: _FunctionParam


class _ToolChoiceFunction(TypedDict):
    name: str


class _ToolChoiceObject(TypedDict):
    type: Literal["function"]
    function: _ToolChoiceFunction


ToolChoiceParam: TypeAlias = Literal["none", "auto", "required"] | _ToolChoiceObject


class StreamOptionsParam(TypedDict, total=False):
    """Stream options; only valid with `stream=True`."""

    include_usage: bool | None


ResponseFormatParam: TypeAlias = dict[str, Any]
"""One of `{"type": "text"}`, `{"type": "json_object"}`, `{"type": "regex", "schema": "..."}`,
`{"type": "json_schema", "json_schema": {"schema": {...}}}`."""


class TokenSequence(TypedDict):
    """A sequence of token IDs, as the completions body takes them: `{"tokens": [...]}`."""

    tokens: list[int]


@dataclass(frozen=True, slots=True)
class BodyField:
    """One field of a request body.

    Attributes:
        name: The JSON key.
        type: The Python type of a value (None, meaning "unset", is always allowed).
        apis: The APIs whose body takes the field.
        endpoints: The endpoint kinds that take it: all for Friendli's fields, only
            "openai-compatible" for OpenAI's fields that Friendli's spec lacks.
        doc: One sentence for users; the adapters' field docs are made from it.
        ge, gt, le: Inclusive/exclusive bounds of a number.
        nonempty: A list value must not be empty.
        shallow: Only the outer shape is checked with the field: `_validate` checks the inside
            with messages that name the exact element (messages, tools, tool_choice, formats).
        per_call: Why the adapters take it per call only ("" = a model-level field).
        own: Why each adapter declares it itself instead of using the generated field.
        not_in: Adapters that leave it out, each with the reason.
    """

    name: str
    type: Any
    apis: tuple[Api, ...]
    doc: str
    endpoints: tuple[Endpoint, ...] = ENDPOINTS
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    nonempty: bool = False
    shallow: bool = False
    per_call: str = ""
    own: str = ""
    not_in: Mapping[Adapter, str] = field(default_factory=dict)


_BOTH: tuple[Api, ...] = ("chat", "completions")
_CHAT: tuple[Api, ...] = ("chat",)
_COMPLETIONS: tuple[Api, ...] = ("completions",)
_EMBEDDINGS: tuple[Api, ...] = ("embeddings",)
_ALL_APIS: tuple[Api, ...] = (*_BOTH, "embeddings")
_INPUT = "The input of every call."
_TOOLS_PER_CALL = "Given per call: bind_tools (LangChain) or chat_with_tools (LlamaIndex)."

_FRIENDLI_FIELDS: tuple[BodyField, ...] = (
    # ------------------------------------------------------------------ both APIs
    BodyField(
        "model",
        str,
        _ALL_APIS,
        "Model code (serverless), endpoint ID (dedicated) or adapter route (container).",
        own="Each adapter declares it with its framework's aliases and its own check.",
    ),
    BodyField("temperature", float, _BOTH, "Sampling temperature; higher is more random.", ge=0),
    BodyField("max_tokens", int, _BOTH, "Maximum number of tokens to generate.", ge=1),
    BodyField(
        "min_tokens",
        int,
        _BOTH,
        "Minimum number of tokens to generate (not with tools or response_format).",
        ge=0,
    ),
    BodyField(
        "top_p",
        float,
        _BOTH,
        "Nucleus sampling: keep the fewest tokens whose probabilities sum to top_p.",
        gt=0,
        le=1,
    ),
    BodyField("top_k", int, _BOTH, "Keep only the k most likely tokens (0 disables).", ge=0),
    BodyField(
        "min_p",
        float,
        _BOTH,
        "Drop tokens less likely than min_p times the most likely one.",
        ge=0.0,
        le=1.0,
    ),
    BodyField(
        "frequency_penalty",
        float,
        _BOTH,
        "Penalise tokens by how often they appeared so far.",
        ge=-2.0,
        le=2.0,
    ),
    BodyField(
        "presence_penalty",
        float,
        _BOTH,
        "Penalise tokens that appeared at all so far.",
        ge=-2.0,
        le=2.0,
    ),
    BodyField(
        "repetition_penalty",
        float,
        _BOTH,
        "Multiplicative penalty on repeated tokens (1.0 means none).",
        gt=0.0,
    ),
    BodyField("stop", list[str], _BOTH, "Stop sequences; they are excluded from the output."),
    BodyField(
        "seed",
        int | list[int],
        _BOTH,
        "Random seed, or one seed per sample when n > 1.",
        nonempty=True,
    ),
    BodyField(
        "n",
        int,
        _BOTH,
        "Number of independent samples to generate.",
        ge=1,
        not_in={"FriendliLLM": "A LlamaIndex call returns one response; the others would be lost."},
    ),
    BodyField("eos_token", list[int], _BOTH, "Extra end-of-sequence token IDs."),
    BodyField("xtc_threshold", float, _BOTH, "XTC sampling threshold.", ge=0.0, le=1.0),
    BodyField("xtc_probability", float, _BOTH, "XTC sampling probability.", ge=0.0, le=1.0),
    BodyField(
        "stream_options",
        StreamOptionsParam,
        _BOTH,
        "Stream options, e.g. whether to send the usage at the end of a stream.",
        per_call="Set from the adapters' stream_usage setting when streaming.",
    ),
    BodyField(
        "response_format",
        ResponseFormatParam,
        _BOTH,
        'Constrain every output, e.g. {"type": "regex", "schema": "(yes|no)"}; '
        "structured-output calls set their own.",
        shallow=True,
    ),
    # ------------------------------------------------------------------ chat only
    BodyField(
        "messages",
        list[MessageParam],
        _CHAT,
        "The conversation so far.",
        shallow=True,
        per_call="The input of every call.",
    ),
    BodyField(
        "logit_bias", dict[str, float], _CHAT, "Token ID (as a string) to a bias on its logit."
    ),
    BodyField(
        "chat_template_kwargs",
        dict[str, Any],
        _CHAT,
        'Extra variables for the chat template, e.g. {"enable_thinking": True}.',
    ),
    BodyField("logprobs", bool, _CHAT, "Return the log probability of each output token."),
    BodyField(
        "top_logprobs",
        int,
        _CHAT,
        "Number of most likely alternatives per position (needs logprobs=True).",
        ge=0,
        le=20,
    ),
    BodyField(
        "parallel_tool_calls",
        bool,
        _CHAT,
        "Allow several tool calls in one assistant turn (server default: True).",
        not_in={"FriendliLLM": "Set per call: chat_with_tools(allow_parallel_tool_calls=...)."},
    ),
    BodyField(
        "reasoning_effort",
        ReasoningEffort,
        _CHAT,
        "Reasoning effort of reasoning models; the values allowed depend on the model.",
    ),
    BodyField("reasoning_budget", int, _CHAT, "Token cap on reasoning.", ge=1),
    BodyField(
        "parse_reasoning",
        bool,
        _CHAT,
        "Return the reasoning apart from the answer (reasoning_content).",
    ),
    BodyField(
        "include_reasoning",
        bool,
        _CHAT,
        "With parse_reasoning, whether to return the reasoning at all.",
    ),
    BodyField(
        "tool_choice",
        ToolChoiceParam,
        _CHAT,
        "Whether and which tool the model must call.",
        shallow=True,
        per_call=_TOOLS_PER_CALL,
    ),
    BodyField(
        "tools",
        list[ToolParam],
        _CHAT,
        "The tools the model may call.",
        shallow=True,
        per_call=_TOOLS_PER_CALL,
    ),
    # ------------------------------------------------------------------ completions only
    BodyField(
        "prompt",
        str | list[str],
        _COMPLETIONS,
        "The text to complete.",
        nonempty=True,
        per_call="The input of every call.",
    ),
    BodyField(
        "tokens",
        list[int],
        _COMPLETIONS,
        "The token IDs to complete (instead of prompt).",
        per_call="The input of a call, instead of a prompt.",
    ),
    BodyField(
        "logprobs",
        int,
        _COMPLETIONS,
        "Number of most likely alternatives to return per position.",
        ge=0,
        le=20,
    ),
    BodyField(
        "max_total_tokens",
        int,
        _COMPLETIONS,
        "Maximum prompt plus output tokens (instead of max_tokens).",
        ge=1,
    ),
    BodyField(
        "min_total_tokens",
        int,
        _COMPLETIONS,
        "Minimum prompt plus output tokens (instead of min_tokens).",
        ge=0,
    ),
    BodyField("bad_words", list[str], _COMPLETIONS, "Words that must not be generated."),
    BodyField(
        "bad_word_tokens",
        list[TokenSequence],
        _COMPLETIONS,
        'Token sequences that must not be generated, as [{"tokens": [...]}].',
    ),
    BodyField(
        "stop_tokens",
        list[TokenSequence],
        _COMPLETIONS,
        'Token sequences that stop generation, as [{"tokens": [...]}].',
    ),
    BodyField("no_repeat_ngram", int, _COMPLETIONS, "Forbid repeating n-grams of this size.", ge=1),
    BodyField(
        "encoder_no_repeat_ngram",
        int,
        _COMPLETIONS,
        "Forbid repeating encoder n-grams of this size (encoder-decoder models).",
        ge=1,
    ),
    BodyField(
        "encoder_repetition_penalty",
        float,
        _COMPLETIONS,
        "Repetition penalty against encoder tokens (encoder-decoder models).",
        gt=0.0,
    ),
    BodyField(
        "forced_output_tokens",
        list[int],
        _COMPLETIONS,
        "Token IDs to force as output (for scoring, together with logprobs).",
    ),
    BodyField(
        "token_index_to_replace",
        list[int],
        _COMPLETIONS,
        "Prompt token positions whose embeddings are replaced by embedding_to_replace.",
    ),
    BodyField(
        "embedding_to_replace",
        list[float],
        _COMPLETIONS,
        "Embedding values for the positions in token_index_to_replace.",
    ),
    # ------------------------------------------------------------------ embeddings
    BodyField("input", str | list[str], _EMBEDDINGS, "The texts to embed.", per_call=_INPUT),
    BodyField("tokens", list[int], _EMBEDDINGS, "Token IDs to embed instead.", per_call=_INPUT),
    BodyField("encoding_format", EncodingFormat, _EMBEDDINGS, "How vectors are encoded."),
)


def _openai(
    name: str, tp: Any, apis: tuple[Api, ...], doc: str, ge: float | None = None
) -> BodyField:
    return BodyField(name, tp, apis, doc, endpoints=_OPENAI, ge=ge)


# OpenAI's fields that Friendli's spec lacks, for "openai-compatible" only (names: the SDK's)
_OPENAI_FIELDS: tuple[BodyField, ...] = (
    _openai("user", str, _ALL_APIS, "An identifier of the end user, for abuse monitoring."),
    _openai("logit_bias", dict[str, float], _COMPLETIONS, "Token ID (as a string) to a bias."),
    _openai("suffix", str, _COMPLETIONS, "Text that follows the completion."),
    _openai("echo", bool, _COMPLETIONS, "Return the prompt before the completion."),
    _openai("best_of", int, _COMPLETIONS, "Candidates generated to return the best n.", ge=1),
    _openai("max_completion_tokens", int, _CHAT, "Token cap, reasoning included.", ge=1),
    _openai("metadata", dict[str, str], _CHAT, "Key-value pairs stored with the completion."),
    _openai("store", bool, _CHAT, "Whether the server stores the completion."),
    _openai("service_tier", str, _CHAT, "The processing tier to serve the request."),
    _openai("modalities", list[str], _CHAT, 'Output types, e.g. ["text", "audio"].'),
    _openai("audio", dict[str, Any], _CHAT, "Audio output settings (voice, format)."),
    _openai("prediction", dict[str, Any], _CHAT, "Predicted output, to speed up regeneration."),
    _openai("verbosity", str, _CHAT, "How verbose the answer should be."),
    _openai("web_search_options", dict[str, Any], _CHAT, "Web search settings."),
    _openai("prompt_cache_key", str, _CHAT, "A key grouping requests with a shared prefix."),
    _openai("prompt_cache_options", dict[str, Any], _CHAT, "Prompt caching settings."),
    _openai("prompt_cache_retention", str, _CHAT, "How long a cached prefix is kept."),
    _openai("safety_identifier", str, _CHAT, "A stable end-user identifier, for safety."),
    _openai("moderation", dict[str, Any], _CHAT, "Moderation of the request and the output."),
    _openai("functions", list[dict[str, Any]], _CHAT, "OpenAI's older form of tools."),
    _openai("function_call", str | dict[str, Any], _CHAT, "OpenAI's older tool_choice."),
    _openai("dimensions", int, _EMBEDDINGS, "Dimensions of the vectors (if shortenable).", ge=1),
)

BODY_FIELDS: tuple[BodyField, ...] = _FRIENDLI_FIELDS + _OPENAI_FIELDS
"""Every field: Friendli's spec's, then OpenAI's that it lacks."""

METHOD_FIELDS: Mapping[str, str] = {
    "stream": "Set by the method called: chat/completions, or stream_chat/stream_completions.",
}
"""Body fields of the spec that are not parameters, with the reason."""


def api_fields(api: Api, endpoint: Endpoint = "serverless") -> tuple[BodyField, ...]:
    """The fields of one API's body that an endpoint kind takes, in table order.

    The default, a Friendli endpoint, gives Friendli's fields (those of its spec).
    """
    return tuple(f for f in BODY_FIELDS if api in f.apis and endpoint in f.endpoints)


def adapter_fields(
    adapter: Adapter, *, apis: tuple[Api, ...] | None = None
) -> tuple[BodyField, ...]:
    """The generated model-level fields of an adapter (optionally only those of exactly `apis`).

    These are its API's fields that are neither per call, nor declared by the adapter itself,
    nor left out of that adapter.
    """
    return tuple(
        f
        for f in api_fields(ADAPTER_API[adapter])
        if not (f.per_call or f.own or adapter in f.not_in) and (apis is None or f.apis == apis)
    )


THINKING_VARIABLE = "enable_thinking"
"""The chat-template variable Friendli documents to turn a model's thinking on or off."""


@dataclass(frozen=True, slots=True)
class TemplateSwitch:
    """A model-level switch of the adapters that sets one chat-template variable.

    Attributes:
        variable: The key it sets in `chat_template_kwargs`.
        names: Its field name in each adapter that exposes it (the framework's convention).
        doc: One sentence for users; the adapters' field docs are made from it.
    """

    variable: str
    names: Mapping[Adapter, str]
    doc: str


SWITCHES: tuple[TemplateSwitch, ...] = (
    TemplateSwitch(
        THINKING_VARIABLE,
        {"ChatFriendli": "reasoning", "FriendliLLM": "thinking"},
        "Turn the model's thinking on (True) or off (False) with Friendli's chat-template "
        "switch chat_template_kwargs.enable_thinking, also per call; None keeps the model's "
        "default. Refused before sending for a model the catalog says does not reason.",
    ),
)


def adapter_switches(adapter: Adapter) -> tuple[tuple[str, TemplateSwitch], ...]:
    """The switches an adapter exposes, with their field name in it."""
    return tuple((s.names[adapter], s) for s in SWITCHES if adapter in s.names)
