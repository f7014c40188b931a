"""The LangChain retriever example finds the right chunk on the local server."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from friendli_core.testing import LocalServer, RequestLog
from langchain_friendli import ChatFriendli, FriendliEmbeddings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "langchain_retriever.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("langchain_retriever_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("Where does Friendli Container run?", "container.md"),
        ("How do I pay for serverless endpoints?", "serverless.md"),
        ("Can I run my fine-tuned models on reserved GPUs?", "dedicated.md"),
    ],
)
def test_retriever_example_answers_from_the_closest_chunk(
    friendli_server: LocalServer, friendli_requests: RequestLog, question: str, source: str
) -> None:
    example = _load()
    embeddings = FriendliEmbeddings(
        model="ep-1", base_url=friendli_server.dedicated_url, api_key=friendli_server.token
    )
    llm = ChatFriendli(
        model="friendli-local-model",
        base_url=friendli_server.serverless_url,
        api_key=friendli_server.token,
    )
    result = example.answer(question, embeddings, llm)
    assert [d.metadata["source"] for d in result["sources"]] == [source]
    chat = friendli_requests.last.body
    assert source in chat["messages"][0]["content"]  # the retrieved chunk went to the model
    assert any(r.path == "/dedicated/v1/embeddings" for r in friendli_requests)
