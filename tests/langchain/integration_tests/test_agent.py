"""A `langchain.agents.create_agent` tool-calling agent on ChatFriendli really calls its tool."""

from __future__ import annotations

from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool

from langchain_friendli import ChatFriendli


@pytest.fixture
def weather_tool() -> tuple[Any, list[str]]:
    calls: list[str] = []

    @tool
    def get_weather(city: str) -> str:
        """Get the current weather for a city."""
        calls.append(city)
        return f"It is 21 degrees and sunny in {city}."

    return get_weather, calls


@pytest.mark.parametrize("streaming", [False, True])
async def test_agent_calls_the_tool_and_answers_from_it(
    friendli_server: Any,
    friendli_requests: Any,
    weather_tool: tuple[Any, list[str]],
    streaming: bool,
) -> None:
    get_weather, calls = weather_tool
    model = ChatFriendli(
        model="friendli-local-model",
        base_url=friendli_server.serverless_url,
        api_key=friendli_server.token,
        streaming=streaming,
    )
    agent = create_agent(model, tools=[get_weather], system_prompt="You are a weather assistant.")
    state = await agent.ainvoke({"messages": [("user", "What is the weather in 'Paris'?")]})

    assert calls == ["Paris"]
    messages = state["messages"]
    tool_messages = [m for m in messages if isinstance(m, ToolMessage)]
    assert [m.content for m in tool_messages] == ["It is 21 degrees and sunny in Paris."]
    final = messages[-1]
    assert isinstance(final, AIMessage)
    assert not final.tool_calls
    assert "21 degrees and sunny in Paris" in final.text

    bodies = [r.body for r in friendli_requests if r.path.endswith("/chat/completions")]
    assert len(bodies) == 2
    assert [t["function"]["name"] for t in bodies[0]["tools"]] == ["get_weather"]
    second = bodies[1]["messages"]
    assert second[0] == {"role": "system", "content": "You are a weather assistant."}
    assistant, tool_result = second[-2], second[-1]
    call_id = assistant["tool_calls"][0]["id"]
    assert assistant["tool_calls"][0]["function"] == {
        "name": "get_weather",
        "arguments": '{"city": "Paris"}',
    }
    assert tool_result == {
        "role": "tool",
        "content": "It is 21 degrees and sunny in Paris.",
        "tool_call_id": call_id,
        "name": "get_weather",
    }
    assert all(b.get("stream", False) is streaming for b in bodies)
