"""A LangChain retriever on Friendli: `FriendliEmbeddings`, an in-memory store, `ChatFriendli`.

With `FRIENDLI_TOKEN` and `FRIENDLI_EMBEDDING_ENDPOINT` (a dedicated endpoint ID serving an
embedding model; serverless serves no embeddings) set, embeds on that endpoint and answers with
Friendli serverless (model from `FRIENDLI_MODEL`). Otherwise runs against the offline
Friendli-compatible server (`friendli_core.testing`), whose embeddings are a hashed bag of words:
good enough to find the chunk that shares the question's words.

Run: `python examples/langchain_retriever.py`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough
from langchain_core.vectorstores import InMemoryVectorStore

from friendli_core import DEFAULT_BASE_URLS
from langchain_friendli import ChatFriendli, FriendliEmbeddings

DOCUMENTS = [
    Document(
        page_content="Friendli Serverless Endpoints run popular open models; you pay per token.",
        metadata={"source": "serverless.md"},
    ),
    Document(
        page_content="Friendli Dedicated Endpoints run your fine-tuned models on reserved GPUs.",
        metadata={"source": "dedicated.md"},
    ),
    Document(
        page_content="Friendli Container runs the Friendli Engine on your own infrastructure.",
        metadata={"source": "container.md"},
    ),
]
PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "Answer from the context only.\n\nContext:\n{context}"),
        ("human", "{question}"),
    ]
)


@contextmanager
def models() -> Iterator[tuple[FriendliEmbeddings, ChatFriendli]]:
    """The embeddings and chat model: FriendliAI when configured, else the local server."""
    endpoint = os.environ.get("FRIENDLI_EMBEDDING_ENDPOINT")
    if os.environ.get("FRIENDLI_TOKEN") and endpoint:
        model = os.environ.get("FRIENDLI_MODEL", "deepseek-ai/DeepSeek-V3.2")
        yield (
            FriendliEmbeddings(model=endpoint, base_url=DEFAULT_BASE_URLS["dedicated"]),
            ChatFriendli(model=model, temperature=0),
        )
        return
    from friendli_core.testing import LocalServer

    with LocalServer() as server:
        print(f"Using the offline local Friendli server at {server.url}.")
        yield (
            FriendliEmbeddings(
                model="my-embeddings-endpoint", base_url=server.dedicated_url, api_key=server.token
            ),
            ChatFriendli(
                model="friendli-local-model", base_url=server.serverless_url, api_key=server.token
            ),
        )


def format_docs(docs: list[Document]) -> str:
    """The retrieved chunks, one per line, with their source."""
    return "\n".join(f"[{d.metadata['source']}] {d.page_content}" for d in docs)


def answer(question: str, embeddings: FriendliEmbeddings, llm: ChatFriendli) -> dict[str, Any]:
    """Index the documents, retrieve the closest chunk for `question`, and answer from it."""
    store = InMemoryVectorStore.from_documents(DOCUMENTS, embeddings)
    retriever = store.as_retriever(search_kwargs={"k": 1})
    chain = (
        {"context": retriever | format_docs, "question": RunnablePassthrough()}
        | PROMPT
        | llm
        | StrOutputParser()
    )
    return {"sources": retriever.invoke(question), "answer": chain.invoke(question)}


def main() -> int:
    """Ask one question and print the retrieved source and the answer."""
    with models() as (embeddings, llm):
        result = answer("Where does Friendli Container run?", embeddings, llm)
    print(f"retrieved: {[d.metadata['source'] for d in result['sources']]}")
    print(f"answer: {result['answer']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
