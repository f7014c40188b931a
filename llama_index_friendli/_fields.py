# Written by hand; tests/adapters/test_field_coverage.py checks them against friendli_core._fields.
"""Model-level request-body fields of `FriendliLLM`."""

from __future__ import annotations

from typing import Any

from llama_index.core.bridge.pydantic import BaseModel, ConfigDict, Field

from friendli_core import ReasoningEffort

__all__ = ["BodyFields", "Switches"]


class BodyFields(BaseModel):
    """Body fields of the chat API; those of both APIs also go to /completions."""

    # A mixin: FriendliLLM builds the schema with its own config.
    model_config = ConfigDict(defer_build=True)

    temperature: float | None = Field(
        default=None, ge=0, description="Sampling temperature; higher is more random."
    )
    max_tokens: int | None = Field(
        default=None, ge=1, description="Maximum number of tokens to generate."
    )
    min_tokens: int | None = Field(
        default=None,
        ge=0,
        description="Minimum number of tokens to generate (not with tools or response_format).",
    )
    top_p: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Nucleus sampling: keep the fewest tokens whose probabilities sum to top_p.",
    )
    top_k: int | None = Field(
        default=None, ge=0, description="Keep only the k most likely tokens (0 disables)."
    )
    min_p: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Drop tokens less likely than min_p times the most likely one.",
    )
    frequency_penalty: float | None = Field(
        default=None,
        ge=-2.0,
        le=2.0,
        description="Penalise tokens by how often they appeared so far.",
    )
    presence_penalty: float | None = Field(
        default=None, ge=-2.0, le=2.0, description="Penalise tokens that appeared at all so far."
    )
    repetition_penalty: float | None = Field(
        default=None,
        gt=0.0,
        description="Multiplicative penalty on repeated tokens (1.0 means none).",
    )
    stop: list[str] | None = Field(
        default=None, description="Stop sequences; they are excluded from the output."
    )
    seed: int | list[int] | None = Field(
        default=None, description="Random seed, or one seed per sample when n > 1."
    )
    eos_token: list[int] | None = Field(
        default=None, description="Extra end-of-sequence token IDs."
    )
    xtc_threshold: float | None = Field(
        default=None, ge=0.0, le=1.0, description="XTC sampling threshold."
    )
    xtc_probability: float | None = Field(
        default=None, ge=0.0, le=1.0, description="XTC sampling probability."
    )
    response_format: dict[str, Any] | None = Field(
        default=None,
        description=(
            'Constrain every output, e.g. {"type": "regex", "schema": "(yes|no)"}; '
            "structured-output calls set their own."
        ),
    )
    logit_bias: dict[str, float] | None = Field(
        default=None, description="Token ID (as a string) to a bias on its logit."
    )
    chat_template_kwargs: dict[str, Any] | None = Field(
        default=None,
        description='Extra variables for the chat template, e.g. {"enable_thinking": True}.',
    )
    logprobs: bool | None = Field(
        default=None, description="Return the log probability of each output token."
    )
    top_logprobs: int | None = Field(
        default=None,
        ge=0,
        le=20,
        description="Number of most likely alternatives per position (needs logprobs=True).",
    )
    reasoning_effort: ReasoningEffort | None = Field(
        default=None,
        description="Reasoning effort of reasoning models; the values allowed depend on the model.",
    )
    reasoning_budget: int | None = Field(default=None, ge=1, description="Token cap on reasoning.")
    parse_reasoning: bool | None = Field(
        default=None, description="Return the reasoning apart from the answer (reasoning_content)."
    )
    include_reasoning: bool | None = Field(
        default=None, description="With parse_reasoning, whether to return the reasoning at all."
    )


class Switches(BaseModel):
    """Switches that set a chat-template variable (not body fields)."""

    model_config = ConfigDict(defer_build=True)

    thinking: bool | None = Field(
        default=None,
        description=(
            "Turn the model's thinking on (True) or off (False) with Friendli's "
            "chat-template switch chat_template_kwargs.enable_thinking, also per "
            "call; None keeps the model's default. Refused before sending for a "
            "model the catalog says does not reason."
        ),
    )
