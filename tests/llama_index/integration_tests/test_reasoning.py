"""Reasoning on FriendliLLM against the local server, proven from the request bodies it got.

The model is one the catalog snapshot marks `interleaved` (it reads its earlier reasoning back
as `reasoning_content`): `thinking=True` turns its thinking on, and every later request carries
the reasoning of each earlier assistant turn, for chat, stream and a FunctionAgent tool loop.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, ThinkingBlock
from llama_index.core.tools import FunctionTool

from friendli_core import InvalidRequestError
from friendli_core.catalog import known_model
from friendli_core.testing import LocalServer, RequestLog
from llama_index_friendli import FriendliLLM

MODEL = "deepseek-ai/DeepSeek-V3.2"
MODES = pytest.mark.parametrize("mode", ["chat", "achat", "stream_chat", "astream_chat"])
pytestmark = [  # see test_agents.py: warnings from inside llama-index's workflows
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince20"),
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince211"),
]


def test_the_model_is_interleaved_in_the_snapshot() -> None:
    info = known_model(MODEL)
    assert info is not None
    assert info.interleaved is not None
    assert info.interleaved.field == "reasoning_content"


@pytest.fixture
def thinking_llm(make_llm: Callable[..., FriendliLLM]) -> FriendliLLM:
    return make_llm(model=MODEL, thinking=True, additional_kwargs={"parse_reasoning": True})


async def run(
    llm: FriendliLLM, mode: str, messages: list[ChatMessage], **kw: object
) -> ChatResponse:
    """One chat reply: direct (sync/async), or the last response of a stream (sync/async)."""
    if mode == "chat":
        return llm.chat(messages, **kw)
    if mode == "achat":
        return await llm.achat(messages, **kw)
    if mode == "stream_chat":
        return list(llm.stream_chat(messages, **kw))[-1]
    return [r async for r in await llm.astream_chat(messages, **kw)][-1]


def thought_of(reply: ChatResponse) -> str:
    blocks = [b.content for b in reply.message.blocks if isinstance(b, ThinkingBlock)]
    assert len(blocks) == 1
    return blocks[0] or ""


@MODES
async def test_reasoning_is_sent_back_on_every_later_turn(
    thinking_llm: FriendliLLM, friendli_requests: RequestLog, mode: str
) -> None:
    history = [ChatMessage(role="user", content="Why is the sky blue?")]
    thoughts = []
    for question in ("And sunsets?", "And the sea?"):
        reply = await run(thinking_llm, mode, history)
        thoughts.append(thought_of(reply))
        assert "<think>" not in (reply.message.content or "")
        history += [reply.message, ChatMessage(role="user", content=question)]
    await run(thinking_llm, mode, history)
    bodies = [r.body for r in friendli_requests]
    assert all(b["chat_template_kwargs"] == {"enable_thinking": True} for b in bodies)
    assert all(thoughts)
    last = bodies[-1]["messages"]
    assert [m["reasoning_content"] for m in last if m["role"] == "assistant"] == thoughts
    assert bodies[1]["messages"][1]["reasoning_content"] == thoughts[0]


@MODES
async def test_switch_off_per_call_gives_no_reasoning(
    thinking_llm: FriendliLLM, friendli_requests: RequestLog, mode: str
) -> None:
    user = [ChatMessage(role="user", content="Why is the sky blue?")]
    reply = await run(thinking_llm, mode, user, thinking=False)
    assert not [b for b in reply.message.blocks if isinstance(b, ThinkingBlock)]
    assert friendli_requests.last.body["chat_template_kwargs"] == {"enable_thinking": False}


def multiply(a: int, b: int) -> int:
    """Multiply two integers and return the product."""
    return a * b


@pytest.mark.parametrize("streaming", [True, False])
async def test_agent_loop_sends_the_tool_turns_reasoning_back(
    thinking_llm: FriendliLLM, friendli_requests: RequestLog, *, streaming: bool
) -> None:
    agent = FunctionAgent(
        tools=[FunctionTool.from_defaults(fn=multiply)], llm=thinking_llm, streaming=streaming
    )
    answer = await agent.run("Use multiply to compute 6 times 7")
    assert "42" in str(answer)
    bodies = [r.body for r in friendli_requests]
    assert len(bodies) == 2
    assert all(b["chat_template_kwargs"] == {"enable_thinking": True} for b in bodies)
    assistant = bodies[1]["messages"][1]
    assert assistant["tool_calls"][0]["function"]["name"] == "multiply"
    # the reasoning the first reply carried, as the local server writes it for this question
    first = thinking_llm.chat(
        [ChatMessage(role="user", content=bodies[0]["messages"][0]["content"])]
    )
    assert assistant["reasoning_content"] == thought_of(first)


def test_catalog_refusals_happen_before_sending(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    settings = {"base_url": friendli_server.serverless_url, "api_key": friendli_server.token}
    friendli_server.register_model("my-org/plain-7b", reasoning=False)
    try:
        plain = FriendliLLM.from_server(model="my-org/plain-7b", **settings)
        with pytest.raises(InvalidRequestError, match="'my-org/plain-7b' does not reason"):
            plain.chat([ChatMessage(role="user", content="Hi")], thinking=False)
    finally:
        friendli_server.unregister_model("my-org/plain-7b")
    glm = FriendliLLM.from_server(model="zai-org/GLM-5.2", **settings)
    with pytest.raises(InvalidRequestError, match="takes reasoning_effort 'high', 'max'"):
        glm.complete("Hi", reasoning_effort="low")
    assert [r.method for r in friendli_requests] == ["GET", "GET"]
    glm.complete("Hi", reasoning_effort="max")
    assert friendli_requests.last.body["reasoning_effort"] == "max"


def test_token_counts_render_with_the_switch(
    make_llm: Callable[..., FriendliLLM], friendli_requests: RequestLog
) -> None:
    llm = make_llm(model=MODEL, thinking=False, chat_template_kwargs={"lang": "ko"})
    assert llm.count_tokens([ChatMessage(role="user", content="Why is the sky blue?")]) > 0
    render = next(r for r in friendli_requests if r.path.endswith("/chat/render"))
    assert render.body["chat_template_kwargs"] == {"lang": "ko", "enable_thinking": False}


def test_the_switch_survives_template_variables_in_extra_body(
    make_llm: Callable[..., FriendliLLM], friendli_requests: RequestLog
) -> None:
    extra = {"extra_body": {"chat_template_kwargs": {"lang": "ko"}}}
    llm = make_llm(model=MODEL, thinking=False, additional_kwargs=extra)
    llm.chat([ChatMessage(role="user", content="Why is the sky blue?")])
    assert friendli_requests.last.body["chat_template_kwargs"] == {
        "lang": "ko",
        "enable_thinking": False,
    }
    with pytest.raises(InvalidRequestError, match="conflicts with extra_body"):
        llm.complete("Hi", extra_body={"chat_template_kwargs": {"enable_thinking": True}})
    assert len(friendli_requests) == 1
