"""Atoma's documented completions example request, the done-when case of endpoint="openai-compatible".

Atoma (`https://api.atoma.network/v1`, bearer token) documents `completions.create` with these
fields and values; `createStream` sends the same with `stream: true`. The tests send it to the
local server playing a strict OpenAI-compatible server (`LocalServer(openai_strict=True)`).
"""

from __future__ import annotations

from typing import Any

MODEL = "meta-llama/Llama-3.3-70B-Instruct"
FIELDS: dict[str, Any] = {
    "frequency_penalty": 0,
    "presence_penalty": 0,
    "logit_bias": {"1234567890": 0.5, "1234567891": -0.5},
    "logprobs": 1,
    "n": 1,
    "seed": 123,
    "stop": ["\n\n", "User:"],
    "suffix": " That is all.",
    "temperature": 0.7,
    "top_p": 1,
    "user": "user-1234",
}
"""Every documented field but `model`, `prompt` and `stream`."""
REQUEST: dict[str, Any] = {"model": MODEL, "prompt": ["Hello!"], **FIELDS}
"""The documented request: the prompt as a list."""
LOGPROBS_KEYS = {"tokens", "token_logprobs", "top_logprobs", "text_offset"}
"""OpenAI's completions logprobs shape."""


def assert_integer_logprobs(logprobs: dict[str, Any], top: int = FIELDS["logprobs"]) -> None:
    """OpenAI-shaped completions logprobs with `top` alternatives at each position."""
    assert set(logprobs) >= LOGPROBS_KEYS, logprobs
    assert logprobs["tokens"], logprobs
    assert len(logprobs["token_logprobs"]) == len(logprobs["tokens"])
    assert len(logprobs["text_offset"]) == len(logprobs["tokens"])
    assert all(len(alternatives) == top for alternatives in logprobs["top_logprobs"])
