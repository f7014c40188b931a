"""Reasoning on ChatFriendli against the local server, proven from the request bodies it got.

The model is one the catalog snapshot marks `interleaved` (it reads its earlier reasoning back
as `reasoning_content`): the switch turns its thinking on, and every later request carries the
reasoning of each earlier assistant turn, for invoke, stream and a tool-calling agent loop.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.tools import tool

from friendli_core import InvalidRequestError
from friendli_core.catalog import known_model
from friendli_core.testing import LocalServer, RequestLog
from langchain_friendli import ChatFriendli
from tests.langchain.integration_tests.test_chat_models import run

MODEL = "deepseek-ai/DeepSeek-V3.2"
MODES = pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])


def test_the_model_is_interleaved_in_the_snapshot() -> None:
    info = known_model(MODEL)
    assert info is not None
    assert info.interleaved is not None
    assert info.interleaved.field == "reasoning_content"


def thinking_model(server: LocalServer, **fields: Any) -> ChatFriendli:
    return ChatFriendli(
        model=MODEL,
        base_url=server.serverless_url,
        api_key=server.token,
        reasoning=True,
        parse_reasoning=True,
        **fields,
    )


@MODES
async def test_reasoning_is_sent_back_on_every_later_turn(
    friendli_server: LocalServer, friendli_requests: RequestLog, mode: str
) -> None:
    model = thinking_model(friendli_server)
    history: list[BaseMessage] = [HumanMessage("Why is the sky blue?")]
    thoughts = []
    for question in ("And sunsets?", "And the sea?"):
        reply = await run(model, mode, history)
        thoughts.append(reply.additional_kwargs["reasoning_content"])
        assert "<think>" not in reply.text
        history += [
            AIMessage(content=reply.content, additional_kwargs=reply.additional_kwargs),
            HumanMessage(question),
        ]
    await run(model, mode, history)
    bodies = [r.body for r in friendli_requests]
    assert all(b["chat_template_kwargs"] == {"enable_thinking": True} for b in bodies)
    assert all(thoughts)
    last = bodies[-1]["messages"]
    sent = [m["reasoning_content"] for m in last if m["role"] == "assistant"]
    assert sent == thoughts
    assert bodies[1]["messages"][1]["reasoning_content"] == thoughts[0]


@MODES
async def test_switch_off_per_call_gives_no_reasoning(
    friendli_server: LocalServer, friendli_requests: RequestLog, mode: str
) -> None:
    reply = await run(
        thinking_model(friendli_server), mode, "Why is the sky blue?", reasoning=False
    )
    assert "reasoning_content" not in reply.additional_kwargs
    assert friendli_requests.last.body["chat_template_kwargs"] == {"enable_thinking": False}


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"It is 21 degrees and sunny in {city}."


@pytest.mark.parametrize("streaming", [False, True])
async def test_agent_loop_sends_the_tool_turns_reasoning_back(
    friendli_server: LocalServer, friendli_requests: RequestLog, *, streaming: bool
) -> None:
    model = thinking_model(friendli_server, streaming=streaming)
    agent = create_agent(model, tools=[get_weather])
    state = await agent.ainvoke({"messages": [("user", "What is the weather in 'Paris'?")]})
    tool_turn = next(m for m in state["messages"] if isinstance(m, AIMessage) and m.tool_calls)
    thought = tool_turn.additional_kwargs["reasoning_content"]
    assert thought
    bodies = [r.body for r in friendli_requests]
    assert len(bodies) == 2
    assert all(b["chat_template_kwargs"] == {"enable_thinking": True} for b in bodies)
    assistant = bodies[1]["messages"][1]
    assert assistant["tool_calls"][0]["function"]["name"] == "get_weather"
    assert assistant["reasoning_content"] == thought
    assert state["messages"][-1].additional_kwargs["reasoning_content"]


def test_catalog_refusals_happen_before_sending(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    friendli_server.register_model("my-org/plain-7b", reasoning=False)
    try:
        plain = ChatFriendli.from_server(
            model="my-org/plain-7b",
            base_url=friendli_server.serverless_url,
            api_key=friendli_server.token,
        )
        with pytest.raises(InvalidRequestError, match="'my-org/plain-7b' does not reason"):
            plain.invoke("Hi", reasoning=True)
    finally:
        friendli_server.unregister_model("my-org/plain-7b")
    glm = ChatFriendli.from_server(
        model="zai-org/GLM-5.2",
        base_url=friendli_server.serverless_url,
        api_key=friendli_server.token,
    )
    with pytest.raises(InvalidRequestError, match="takes reasoning_effort 'high', 'max'"):
        glm.invoke("Hi", reasoning_effort="low")
    assert [r.method for r in friendli_requests] == ["GET", "GET"]
    glm.invoke("Hi", reasoning_effort="max")
    assert friendli_requests.last.body["reasoning_effort"] == "max"


def test_token_counts_render_with_the_switch(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    model = thinking_model(friendli_server, chat_template_kwargs={"lang": "ko"})
    assert model.get_num_tokens_from_messages([HumanMessage("Why is the sky blue?")]) > 0
    render = next(r for r in friendli_requests if r.path.endswith("/chat/render"))
    assert render.body["chat_template_kwargs"] == {"lang": "ko", "enable_thinking": True}


def test_the_switch_survives_template_variables_in_extra_body(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    model = thinking_model(friendli_server, extra_body={"chat_template_kwargs": {"lang": "ko"}})
    model.invoke("Why is the sky blue?")
    assert friendli_requests.last.body["chat_template_kwargs"] == {
        "lang": "ko",
        "enable_thinking": True,
    }
    with pytest.raises(InvalidRequestError, match="conflicts with extra_body"):
        model.invoke("Hi", extra_body={"chat_template_kwargs": {"enable_thinking": False}})
    assert len(friendli_requests) == 1
