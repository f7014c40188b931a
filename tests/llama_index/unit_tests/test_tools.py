"""Tool calling and structured output of `FriendliLLM` against `httpx.MockTransport`."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from llama_index.core.types import PydanticProgramMode
from pydantic import BaseModel, ValidationError

from friendli_core import InvalidRequestError
from llama_index_friendli import FriendliLLM
from tests.llama_index.unit_tests.mock_api import (
    USAGE_CHUNK,
    MockAPI,
    chunk,
    completion,
    sse,
    text_stream,
)


def get_weather(city: str) -> str:
    """Current weather of a city."""
    return f"Sunny in {city}"


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


WEATHER = FunctionTool.from_defaults(fn=get_weather)
ADD = FunctionTool.from_defaults(fn=add)


def call(name: str, args: dict[str, object], call_id: str = "call_1") -> dict[str, object]:
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(args)},
    }


class Person(BaseModel):
    """A person."""

    name: str
    age: int
    nickname: str | None = None


class Team(BaseModel):
    """A team with members."""

    title: str
    members: list[Person]


PROMPT = PromptTemplate("Extract the person from: {text}")


# --------------------------------------------------------------------------- preparing tool calls


def test_prepare_chat_with_tools_builds_the_request(llm: FriendliLLM) -> None:
    history = [ChatMessage(role="system", content="Be brief.")]
    kwargs = llm._prepare_chat_with_tools(
        [WEATHER], user_msg="Weather in Paris?", chat_history=history
    )
    assert [m.content for m in kwargs["messages"]] == ["Be brief.", "Weather in Paris?"]
    assert len(history) == 1  # the caller's history is not mutated
    assert kwargs["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": WEATHER.metadata.description,
                "parameters": {
                    "properties": {"city": {"title": "City", "type": "string"}},
                    "required": ["city"],
                    "type": "object",
                },
            },
        }
    ]
    assert kwargs["tool_choice"] == "auto"
    assert kwargs["parallel_tool_calls"] is False


@pytest.mark.parametrize(
    ("options", "choice", "parallel"),
    [
        ({"tool_required": True}, "required", False),
        ({"tool_choice": "add"}, {"type": "function", "function": {"name": "add"}}, False),
        ({"tool_choice": "none", "tool_required": True}, "none", False),
        ({"allow_parallel_tool_calls": True}, "auto", True),
    ],
)
def test_tool_choice_and_parallel_calls(
    api: MockAPI, llm: FriendliLLM, options: dict[str, object], choice: object, parallel: bool
) -> None:
    llm.chat_with_tools([WEATHER, ADD], user_msg="hi", **options)  # type: ignore[arg-type]
    assert api.last["tool_choice"] == choice
    assert api.last["parallel_tool_calls"] is parallel


def test_no_tools_is_a_plain_chat(api: MockAPI, llm: FriendliLLM) -> None:
    llm.chat_with_tools([], user_msg="hi", tool_required=True)
    assert api.last == {"model": llm.model, "messages": [{"role": "user", "content": "hi"}]}


# --------------------------------------------------------------------------- tool call responses


async def test_chat_with_tools_sync_and_async_exact_arguments(
    api: MockAPI, llm: FriendliLLM
) -> None:
    api.reply(
        completion(
            None, tool_calls=[call("get_weather", {"city": "Zürich"})], finish_reason="tool_calls"
        )
    )
    for response in (
        llm.chat_with_tools([WEATHER], user_msg="Weather in Zürich?"),
        await llm.achat_with_tools([WEATHER], user_msg="Weather in Zürich?"),
    ):
        (selection,) = llm.get_tool_calls_from_response(response)
        assert (selection.tool_id, selection.tool_name, selection.tool_kwargs) == (
            "call_1",
            "get_weather",
            {"city": "Zürich"},
        )


def _tool_stream() -> list[dict[str, object]]:
    return [
        chunk(
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "add", "arguments": ""},
                    }
                ],
            }
        ),
        chunk(
            {
                "tool_calls": [
                    {"index": 0, "type": "function", "function": {"arguments": '{"a": 2,'}}
                ]
            }
        ),
        chunk(
            {
                "tool_calls": [
                    {"index": 0, "type": "function", "function": {"arguments": ' "b": 3}'}}
                ]
            }
        ),
        chunk({}, "tool_calls"),
        USAGE_CHUNK,
    ]


async def test_stream_chat_with_tools_sync_and_async(api: MockAPI, llm: FriendliLLM) -> None:
    api.reply(sse(_tool_stream()))
    sync = list(llm.stream_chat_with_tools([ADD], user_msg="add 2 and 3"))
    asynchronous = [
        r async for r in await llm.astream_chat_with_tools([ADD], user_msg="add 2 and 3")
    ]
    for responses in (sync, asynchronous):
        partial = [
            llm.get_tool_calls_from_response(r, error_on_no_tool_call=False) for r in responses
        ]
        assert [[s.tool_kwargs for s in p] for p in partial] == [
            [{}],
            [{"a": 2}],
            [{"a": 2, "b": 3}],
            [{"a": 2, "b": 3}],
            [{"a": 2, "b": 3}],
        ]
    assert api.bodies[0]["tools"][0]["function"]["name"] == "add"


def test_get_tool_calls_without_calls(llm: FriendliLLM) -> None:
    response = llm.chat([ChatMessage(role="user", content="hi")])
    assert llm.get_tool_calls_from_response(response, error_on_no_tool_call=False) == []
    with pytest.raises(ValueError, match="Expected at least one tool call"):
        llm.get_tool_calls_from_response(response)


def test_only_the_first_call_is_kept_unless_parallel(api: MockAPI, llm: FriendliLLM) -> None:
    api.reply(
        completion(
            None,
            tool_calls=[call("add", {"a": 1, "b": 2}), call("add", {"a": 3, "b": 4}, "call_2")],
        )
    )
    single = llm.chat_with_tools([ADD], user_msg="add")
    both = llm.chat_with_tools([ADD], user_msg="add", allow_parallel_tool_calls=True)
    assert [s.tool_id for s in llm.get_tool_calls_from_response(single)] == ["call_1"]
    assert [s.tool_id for s in llm.get_tool_calls_from_response(both)] == ["call_1", "call_2"]


async def test_predict_and_call_sync_and_async(api: MockAPI, llm: FriendliLLM) -> None:
    api.reply(completion(None, tool_calls=[call("add", {"a": 2, "b": 3})]))
    assert llm.predict_and_call([ADD], user_msg="add 2 and 3").response == "5"
    assert (await llm.apredict_and_call([ADD], user_msg="add 2 and 3")).response == "5"


def test_predict_and_call_tool_errors(api: MockAPI, llm: FriendliLLM) -> None:
    api.reply(completion(None, tool_calls=[call("add", {"a": "two"})]))
    result = llm.predict_and_call([ADD], user_msg="add")
    assert result.sources[0].is_error
    with pytest.raises(ValueError, match="missing 1 required positional argument"):
        llm.predict_and_call([ADD], user_msg="add", error_on_tool_error=True)


def test_tool_round_trip_messages(api: MockAPI, llm: FriendliLLM) -> None:
    api.reply(completion(None, tool_calls=[call("add", {"a": 2, "b": 3})]), completion("It is 5."))
    first = llm.chat_with_tools([ADD], user_msg="add 2 and 3")
    history = [
        ChatMessage(role="user", content="add 2 and 3"),
        first.message,
        ChatMessage(role="tool", content="5", additional_kwargs={"tool_call_id": "call_1"}),
    ]
    assert llm.chat_with_tools([ADD], chat_history=history).message.content == "It is 5."
    assert api.last["messages"] == [
        {"role": "user", "content": "add 2 and 3"},
        {"role": "assistant", "content": None, "tool_calls": [call("add", {"a": 2, "b": 3})]},
        {"role": "tool", "content": "5", "tool_call_id": "call_1"},
    ]


# --------------------------------------------------------------------------- structured output


def _json_reply(obj: dict[str, object]) -> dict[str, object]:
    return completion(json.dumps(obj))


async def test_structured_predict_uses_the_json_schema_response_format(
    api: MockAPI, llm: FriendliLLM
) -> None:
    api.reply(_json_reply({"name": "Alice", "age": 30}))
    sync = llm.structured_predict(Person, PROMPT, text="Alice is 30")
    asynchronous = await llm.astructured_predict(Person, PROMPT, text="Alice is 30")
    assert sync == asynchronous == Person(name="Alice", age=30)
    body = api.last
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"schema": Person.model_json_schema()},
    }
    assert "tools" not in body
    # the prompt is sent as written: no JSON instruction is added (as in ChatFriendli and
    # llama-index-llms-openai; this adapter used to add a system message)
    assert body["messages"] == [{"role": "user", "content": "Extract the person from: Alice is 30"}]


def test_structured_predict_sends_the_system_prompt_unchanged(
    api: MockAPI, make_llm: Callable[..., FriendliLLM]
) -> None:
    api.reply(_json_reply({"name": "A", "age": 1}))
    make_llm(system_prompt="You extract data.").structured_predict(Person, PROMPT, text="A is 1")
    assert api.last["messages"] == [
        {"role": "system", "content": "You extract data."},
        {"role": "user", "content": "Extract the person from: A is 1"},
    ]


def test_structured_predict_nested_models(api: MockAPI, llm: FriendliLLM) -> None:
    api.reply(_json_reply({"title": "Core", "members": [{"name": "A", "age": 1, "nickname": "a"}]}))
    team = llm.structured_predict(Team, PromptTemplate("{text}"), text="team")
    assert team == Team(title="Core", members=[Person(name="A", age=1, nickname="a")])
    assert "$defs" in api.last["response_format"]["json_schema"]["schema"]


def test_structured_predict_invalid_reply_raises(api: MockAPI, llm: FriendliLLM) -> None:
    api.reply(_json_reply({"name": "A"}))
    with pytest.raises(ValidationError, match="age"):
        llm.structured_predict(Person, PROMPT, text="A")


async def test_stream_structured_predict(api: MockAPI, llm: FriendliLLM) -> None:
    api.reply(sse(text_stream('{"name": "Al', 'ice", "age": ', "30}")))
    partials = list(llm.stream_structured_predict(Person, PROMPT, text="Alice is 30"))
    apartials = [
        p async for p in await llm.astream_structured_predict(Person, PROMPT, text="Alice is 30")
    ]
    for stream in (partials, apartials):
        assert stream[-1] == Person(name="Alice", age=30)
        assert len(stream) > 2
    assert api.last["response_format"]["type"] == "json_schema"


# StructuredLLM.stream_chat itself calls the deprecated pydantic `.json()` (llama-index-core 0.14.25)
@pytest.mark.filterwarnings("ignore:The `json` method is deprecated:DeprecationWarning")
async def test_as_structured_llm(api: MockAPI, llm: FriendliLLM) -> None:
    api.reply(_json_reply({"name": "Bo", "age": 4}))
    structured = llm.as_structured_llm(Person)
    messages = [ChatMessage(role="user", content="Bo is 4")]
    for response in (structured.chat(messages), await structured.achat(messages)):
        assert response.raw == Person(name="Bo", age=4)
        assert json.loads(response.message.content or "") == {
            "name": "Bo",
            "age": 4,
            "nickname": None,
        }
    api.reply(sse(text_stream('{"name": "Bo", ', '"age": 4}')))
    streamed = list(structured.stream_chat(messages))
    assert streamed[-1].raw == Person(name="Bo", age=4)


async def test_function_calling_mode_is_the_fallback(
    api: MockAPI, make_llm: Callable[..., FriendliLLM]
) -> None:
    api.reply(completion(None, tool_calls=[call("Person", {"name": "Cy", "age": 5})]))
    llm = make_llm(pydantic_program_mode=PydanticProgramMode.FUNCTION)
    assert llm.structured_predict(Person, PROMPT, text="Cy is 5") == Person(name="Cy", age=5)
    assert await llm.astructured_predict(Person, PROMPT, text="Cy is 5") == Person(name="Cy", age=5)
    body = api.last
    assert body["tool_choice"] == "required"
    assert [t["function"]["name"] for t in body["tools"]] == ["Person"]
    assert "response_format" not in body


def test_json_schema_mode_drops_tool_kwargs(api: MockAPI, llm: FriendliLLM) -> None:
    api.reply(_json_reply({"name": "D", "age": 6}))
    llm.structured_predict(
        Person, PROMPT, llm_kwargs={"tool_choice": "required", "temperature": 0.0}, text="D"
    )
    assert "tool_choice" not in api.last
    assert api.last["temperature"] == 0.0


def test_tools_and_response_format_together_are_rejected(api: MockAPI, llm: FriendliLLM) -> None:
    with pytest.raises(InvalidRequestError, match="tools and response_format"):
        llm.chat_with_tools([ADD], user_msg="x", response_format={"type": "json_object"})
    assert api.requests == []
