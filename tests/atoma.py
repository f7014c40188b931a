"""Atoma's documented completions example request, the done-when case of endpoint="openai-compatible".

Atoma (`https://api.atoma.network/v1`, bearer token) documents `completions.create` with these
fields and values; `createStream` sends the same with `stream: true`. The tests send it to the
local server playing a strict OpenAI-compatible server (`LocalServer(openai_strict=True)`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest

    from friendli_core.testing import LocalServer

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


KEY = "oc-key-0123456789"
"""A key for the OpenAI-compatible server, as `OPENAI_COMPATIBLE_API_KEY` or a token argument."""
FOREIGN = {
    "FRIENDLI_TOKEN": "flp_friendli_secret_0123",
    "OPENAI_API_KEY": "sk-openai-secret-0123",
    "FRIENDLI_TEAM": "team-friendli",
    "FRIENDLI_BASE_URL": "http://127.0.0.1:9/friendli/v1",
}
"""Friendli's and OpenAI's variables: set in the tests, never to reach the server."""


def isolate(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> LocalServer:
    """`server` with an empty log, in an environment holding only foreign keys."""
    for name, value in FOREIGN.items():
        monkeypatch.setenv(name, value)
    for name in ("OPENAI_COMPATIBLE_API_KEY", "OPENAI_COMPATIBLE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    server.requests.clear()
    return server
