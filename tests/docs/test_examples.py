"""The LangChain retriever example finds the right chunk on the local server."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from friendli_core.testing import LocalServer, RequestLog
from langchain_friendli import ChatFriendli, FriendliEmbeddings
from tests.fresh import run_hiding

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE = EXAMPLES / "langchain_retriever.py"


def _load(path: Path = EXAMPLE) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"{path.stem}_example", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
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


def test_the_offline_demo_says_the_local_model_echoes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("FRIENDLI_TOKEN", raising=False)
    demo = _load(EXAMPLES / "demo.py")
    with demo.target() as target:
        said = capsys.readouterr().out
        assert "it echoes (part of) the prompt" in said
        assert "show the wiring" in said
        assert "not a model's quality" in said
        llm = demo.FriendliLLM(model=target.model, api_key=target.token, base_url=target.base_url)
        demo.rag_demo(target, llm)
    answer = capsys.readouterr().out.split("answer: ", 1)[1]
    assert "the local model echoed the" in answer
    assert len(answer) < demo.ECHO_SHOWN + 100  # not the whole RAG prompt printed back


def test_the_demo_with_a_token_makes_no_echo_claim(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FRIENDLI_TOKEN", "flp_not_used")
    demo = _load(EXAMPLES / "demo.py")
    with demo.target() as target:
        assert not target.offline
    assert "echoes" not in capsys.readouterr().out


def test_the_ray_example_without_ray_names_the_scale_extra() -> None:
    code = f"import runpy; runpy.run_path({str(EXAMPLES / 'ray_data.py')!r}, run_name='__main__')"
    done = run_hiding(("ray",), code)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert 'pip install "friendli-integrations[scale]"' in done.stderr
