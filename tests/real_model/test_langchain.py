"""`langchain_friendli` (`ChatFriendli`, `Friendli`) against the real llama.cpp server.

Everything goes through `endpoint="openai-compatible"` with a custom `base_url`, as a user of a
self-hosted OpenAI-compatible server would configure it. Shape, never wording.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import ContextOverflowError
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)
from pydantic import BaseModel, ConfigDict

import friendli_core
from langchain_friendli import ChatFriendli, Friendli
from tests.real_model.helpers import API_KEY, EXAMPLE_CALL_ID, PARALLEL, SHORT, WEATHER_TOOL

pytestmark = pytest.mark.real_model

HELLO = "Say hello in one short sentence."


@pytest.fixture
def chat(base_url: str) -> ChatFriendli:
    return ChatFriendli(
        endpoint="openai-compatible", base_url=base_url, api_key=API_KEY, max_tokens=SHORT
    )


@pytest.fixture
def llm(base_url: str) -> Friendli:
    return Friendli(endpoint="openai-compatible", base_url=base_url, api_key=API_KEY, max_tokens=8)


def _sum(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    assert chunks
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    return total


def _check_usage(message: AIMessage, max_tokens: int) -> None:
    usage = message.usage_metadata
    assert usage is not None
    assert usage["input_tokens"] > 0
    assert 0 < usage["output_tokens"] <= max_tokens
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]


# --------------------------------------------------------------------------- ChatFriendli


def test_invoke(chat: ChatFriendli) -> None:
    message = chat.invoke(HELLO)
    assert isinstance(message, AIMessage)
    assert isinstance(message.content, str)
    assert message.content
    assert message.tool_calls == []
    assert message.response_metadata["finish_reason"] in {"stop", "length"}
    assert message.response_metadata["model_name"]
    _check_usage(message, SHORT)


def test_stream_sums_to_a_complete_message(chat: ChatFriendli) -> None:
    chunks = list(chat.stream(HELLO))
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    total = _sum(chunks)
    assert total.content == "".join(str(c.content) for c in chunks)
    assert total.content
    assert total.response_metadata["finish_reason"] in {"stop", "length"}
    _check_usage(total, SHORT)


class _Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, *, run_id: UUID, **kwargs: Any) -> None:
        self.tokens.append(token)


def test_streaming_invoke_returns_the_sum_of_the_streamed_tokens(base_url: str) -> None:
    model = ChatFriendli(
        endpoint="openai-compatible",
        base_url=base_url,
        api_key=API_KEY,
        max_tokens=SHORT,
        streaming=True,
    )
    handler = _Tokens()
    message = model.invoke(HELLO, config={"callbacks": [handler]})
    assert len(handler.tokens) > 1
    assert message.content == "".join(handler.tokens)
    _check_usage(message, SHORT)


async def test_ainvoke_astream_and_abatch(chat: ChatFriendli) -> None:
    message = await chat.ainvoke(HELLO)
    assert message.content
    _check_usage(message, SHORT)

    chunks = [c async for c in chat.astream(HELLO)]
    total = _sum(chunks)
    assert total.content
    _check_usage(total, SHORT)

    replies = await chat.abatch([HELLO] * PARALLEL)
    assert len(replies) == PARALLEL
    assert all(isinstance(r, AIMessage) and r.content for r in replies)


def test_batch(chat: ChatFriendli) -> None:
    replies = chat.batch([HELLO, "Name a colour."])
    assert len(replies) == 2
    for reply in replies:
        assert isinstance(reply, AIMessage)
        assert reply.content
        _check_usage(reply, SHORT)


class Person(BaseModel):
    """A person."""

    model_config = ConfigDict(extra="forbid")
    name: str
    age: int


@pytest.fixture
def roomy_chat(base_url: str) -> ChatFriendli:
    # a structured runnable passes no call kwargs to the model: set the budget on the model
    return ChatFriendli(
        endpoint="openai-compatible",
        base_url=base_url,
        api_key=API_KEY,
        max_tokens=64,
        temperature=0,
    )


def test_with_structured_output_json_schema(roomy_chat: ChatFriendli) -> None:
    structured = roomy_chat.with_structured_output(Person, method="json_schema")
    person = structured.invoke("Describe a person as JSON.")
    assert isinstance(person, Person)


def test_with_structured_output_include_raw(roomy_chat: ChatFriendli) -> None:
    structured = roomy_chat.with_structured_output(Person, method="json_schema", include_raw=True)
    out = structured.invoke("Describe a person as JSON.")
    assert isinstance(out, dict)
    assert out["parsing_error"] is None
    assert isinstance(out["parsed"], Person)
    assert isinstance(out["raw"], AIMessage)
    assert Person.model_validate_json(str(out["raw"].content)) == out["parsed"]


def test_logprobs_invoke_and_stream(chat: ChatFriendli) -> None:
    message = chat.invoke(HELLO, logprobs=True, top_logprobs=2, max_tokens=8)
    content = message.response_metadata["logprobs"]["content"]
    assert content
    assert "".join(e["token"] for e in content) == message.content
    assert all(len(e["top_logprobs"]) == 2 for e in content)

    total = _sum(list(chat.stream(HELLO, logprobs=True, top_logprobs=2, max_tokens=8)))
    streamed = total.response_metadata["logprobs"]["content"]
    assert streamed
    assert "".join(e["token"] for e in streamed) == total.content
    assert all(e["logprob"] <= 0.0 for e in streamed)


def test_stop(chat: ChatFriendli) -> None:
    message = chat.invoke(HELLO, stop=[" "])
    assert message.response_metadata["finish_reason"] == "stop"
    assert " " not in str(message.content)


def test_seed(chat: ChatFriendli) -> None:
    first = chat.invoke("Tell me a story.", seed=11, temperature=1.0, max_tokens=12)
    second = chat.invoke("Tell me a story.", seed=11, temperature=1.0, max_tokens=12)
    assert first.content == second.content


# --------------------------------------------------------------------------- tools


def _one_shot_history() -> list[BaseMessage]:
    return [
        HumanMessage("What is the weather in Paris?"),
        AIMessage(
            content="",
            tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": EXAMPLE_CALL_ID}],
        ),
        HumanMessage("What is the weather in Tokyo?"),
    ]


def _check_weather_call(message: AIMessage) -> dict[str, Any]:
    assert message.response_metadata["finish_reason"] == "tool_calls"
    assert message.invalid_tool_calls == []
    assert len(message.tool_calls) == 1
    call = message.tool_calls[0]
    assert call["name"] == "get_weather"
    assert isinstance(call["args"].get("city"), str)
    assert call["id"]
    assert call["id"] != EXAMPLE_CALL_ID
    return dict(call)


def test_tool_call_from_a_one_shot_history(chat: ChatFriendli) -> None:
    model = chat.bind_tools([WEATHER_TOOL])
    message = model.invoke(_one_shot_history(), temperature=0, max_tokens=48)
    _check_weather_call(message)
    # llama.cpp sends `content: ""` with tool calls
    assert message.content == ""


def test_streamed_tool_call(chat: ChatFriendli) -> None:
    model = chat.bind_tools([WEATHER_TOOL])
    chunks = list(model.stream(_one_shot_history(), temperature=0, max_tokens=48))
    assert len(chunks) > 2
    total = _sum(chunks)
    _check_weather_call(total)
    assert len(total.tool_call_chunks) == 1


def test_tool_message_round_trip(chat: ChatFriendli) -> None:
    model = chat.bind_tools([WEATHER_TOOL])
    history = _one_shot_history()
    message = model.invoke(history, temperature=0, max_tokens=48)
    call = _check_weather_call(message)
    result = ToolMessage(content=json.dumps({"temperature_c": 21}), tool_call_id=call["id"])
    answer = model.invoke([*history, message, result], temperature=0, max_tokens=32)
    assert isinstance(answer, AIMessage)
    assert answer.content or answer.tool_calls
    assert answer.response_metadata["finish_reason"] in {"stop", "length", "tool_calls"}


# --------------------------------------------------------------------------- errors


def test_wrong_api_key_raises_the_authentication_error(base_url: str) -> None:
    model = ChatFriendli(
        endpoint="openai-compatible",
        base_url=base_url,
        api_key="sk-wrong",
        max_retries=0,
        max_tokens=4,
    )
    with pytest.raises(friendli_core.AuthenticationError) as info:
        model.invoke(HELLO)
    assert info.value.status_code == 401
    assert info.value.api_message
    assert "sk-wrong" not in str(info.value)


def test_too_many_choices_raises_the_bad_request_error(chat: ChatFriendli) -> None:
    with pytest.raises(friendli_core.BadRequestError) as info:
        chat.invoke(HELLO, n=PARALLEL + 1)
    error = info.value
    assert error.status_code == 400
    assert isinstance(error.body, dict)
    assert error.api_message == error.body["error"]["message"]
    assert error.api_message
    assert error.api_message in str(error)


def test_prompt_over_the_context_raises_a_context_overflow_error(chat: ChatFriendli) -> None:
    # llama.cpp's `exceed_context_size_error` is recognised, sync and streamed
    with pytest.raises(ContextOverflowError) as info:
        chat.invoke("word " * 3000)
    assert isinstance(info.value, friendli_core.BadRequestError)
    with pytest.raises(ContextOverflowError):
        list(chat.stream("word " * 3000))


# --------------------------------------------------------------------------- Friendli (LLM)


def test_llm_invoke_stream_and_batch(llm: Friendli) -> None:
    text = llm.invoke("The capital of France is")
    assert isinstance(text, str)
    assert text

    pieces = list(llm.stream("The capital of France is"))
    assert len(pieces) > 1
    assert all(isinstance(p, str) for p in pieces)
    assert "".join(pieces)

    texts = llm.batch(["One, two,", "Red, green,"])
    assert len(texts) == 2
    assert all(isinstance(t, str) and t for t in texts)


async def test_llm_ainvoke_and_astream(llm: Friendli) -> None:
    assert await llm.ainvoke("The capital of France is")
    pieces = [p async for p in llm.astream("The capital of France is")]
    assert "".join(pieces)


def test_llm_generate_reports_usage_finish_reason_and_logprobs(llm: Friendli) -> None:
    result = llm.generate(["The capital of France is"], logprobs=2)
    generation = result.generations[0][0]
    info = generation.generation_info or {}
    assert info["finish_reason"] in {"stop", "length"}
    logprobs = info["logprobs"]
    if not isinstance(logprobs, dict):
        logprobs = logprobs.model_dump()
    assert logprobs["tokens"]
    assert "".join(logprobs["tokens"]) == generation.text
    assert result.llm_output is not None
    assert result.llm_output["token_usage"]["completion_tokens"] > 0


def test_llm_stop(llm: Friendli) -> None:
    text = llm.invoke("1, 2, 3, 4, 5,", stop=[" 8"], temperature=0, max_tokens=12)
    full = llm.invoke("1, 2, 3, 4, 5,", temperature=0, max_tokens=12)
    assert " 8" in full
    assert " 8" not in text
    assert full.startswith(text)
