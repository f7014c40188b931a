"""openai's own Python client (2.x) against the container path."""

import json
from collections.abc import Iterator

import openai
import pytest

from friendli_core.testing import LocalServer, RequestLog
from friendli_core.testing._openapi import validate

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


@pytest.fixture(autouse=True)
def _requests_match_the_spec(friendli_requests: RequestLog) -> Iterator[None]:
    """Every request openai sent must be valid against the container request schemas."""
    yield
    assert len(friendli_requests) > 0
    for request in friendli_requests:
        stream = "Stream" if request.body.get("stream") else ""
        assert validate(f"ContainerChatCompletion{stream}Body", request.body) == []


@pytest.fixture
def client(friendli_server: LocalServer) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=friendli_server.container_url, api_key=friendli_server.token, max_retries=0
    )


def test_chat(client: openai.OpenAI, friendli_requests: RequestLog) -> None:
    result = client.chat.completions.create(
        model="friendli-local-model", messages=[{"role": "user", "content": "Hi there"}], seed=0
    )
    assert result.choices[0].message.content == "Hello! You said: Hi there"
    assert result.model == "friendli-local-model"
    assert result.usage is not None
    assert result.usage.total_tokens == result.usage.prompt_tokens + result.usage.completion_tokens
    assert friendli_requests.last.path == "/v1/chat/completions"


def test_streaming(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": "stream me please"}],
        stream=True,
        stream_options={"include_usage": True},
        seed=1,
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Sure. You said: stream me please"
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.content) > 3
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens > 3


def test_tools_and_tool_result(client: openai.OpenAI) -> None:
    messages: list = [{"role": "user", "content": "What's the weather in Paris?"}]
    first = client.chat.completions.create(model="m", messages=messages, tools=[WEATHER])
    call = first.choices[0].message.tool_calls[0]
    assert first.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris"}
    messages += [
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "sunny, 21C"},
    ]
    second = client.chat.completions.create(model="m", messages=messages, tools=[WEATHER])
    assert second.choices[0].message.content == "The tool returned: sunny, 21C"


def test_streamed_tool_calls(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": "get_weather for 'Rome'"}],
        tools=[WEATHER],
        tool_choice="required",
        stream=True,
    )
    arguments = ""
    names = []
    for chunk in stream:
        for delta in chunk.choices[0].delta.tool_calls or ():
            names += [delta.function.name] if delta.function and delta.function.name else []
            arguments += delta.function.arguments or "" if delta.function else ""
    assert names == ["get_weather"]
    assert json.loads(arguments) == {"city": "Rome"}


def test_structured_output(client: openai.OpenAI) -> None:
    schema = {
        "type": "object",
        "properties": {"answer": {"type": "integer"}},
        "required": ["answer"],
        "additionalProperties": False,
    }
    result = client.chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": "What is 6 times 7? The answer is 42."}],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema, "strict": True},
        },
    )
    assert json.loads(result.choices[0].message.content or "") == {"answer": 6}


def test_errors_surface_as_openai_errors(
    client: openai.OpenAI, friendli_server: LocalServer
) -> None:
    friendli_server.inject_fault("status:429,retry_after:0")
    with pytest.raises(openai.RateLimitError) as info:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    assert info.value.status_code == 429
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}], top_logprobs=2
        )
