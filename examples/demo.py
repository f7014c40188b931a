"""`make demo`: the integration end to end, in under a minute.

With `FRIENDLI_TOKEN` set, talks to Friendli's serverless API (model from `FRIENDLI_MODEL`), and
embeds on the dedicated endpoint named by `FRIENDLI_EMBEDDING_ENDPOINT` (serverless serves no
embeddings; without it the retrieval section is skipped). Otherwise starts the offline
Friendli-compatible server (`friendli_core.testing`) on a free port and uses it for both. Shows a
LangChain chain, token streaming, a tool-calling agent, structured output, logprobs and usage,
then a LlamaIndex query engine (FriendliEmbedding + FriendliLLM) and a FunctionAgent.
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

from friendli_core import DEFAULT_BASE_URLS
from langchain_friendli import ChatFriendli
from llama_index_friendli import FriendliEmbedding, FriendliLLM

DEFAULT_MODEL = "deepseek-ai/DeepSeek-V3.2"


@dataclass(frozen=True)
class Target:
    """Where the demo sends its requests."""

    base_url: str | None
    token: str
    model: str
    embed_base_url: str
    embed_model: str | None  # a dedicated endpoint ID serving an embedding model
    offline: bool = False  # the local server, whose model echoes


ECHO_NOTICE = (
    "The local model is not a language model: it echoes (part of) the prompt. The answers "
    "below show the wiring (requests, streaming, tool calls, structured output, retrieval), "
    "not a model's quality. Set FRIENDLI_TOKEN to see real answers."
)
ECHO_SHOWN = 160
"""Characters of an offline RAG answer shown: the echo repeats the whole RAG prompt."""


@contextlib.contextmanager
def target() -> Iterator[Target]:
    """Friendli serverless when FRIENDLI_TOKEN is set, else the local server."""
    token = os.environ.get("FRIENDLI_TOKEN")
    model = os.environ.get("FRIENDLI_MODEL", DEFAULT_MODEL)
    if token:
        print(f"Using Friendli serverless with model {model} (FRIENDLI_TOKEN is set).")
        embed_model = os.environ.get("FRIENDLI_EMBEDDING_ENDPOINT")
        yield Target(None, token, model, DEFAULT_BASE_URLS["dedicated"], embed_model)
        return
    from friendli_core.testing import LocalServer

    with LocalServer() as server:
        print(f"No FRIENDLI_TOKEN: using the offline local Friendli server at {server.url}.")
        print(ECHO_NOTICE)
        yield Target(
            server.serverless_url,
            server.token,
            model,
            server.dedicated_url,
            "my-embeddings-endpoint",
            offline=True,
        )


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
    from llama_index.core.agent.workflow import FunctionAgent

    llm = FriendliLLM(model=t.model, api_key=t.token, base_url=t.base_url, temperature=0)
    section("LlamaIndex: query engine (FriendliEmbedding retrieves, FriendliLLM answers)")
    if t.embed_model is None:
        print("skipped: set FRIENDLI_EMBEDDING_ENDPOINT to a dedicated embedding endpoint ID.")
    else:
        rag_demo(t, llm)

    section("LlamaIndex: FunctionAgent calling a Python tool")

    def multiply(a: int, b: int) -> int:
        """Multiply two integers."""
        return a * b

    agent = FunctionAgent(tools=[multiply], llm=llm)
    print(asyncio.run(_run_agent(agent, "Use multiply(6, 7) and tell me the result.")))


def rag_demo(t: Target, llm: FriendliLLM) -> None:
    """Index three documents with FriendliEmbedding; retrieve the closest one and answer."""
    from llama_index.core import Document, VectorStoreIndex

    embed_model = FriendliEmbedding(
        model_name=t.embed_model or "", api_key=t.token, base_url=t.embed_base_url
    )
    docs = [
        Document(text="FriendliAI serves LLMs on serverless, dedicated and container endpoints."),
        Document(text="The friendli-integrations package adds LangChain and LlamaIndex models."),
        Document(text="Photosynthesis turns sunlight, water and carbon dioxide into sugar."),
    ]
    index = VectorStoreIndex.from_documents(docs, embed_model=embed_model)
    engine = index.as_query_engine(llm=llm, similarity_top_k=1)
    response = engine.query("Which endpoints does FriendliAI offer?")
    print(f"retrieved: {response.source_nodes[0].node.get_content()}")
    answer = str(response)
    if t.offline and len(answer) > ECHO_SHOWN:
        shown = " ".join(answer[:ECHO_SHOWN].split())
        answer = f"{shown}... (the local model echoed the {len(answer)}-character RAG prompt)"
    print(f"answer: {answer}")


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
