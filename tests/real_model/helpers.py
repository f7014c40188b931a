"""Constants and request pieces shared by the real-model tests."""

from __future__ import annotations

from typing import Any

API_KEY = "sk-real-model-test"
PARALLEL = 2
"""Slots of the server; llama.cpp accepts `1 <= n <= PARALLEL`."""

SHORT = 16
"""`max_tokens` for plain generations (~20 ms a token on one core)."""

HELLO: list[dict[str, Any]] = [{"role": "user", "content": "Say hello in one short sentence."}]

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}

# The one-shot tool history: a question, one example assistant tool call, a new question.
# SmolLM2-135M calls a tool only when the history already holds such an example (and with the
# ChatML+tools template of `server.py`; its own template ignores tools).
EXAMPLE_CALL_ID = "call_example_1"
ONE_SHOT_TOOL_HISTORY: list[dict[str, Any]] = [
    {"role": "user", "content": "What is the weather in Paris?"},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": EXAMPLE_CALL_ID,
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            }
        ],
    },
    {"role": "user", "content": "What is the weather in Tokyo?"},
]
