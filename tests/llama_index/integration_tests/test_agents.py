"""LlamaIndex agents and a query engine running on `FriendliLLM` against the local server."""

from __future__ import annotations

import pytest
from llama_index.core import Document, VectorStoreIndex
from llama_index.core.agent.workflow import FunctionAgent, ReActAgent, ToolCallResult
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.tools import FunctionTool

from friendli_core.testing import RequestLog
from llama_index_friendli import FriendliLLM

# Constructing a workflow agent runs `inspect.getmembers` over the pydantic agent (llama-index
# workflows `get_steps_from_instance`) and ReActAgent reads `ctx.is_running` inside a step: both
# warn from inside llama-index 0.14.25, not from this package.
pytestmark = [
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince20"),
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince211"),
    pytest.mark.filterwarnings("ignore:is_running called from within a step:DeprecationWarning"),
]

CALLS: list[tuple[int, int]] = []


def multiply(a: int, b: int) -> int:
    """Multiply two integers and return the product."""
    CALLS.append((a, b))
    return a * b


def add(a: int, b: int) -> int:
    """Add two integers and return the sum."""
    CALLS.append((a, b))
    return a + b


@pytest.fixture(autouse=True)
def _reset_calls() -> None:
    CALLS.clear()


async def _run(
    agent: FunctionAgent | ReActAgent, question: str
) -> tuple[str, list[ToolCallResult]]:
    handler = agent.run(question)
    results = [e async for e in handler.stream_events() if isinstance(e, ToolCallResult)]
    return str(await handler), results


@pytest.mark.parametrize("streaming", [True, False])
async def test_function_agent_calls_the_tool_and_answers_from_it(
    llm: FriendliLLM, friendli_requests: RequestLog, streaming: bool
) -> None:
    agent = FunctionAgent(
        tools=[FunctionTool.from_defaults(fn=multiply)], llm=llm, streaming=streaming
    )
    answer, results = await _run(agent, "Use multiply to compute 6 times 7")
    assert CALLS == [(6, 7)]
    assert [(r.tool_name, r.tool_kwargs, r.tool_output.content) for r in results] == [
        ("multiply", {"a": 6, "b": 7}, "42")
    ]
    assert "42" in answer
    assert len(friendli_requests) == 2
    assert all(r.body.get("stream", False) is streaming for r in friendli_requests)
    first, second = (r.body["messages"] for r in friendli_requests)
    assert first == [{"role": "user", "content": "Use multiply to compute 6 times 7"}]
    assert second[1]["tool_calls"][0]["function"]["name"] == "multiply"
    assert second[2] == {
        "role": "tool",
        "content": "42",
        "tool_call_id": second[1]["tool_calls"][0]["id"],
    }


async def test_function_agent_multi_step(llm: FriendliLLM, friendli_requests: RequestLog) -> None:
    agent = FunctionAgent(
        tools=[FunctionTool.from_defaults(fn=multiply), FunctionTool.from_defaults(fn=add)],
        llm=llm,
        allow_parallel_tool_calls=True,
    )
    answer, results = await _run(agent, "Call multiply(6, 7) and add(2, 3)")
    assert sorted(r.tool_name for r in results) == ["add", "multiply"]
    assert sorted(CALLS) == [(2, 3), (6, 7)]
    assert "42" in answer
    assert "5" in answer
    assert friendli_requests.last.body["parallel_tool_calls"] is True


async def test_react_agent_calls_the_tool_and_answers_from_it(
    llm: FriendliLLM, friendli_requests: RequestLog
) -> None:
    agent = ReActAgent(tools=[FunctionTool.from_defaults(fn=multiply)], llm=llm)
    answer, results = await _run(agent, "Use multiply to compute 6 times 7")
    assert CALLS == [(6, 7)]
    assert [(r.tool_name, r.tool_kwargs, r.tool_output.content) for r in results] == [
        ("multiply", {"a": 6, "b": 7}, "42")
    ]
    assert answer == "42"
    assert len(friendli_requests) == 2
    assert "tools" not in friendli_requests.last.body
    assert friendli_requests.last.body["messages"][-1] == {
        "role": "user",
        "content": "Observation: 42",
    }


async def test_vector_store_query_engine(llm: FriendliLLM, friendli_requests: RequestLog) -> None:
    documents = [
        Document(text="The capital of Freedonia is Fredville."),
        Document(text="Sylvania exports cheese and clocks."),
        Document(text="Otters hold hands while sleeping."),
    ]
    index = VectorStoreIndex.from_documents(documents, embed_model=MockEmbedding(embed_dim=8))
    engine = index.as_query_engine(llm=llm, similarity_top_k=3)
    response = engine.query("What is the capital of Freedonia?")
    aresponse = await engine.aquery("What is the capital of Freedonia?")
    assert len(response.source_nodes) == 3
    assert "Fredville" in str(response)
    assert str(response) == str(aresponse)
    (system, user) = friendli_requests.last.body["messages"]
    assert system["role"] == "system"
    assert "What is the capital of Freedonia?" in user["content"]
    assert all(d.text in user["content"] for d in documents)
    streaming = index.as_query_engine(llm=llm, similarity_top_k=3, streaming=True)
    streamed = streaming.query("What is the capital of Freedonia?")
    assert "".join(streamed.response_gen) == str(response)
    assert friendli_requests.last.body["stream"] is True
