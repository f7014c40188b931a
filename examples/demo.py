"""`make demo`: the integration end to end, in under a minute.

With `FRIENDLI_TOKEN` set, talks to Friendli's serverless API (model from `FRIENDLI_MODEL`).
Otherwise starts the offline Friendli-compatible server (`friendli_core.testing`) on a free
port and uses it. Shows a LangChain chain, token streaming, a tool-calling agent, structured
output, logprobs and usage, then a LlamaIndex query engine and a FunctionAgent.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool
from pydantic import BaseModel, Field

from langchain_friendli import ChatFriendli
from llama_index_friendli import FriendliLLM

DEFAULT_MODEL = "meta-llama-3.1-8b-instruct"


@dataclass(frozen=True)
class Target:
    """Where the demo sends its requests."""

    base_url: str | None
    token: str
    model: str


@contextlib.contextmanager
def target() -> Iterator[Target]:
    """Friendli serverless when FRIENDLI_TOKEN is set, else the local server."""
    token = os.environ.get("FRIENDLI_TOKEN")
    model = os.environ.get("FRIENDLI_MODEL", DEFAULT_MODEL)
    if token:
        print(f"Using Friendli serverless with model {model} (FRIENDLI_TOKEN is set).")
        yield Target(None, token, model)
        return
    from friendli_core.testing import LocalServer

    with LocalServer() as server:
        print(f"No FRIENDLI_TOKEN: using the offline local Friendli server at {server.url}.")
        yield Target(server.serverless_url, server.token, model)


def section(title: str) -> None:
    """Print a section header."""
    print(f"\n=== {title} ===")


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"It is 21 degrees and sunny in {city}."


class Movie(BaseModel):
    """A movie recommendation."""

    title: str = Field(description="Title of the movie")
    year: int = Field(description="Year of release", ge=1888, le=2100)


def langchain_demo(t: Target) -> None:
    """Chain, streaming, agent, structured output, logprobs and usage with ChatFriendli."""
    from langchain.agents import create_agent

    llm = ChatFriendli(model=t.model, api_key=t.token, base_url=t.base_url, temperature=0)
    section("LangChain: prompt | ChatFriendli | parser")
    prompt = ChatPromptTemplate.from_messages(
        [("system", "You are concise."), ("human", "Say hello to {name}.")]
    )
    print((prompt | llm | StrOutputParser()).invoke({"name": "Ada"}))

    section("LangChain: streaming tokens as they arrive")
    for chunk in llm.stream("Tell me about streaming in one sentence."):
        if chunk.content:  # the last chunks carry only the finish reason and usage
            print(chunk.content, end="|", flush=True)
    print()

    section("LangChain: tool-calling agent (create_agent)")
    agent = create_agent(llm, tools=[get_weather])
    result = agent.invoke({"messages": [("human", "What is the weather in 'Paris'?")]})
    for message in result["messages"]:
        calls = getattr(message, "tool_calls", None)
        shown = f"tool_calls={[(c['name'], c['args']) for c in calls]}" if calls else message.text
        print(f"{message.type:>5}: {shown}")

    section("LangChain: structured output into a Pydantic object")
    movie = llm.with_structured_output(Movie).invoke("Recommend a movie, as JSON.")
    print(repr(movie))

    section("LangChain: logprobs and usage")
    reply = llm.bind(logprobs=True, top_logprobs=2).invoke("Name a color.")
    for entry in reply.response_metadata["logprobs"]["content"][:5]:
        print(f"  {entry['token']!r:>12} logprob={entry['logprob']:.3f}")
    print(f"usage: {reply.usage_metadata}")


def llama_index_demo(t: Target) -> None:
    """A query engine over local documents and a FunctionAgent with FriendliLLM."""
    from llama_index.core import Document, Settings, VectorStoreIndex
    from llama_index.core.agent.workflow import FunctionAgent
    from llama_index.core.embeddings import MockEmbedding

    llm = FriendliLLM(model=t.model, api_key=t.token, base_url=t.base_url, temperature=0)
    Settings.embed_model = MockEmbedding(embed_dim=64)  # offline; not about retrieval quality
    section("LlamaIndex: query engine over local documents")
    docs = [
        Document(text="FriendliAI serves LLMs on serverless, dedicated and container endpoints."),
        Document(text="The friendli-integrations package adds LangChain and LlamaIndex models."),
    ]
    engine = VectorStoreIndex.from_documents(docs).as_query_engine(llm=llm)
    print(engine.query("Which endpoints does FriendliAI offer?"))

    section("LlamaIndex: FunctionAgent calling a Python tool")

    def multiply(a: int, b: int) -> int:
        """Multiply two integers."""
        return a * b

    agent = FunctionAgent(tools=[multiply], llm=llm)
    print(asyncio.run(_run_agent(agent, "Use multiply(6, 7) and tell me the result.")))


async def _run_agent(agent: object, question: str) -> str:
    return str(await agent.run(question))  # type: ignore[attr-defined]


def main() -> int:
    """Run every section; exit 0 on success."""
    with target() as t:
        langchain_demo(t)
        llama_index_demo(t)
    print("\nDemo finished.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
