# Written by hand; tests/adapters/test_field_coverage.py checks them against friendli_core._fields.
"""Model-level request-body fields of `ChatFriendli` and `Friendli`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from friendli_core import ReasoningEffort

__all__ = ["ChatFields", "ChatSwitches", "CompletionFields", "SharedFields"]

# Mixins of the models, which build the schema with their own config.
_CONFIG = ConfigDict(defer_build=True)


class SharedFields(BaseModel):
    """Fields of both the chat and the completions body."""

    model_config = _CONFIG

    temperature: float | None = None
    """Sampling temperature; higher is more random: a number >= 0."""
    max_tokens: int | None = None
    """Maximum number of tokens to generate: an integer >= 1."""
    min_tokens: int | None = None
    """Minimum number of tokens to generate (not with tools or response_format): an integer >= 0."""
    top_p: float | None = None
    """Nucleus sampling: keep the fewest tokens whose probabilities sum to top_p: a number in (0,
    1]."""
    top_k: int | None = None
    """Keep only the k most likely tokens (0 disables): an integer >= 0."""
    min_p: float | None = None
    """Drop tokens less likely than min_p times the most likely one: a number between 0.0 and
    1.0."""
    frequency_penalty: float | None = None
    """Penalise tokens by how often they appeared so far: a number between -2.0 and 2.0."""
    presence_penalty: float | None = None
    """Penalise tokens that appeared at all so far: a number between -2.0 and 2.0."""
    repetition_penalty: float | None = None
    """Multiplicative penalty on repeated tokens (1.0 means none): a positive number."""
    stop: list[str] | None = None
    """Stop sequences; they are excluded from the output."""
    seed: int | list[int] | None = None
    """Random seed, or one seed per sample when n > 1."""
    n: int | None = None
    """Number of independent samples to generate: an integer >= 1."""
    eos_token: list[int] | None = None
    """Extra end-of-sequence token IDs."""
    xtc_threshold: float | None = None
    """XTC sampling threshold: a number between 0.0 and 1.0."""
    xtc_probability: float | None = None
    """XTC sampling probability: a number between 0.0 and 1.0."""
    response_format: dict[str, Any] | None = None
    """Constrain every output, e.g. {"type": "regex", "schema": "(yes|no)"}; structured-output
    calls set their own."""


class ChatFields(BaseModel):
    """Fields of the chat body only (`ChatFriendli`)."""

    model_config = _CONFIG

    logit_bias: dict[str, float] | None = None
    """Token ID (as a string) to a bias on its logit."""
    chat_template_kwargs: dict[str, Any] | None = None
    """Extra variables for the chat template, e.g. {"enable_thinking": True}."""
    logprobs: bool | None = None
    """Return the log probability of each output token."""
    top_logprobs: int | None = None
    """Number of most likely alternatives per position (needs logprobs=True): an integer between
    0 and 20."""
    parallel_tool_calls: bool | None = None
    """Allow several tool calls in one assistant turn (server default: True)."""
    reasoning_effort: ReasoningEffort | None = None
    """Reasoning effort of reasoning models; the values allowed depend on the model."""
    reasoning_budget: int | None = None
    """Token cap on reasoning: an integer >= 1."""
    parse_reasoning: bool | None = None
    """Return the reasoning apart from the answer (reasoning_content)."""
    include_reasoning: bool | None = None
    """With parse_reasoning, whether to return the reasoning at all."""


class CompletionFields(BaseModel):
    """Fields of the completions body only (`Friendli`)."""

    model_config = _CONFIG

    logprobs: int | None = None
    """Number of most likely alternatives to return per position: an integer between 0 and 20."""
    max_total_tokens: int | None = None
    """Maximum prompt plus output tokens (instead of max_tokens): an integer >= 1."""
    min_total_tokens: int | None = None
    """Minimum prompt plus output tokens (instead of min_tokens): an integer >= 0."""
    bad_words: list[str] | None = None
    """Words that must not be generated."""
    bad_word_tokens: list[dict[str, list[int]]] | None = None
    """Token sequences that must not be generated, as [{"tokens": [...]}]."""
    stop_tokens: list[dict[str, list[int]]] | None = None
    """Token sequences that stop generation, as [{"tokens": [...]}]."""
    no_repeat_ngram: int | None = None
    """Forbid repeating n-grams of this size: an integer >= 1."""
    encoder_no_repeat_ngram: int | None = None
    """Forbid repeating encoder n-grams of this size (encoder-decoder models): an integer >= 1."""
    encoder_repetition_penalty: float | None = None
    """Repetition penalty against encoder tokens (encoder-decoder models): a positive number."""
    forced_output_tokens: list[int] | None = None
    """Token IDs to force as output (for scoring, together with logprobs)."""
    token_index_to_replace: list[int] | None = None
    """Prompt token positions whose embeddings are replaced by embedding_to_replace."""
    embedding_to_replace: list[float] | None = None
    """Embedding values for the positions in token_index_to_replace."""


class ChatSwitches(BaseModel):
    """Switches of `ChatFriendli` that set a chat-template variable (not body fields)."""

    model_config = _CONFIG

    reasoning: bool | None = None
    """Turn the model's thinking on (True) or off (False) with Friendli's chat-template switch
    chat_template_kwargs.enable_thinking, also per call; None keeps the model's default.
    Refused before sending for a model the catalog says does not reason."""
