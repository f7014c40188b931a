"""Stricter ChatFriendli tests against the local server: results and the requests actually sent."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from langchain_core.exceptions import ModelAuthenticationError, ModelRateLimitError
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel, Field

import friendli_core as fc
from langchain_friendli import ChatFriendli
from tests.langchain.integration_tests.conftest import make_png

MODEL = "friendli-local-model"
REASONING_MODEL = "friendli-local-reasoning"


@tool
def magic_function(input: int) -> int:  # noqa: A002 - the standard tests' tool signature
    """Apply a magic function to an input."""
    return input + 2


@pytest.fixture
def chat(friendli_server: Any) -> ChatFriendli:
    return ChatFriendli(
        model=MODEL, base_url=friendli_server.serverless_url, api_key=friendli_server.token
    )


async def run(model: Any, mode: str, prompt: Any, **kwargs: Any) -> AIMessage | AIMessageChunk:
    """Invoke (sync/async) or stream (sync/async) and return the (summed) message."""
    if mode == "invoke":
        return model.invoke(prompt, **kwargs)
    if mode == "ainvoke":
        return await model.ainvoke(prompt, **kwargs)
    chunks = (
        list(model.stream(prompt, **kwargs))
        if mode == "stream"
        else [c async for c in model.astream(prompt, **kwargs)]
    )
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    return total


ALL_MODES = pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
QUESTION = "What is the value of magic_function(3)? Use the tool."


@ALL_MODES
async def test_exact_tool_arguments(chat: ChatFriendli, friendli_requests: Any, mode: str) -> None:
    bound = chat.bind_tools([magic_function], tool_choice="magic_function")
    message = await run(bound, mode, QUESTION)
    assert [(c["name"], c["args"]) for c in message.tool_calls] == [
        ("magic_function", {"input": 3})
    ]
    assert message.tool_calls[0]["id"]
    body = friendli_requests.last.body
    assert body["tool_choice"] == {"type": "function", "function": {"name": "magic_function"}}
    assert body["tools"][0]["function"]["name"] == "magic_function"
    assert body["tools"][0]["function"]["parameters"]["properties"] == {
        "input": {"type": "integer"}
    }


async def test_streamed_tool_calls_equal_non_streamed(chat: ChatFriendli) -> None:
    bound = chat.bind_tools([magic_function], tool_choice="any")
    invoked = await run(bound, "invoke", QUESTION, seed=7)
    streamed = await run(bound, "stream", QUESTION, seed=7)
    assert isinstance(streamed, AIMessageChunk)
    assert [(c["name"], c["args"]) for c in streamed.tool_calls] == [
        (c["name"], c["args"]) for c in invoked.tool_calls
    ]
    assert (
        streamed.response_metadata["finish_reason"]
        == invoked.response_metadata["finish_reason"]
        == "tool_calls"
    )
    assert streamed.usage_metadata == invoked.usage_metadata
    assert len({c["index"] for c in streamed.tool_call_chunks}) == 1


@pytest.mark.parametrize("mode", ["invoke", "astream"])
async def test_tool_message_round_trip(
    chat: ChatFriendli, friendli_requests: Any, mode: str
) -> None:
    bound = chat.bind_tools([magic_function])
    first = await run(bound, mode, QUESTION)
    call = first.tool_calls[0]
    result = magic_function.invoke(call)
    assert isinstance(result, ToolMessage)
    history = [
        HumanMessage(QUESTION),
        AIMessage(content=first.content, tool_calls=first.tool_calls),
        result,
    ]
    answer = await run(bound, mode, history)
    assert answer.tool_calls == []
    assert "5" in answer.text
    sent = friendli_requests.last.body["messages"]
    assert sent[1] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": call["id"],
                "type": "function",
                "function": {"name": "magic_function", "arguments": '{"input": 3}'},
            }
        ],
    }
    assert sent[2] == {
        "role": "tool",
        "content": "5",
        "tool_call_id": call["id"],
        "name": "magic_function",
    }


@ALL_MODES
async def test_logprobs_and_usage(chat: ChatFriendli, friendli_requests: Any, mode: str) -> None:
    message = await run(chat, mode, "Say hello", logprobs=True, top_logprobs=2, seed=1)
    entries = message.response_metadata["logprobs"]["content"]
    assert "".join(e["token"] for e in entries) == message.text
    assert all(len(e["top_logprobs"]) == 2 and isinstance(e["logprob"], float) for e in entries)
    usage = message.usage_metadata
    assert usage is not None
    assert usage["output_tokens"] == len(entries)
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert friendli_requests.last.body["logprobs"] is True
    assert friendli_requests.last.body["top_logprobs"] == 2


async def test_stream_equals_invoke_for_text(chat: ChatFriendli) -> None:
    invoked = await run(chat, "invoke", "Tell me something", seed=5, logprobs=True)
    streamed = await run(chat, "stream", "Tell me something", seed=5, logprobs=True)
    assert streamed.content == invoked.content
    assert streamed.usage_metadata == invoked.usage_metadata
    assert streamed.response_metadata["logprobs"] == invoked.response_metadata["logprobs"]
    assert streamed.response_metadata["finish_reason"] == invoked.response_metadata["finish_reason"]
    assert (
        streamed.response_metadata["model_name"] == invoked.response_metadata["model_name"] == MODEL
    )


@ALL_MODES
async def test_reasoning_round_trip(
    friendli_server: Any, friendli_requests: Any, mode: str
) -> None:
    model = ChatFriendli(
        model=REASONING_MODEL,
        base_url=friendli_server.serverless_url,
        api_key=friendli_server.token,
        parse_reasoning=True,
    )
    first = await run(model, mode, "What is 2 + 2?")
    reasoning = first.additional_kwargs["reasoning_content"]
    assert reasoning
    assert "<think>" not in first.text
    assert friendli_requests.last.body["parse_reasoning"] is True
    history = [
        HumanMessage("What is 2 + 2?"),
        AIMessage(content=first.content, additional_kwargs=first.additional_kwargs),
        HumanMessage("And 3 + 3?"),
    ]
    await run(model, mode, history)
    assert friendli_requests.last.body["messages"][1] == {
        "role": "assistant",
        "content": first.text,
        "reasoning_content": reasoning,
    }


async def test_n_generations(chat: ChatFriendli, friendli_requests: Any) -> None:
    result = await chat.agenerate([[HumanMessage("Hello")]], n=3, seed=[1, 2, 3])
    generations = result.generations[0]
    assert len(generations) == 3
    assert all(g.text for g in generations)
    assert len({g.text for g in generations}) > 1
    assert friendli_requests.last.body["n"] == 3


def test_dedicated_endpoint_with_adapter_route(
    friendli_server: Any, friendli_requests: Any
) -> None:
    model = ChatFriendli(
        model="ep-1234abcd:my-adapter",
        endpoint="dedicated",
        base_url=friendli_server.dedicated_url,
        api_key=friendli_server.token,
        friendli_team="team-7",
    )
    message = model.invoke("Hello")
    assert message.response_metadata["model_name"] == "ep-1234abcd:my-adapter"
    request = friendli_requests.last
    assert request.path == "/dedicated/v1/chat/completions"
    assert request.body["model"] == "ep-1234abcd:my-adapter"
    assert request.headers["x-friendli-team"] == "team-7"


def test_container_endpoint_without_team_or_model(
    friendli_server: Any, friendli_requests: Any
) -> None:
    model = ChatFriendli(
        endpoint="container",
        base_url=friendli_server.container_url,
        friendli_team="team-7",
        api_key=None,
    )
    message = model.invoke("Hello")
    assert message.text
    assert message.response_metadata["model_name"]
    request = friendli_requests.last
    assert request.path == "/v1/chat/completions"
    assert "x-friendli-team" not in request.headers
    assert "model" not in request.body


class Person(BaseModel):
    """A person mentioned in the text."""

    name: str = Field(description="The person's name")
    age: int = Field(description="Age in years", ge=0, le=150)


PERSON_PROMPT = "Extract the person: 'Marie Curie' was 66 years old."


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_structured_output_json_schema(
    chat: ChatFriendli, friendli_requests: Any, mode: str
) -> None:
    structured = chat.with_structured_output(Person)
    person = (
        structured.invoke(PERSON_PROMPT)
        if mode == "invoke"
        else await structured.ainvoke(PERSON_PROMPT)
    )
    assert person == Person(name="Marie Curie", age=66)
    response_format = friendli_requests.last.body["response_format"]
    assert response_format["type"] == "json_schema"
    assert set(response_format["json_schema"]) == {"schema"}
    assert response_format["json_schema"]["schema"]["required"] == ["name", "age"]


def test_structured_output_function_calling_and_include_raw(
    chat: ChatFriendli, friendli_requests: Any
) -> None:
    structured = chat.with_structured_output(Person, method="function_calling", include_raw=True)
    result = structured.invoke(PERSON_PROMPT)
    assert result["parsed"] == Person(name="Marie Curie", age=66)
    assert result["parsing_error"] is None
    assert isinstance(result["raw"], AIMessage)
    body = friendli_requests.last.body
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Person"}}
    assert "response_format" not in body


def test_structured_output_json_mode(chat: ChatFriendli, friendli_requests: Any) -> None:
    structured = chat.with_structured_output(method="json_mode")
    result = structured.invoke("Return a JSON object with 'city' and 'country' keys for Paris.")
    assert set(result) == {"city", "country"}
    assert friendli_requests.last.body["response_format"] == {"type": "json_object"}


def test_regex_response_format(chat: ChatFriendli, friendli_requests: Any) -> None:
    pattern = r"(yes|no), [0-9]{2}"
    message = chat.invoke(
        "Answer yes or no and a number.", response_format={"type": "regex", "schema": pattern}
    )
    assert re.fullmatch(pattern, message.text)
    assert friendli_requests.last.body["response_format"] == {"type": "regex", "schema": pattern}


def test_tools_with_response_format_fail_before_sending(
    chat: ChatFriendli, friendli_requests: Any
) -> None:
    bound = chat.bind_tools([magic_function]).bind(response_format={"type": "json_object"})
    with pytest.raises(fc.InvalidRequestError, match="tools and response_format"):
        bound.invoke(QUESTION)
    assert len(friendli_requests) == 0


def test_offline_image_input(chat: ChatFriendli, friendli_requests: Any) -> None:
    data = base64.b64encode(make_png()).decode()
    message = chat.invoke(
        [
            HumanMessage(
                [
                    {"type": "text", "text": "Describe the image."},
                    {"type": "image", "base64": data, "mime_type": "image/png"},
                ]
            )
        ]
    )
    assert message.text
    parts = friendli_requests.last.body["messages"][0]["content"]
    assert parts[1] == {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}}


def test_wrong_token_is_an_authentication_error(friendli_server: Any) -> None:
    model = ChatFriendli(model=MODEL, base_url=friendli_server.serverless_url, api_key="flp_wrong")
    with pytest.raises(ModelAuthenticationError) as info:
        model.invoke("Hello")
    assert isinstance(info.value, fc.AuthenticationError)
    assert "flp_wrong" not in str(info.value)


def test_rate_limit_is_retried_then_raised(friendli_server: Any, friendli_requests: Any) -> None:
    model = ChatFriendli(
        model=MODEL,
        base_url=friendli_server.serverless_url,
        api_key=friendli_server.token,
        max_retries=1,
    )
    friendli_server.inject_fault("status:429,retry_after:0.01", times=1)
    assert model.invoke("Hello").text
    assert len(friendli_requests) == 2
    friendli_server.inject_fault("status:429,retry_after:0.01", times=2)
    with pytest.raises(ModelRateLimitError):
        model.invoke("Hello")


def test_token_counting(chat: ChatFriendli, friendli_requests: Any) -> None:
    ids = chat.get_token_ids("Hello world, this is a test.")
    assert ids
    assert all(isinstance(i, int) for i in ids)
    assert chat.get_num_tokens("Hello world, this is a test.") == len(ids)
    assert friendli_requests.last.path == "/serverless/v1/tokenize"
