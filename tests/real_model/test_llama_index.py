"""`llama_index_friendli.FriendliLLM` against llama.cpp's server (endpoint="openai-compatible").

Shape, never wording.
"""

from __future__ import annotations

import json

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    MessageRole,
    ToolCallBlock,
)
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel, ConfigDict

import friendli_core
from llama_index_friendli import FriendliLLM
from tests.real_model.helpers import API_KEY, EXAMPLE_CALL_ID, PARALLEL, SHORT

pytestmark = pytest.mark.real_model

HELLO = "Say hello in one short sentence."


@pytest.fixture
def llm(base_url: str) -> FriendliLLM:
    return FriendliLLM(
        endpoint="openai-compatible", base_url=base_url, api_key=API_KEY, max_tokens=SHORT
    )


def _user(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.USER, content=text)


def _check_usage(raw_kwargs: dict[str, object], max_tokens: int) -> None:
    completion = raw_kwargs["completion_tokens"]
    prompt = raw_kwargs["prompt_tokens"]
    assert isinstance(completion, int)
    assert isinstance(prompt, int)
    assert 0 < completion <= max_tokens
    assert raw_kwargs["total_tokens"] == prompt + completion


# --------------------------------------------------------------------------- chat and complete


def test_chat_and_complete(llm: FriendliLLM) -> None:
    response = llm.chat([_user(HELLO)])
    assert isinstance(response, ChatResponse)
    assert response.message.role == MessageRole.ASSISTANT
    assert response.message.content
    _check_usage(response.additional_kwargs, SHORT)

    completion = llm.complete(HELLO)
    assert isinstance(completion, CompletionResponse)
    assert completion.text


def test_stream_chat_ends_with_the_sum_of_its_deltas(llm: FriendliLLM) -> None:
    responses = list(llm.stream_chat([_user(HELLO)]))
    assert len(responses) > 1
    deltas = "".join(r.delta or "" for r in responses)
    assert deltas
    assert responses[-1].message.content == deltas
    usage = [r.additional_kwargs for r in responses if "completion_tokens" in r.additional_kwargs]
    assert usage
    _check_usage(usage[-1], SHORT)


def test_stream_complete_ends_with_the_sum_of_its_deltas(llm: FriendliLLM) -> None:
    responses = list(llm.stream_complete(HELLO))
    deltas = "".join(r.delta or "" for r in responses)
    assert deltas
    assert responses[-1].text == deltas


async def test_async_chat_complete_and_streams(llm: FriendliLLM) -> None:
    response = await llm.achat([_user(HELLO)])
    assert response.message.content
    assert (await llm.acomplete(HELLO)).text

    responses = [r async for r in await llm.astream_chat([_user(HELLO)])]
    assert responses[-1].message.content == "".join(r.delta or "" for r in responses)

    completions = [r async for r in await llm.astream_complete(HELLO)]
    assert completions[-1].text == "".join(r.delta or "" for r in completions)


def test_completions_endpoint_with_logprobs(base_url: str) -> None:
    llm = FriendliLLM(
        endpoint="openai-compatible",
        base_url=base_url,
        api_key=API_KEY,
        max_tokens=8,
        is_chat_model=False,
        logprobs=True,
        top_logprobs=2,
    )
    completion = llm.complete("The capital of France is", formatted=True)
    assert completion.text
    assert completion.logprobs
    assert all(1 <= len(alternatives) <= 2 for alternatives in completion.logprobs)
    assert all(lp.logprob <= 0.0 for alts in completion.logprobs for lp in alts)

    streamed = list(llm.stream_complete("The capital of France is", formatted=True))
    assert streamed[-1].text == "".join(r.delta or "" for r in streamed)
    assert streamed[-1].text


def test_chat_logprobs(base_url: str) -> None:
    llm = FriendliLLM(
        endpoint="openai-compatible",
        base_url=base_url,
        api_key=API_KEY,
        max_tokens=8,
        logprobs=True,
        top_logprobs=2,
    )
    response = llm.chat([_user(HELLO)])
    assert response.logprobs
    assert all(len(alternatives) == 2 for alternatives in response.logprobs)

    streamed = list(llm.stream_chat([_user(HELLO)]))
    assert streamed[-1].logprobs
    assert all(len(alternatives) == 2 for alternatives in streamed[-1].logprobs)


def test_stop_and_seed(llm: FriendliLLM) -> None:
    response = llm.chat([_user(HELLO)], stop=[" "])
    assert " " not in (response.message.content or "")

    story = [_user("Tell me a story.")]
    first = llm.chat(story, seed=5, temperature=1.0, max_tokens=12)
    second = llm.chat(story, seed=5, temperature=1.0, max_tokens=12)
    assert first.message.content == second.message.content


# --------------------------------------------------------------------------- structured output


class Person(BaseModel):
    """A person."""

    model_config = ConfigDict(extra="forbid")
    name: str
    age: int


def test_structured_predict(base_url: str) -> None:
    llm = FriendliLLM(
        endpoint="openai-compatible",
        base_url=base_url,
        api_key=API_KEY,
        max_tokens=64,
        temperature=0,
    )
    person = llm.structured_predict(Person, PromptTemplate("Describe {who} as JSON."), who="a cook")
    assert isinstance(person, Person)


async def test_astructured_predict(base_url: str) -> None:
    llm = FriendliLLM(
        endpoint="openai-compatible",
        base_url=base_url,
        api_key=API_KEY,
        max_tokens=64,
        temperature=0,
    )
    prompt = PromptTemplate("Describe {who} as JSON.")
    person = await llm.astructured_predict(Person, prompt, who="a pilot")
    assert isinstance(person, Person)


# --------------------------------------------------------------------------- tools


def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return json.dumps({"city": city, "temperature_c": 21})


WEATHER = FunctionTool.from_defaults(fn=get_weather)


def _one_shot_history() -> list[ChatMessage]:
    return [
        _user("What is the weather in Paris?"),
        ChatMessage(
            role=MessageRole.ASSISTANT,
            blocks=[
                ToolCallBlock(
                    tool_call_id=EXAMPLE_CALL_ID,
                    tool_name="get_weather",
                    tool_kwargs={"city": "Paris"},
                )
            ],
        ),
    ]


def _check_selection(llm: FriendliLLM, response: ChatResponse) -> str:
    selections = llm.get_tool_calls_from_response(response)
    assert len(selections) == 1
    selection = selections[0]
    assert selection.tool_name == "get_weather"
    assert isinstance(selection.tool_kwargs.get("city"), str)
    assert selection.tool_id
    assert selection.tool_id != EXAMPLE_CALL_ID
    return selection.tool_id


def test_chat_with_tools_from_a_one_shot_history(llm: FriendliLLM) -> None:
    response = llm.chat_with_tools(
        [WEATHER],
        user_msg="What is the weather in Tokyo?",
        chat_history=_one_shot_history(),
        temperature=0,
        max_tokens=48,
    )
    _check_selection(llm, response)


def test_stream_chat_with_tools(llm: FriendliLLM) -> None:
    responses = list(
        llm.stream_chat_with_tools(
            [WEATHER],
            user_msg="What is the weather in Tokyo?",
            chat_history=_one_shot_history(),
            temperature=0,
            max_tokens=48,
        )
    )
    assert len(responses) > 2
    _check_selection(llm, responses[-1])


def test_tool_result_round_trip(llm: FriendliLLM) -> None:
    history = [*_one_shot_history(), _user("What is the weather in Tokyo?")]
    response = llm.chat_with_tools([WEATHER], chat_history=history, temperature=0, max_tokens=48)
    call_id = _check_selection(llm, response)
    result = ChatMessage(
        role=MessageRole.TOOL,
        content=get_weather("Tokyo"),
        additional_kwargs={"tool_call_id": call_id, "name": "get_weather"},
    )
    answer = llm.chat_with_tools(
        [WEATHER],
        chat_history=[*history, response.message, result],
        temperature=0,
        max_tokens=32,
    )
    assert answer.message.content or llm.get_tool_calls_from_response(
        answer, error_on_no_tool_call=False
    )


# --------------------------------------------------------------------------- errors


def test_wrong_api_key_raises_the_authentication_error(base_url: str) -> None:
    llm = FriendliLLM(
        endpoint="openai-compatible",
        base_url=base_url,
        api_key="sk-wrong",
        max_retries=0,
        max_tokens=4,
    )
    with pytest.raises(friendli_core.AuthenticationError) as info:
        llm.complete(HELLO)
    assert info.value.status_code == 401
    assert info.value.api_message


def test_too_many_choices_raises_the_bad_request_error(llm: FriendliLLM) -> None:
    with pytest.raises(friendli_core.BadRequestError) as info:
        llm.chat([_user(HELLO)], n=PARALLEL + 1)
    error = info.value
    assert error.status_code == 400
    assert isinstance(error.body, dict)
    assert error.api_message == error.body["error"]["message"]
