"""endpoint="openai-compatible" in the five framework classes, against a strict local server.

Atoma's documented completions request goes through `Friendli.invoke`/`.stream` and
`FriendliLLM(is_chat_model=False).complete`/`.stream_complete` (one prompt string per request);
the server, refusing every field OpenAI's API lacks, sees each field, and the integer logprobs
reach the user. No Friendli or OpenAI key from the environment is ever sent.
"""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from friendli_core import InvalidRequestError
from friendli_core.testing import LocalServer
from langchain_friendli import ChatFriendli, Friendli, FriendliEmbeddings
from llama_index_friendli import FriendliEmbedding, FriendliLLM
from tests import atoma

KEY = atoma.KEY
FOREIGN = atoma.FOREIGN
CLASSES: list[Any] = [ChatFriendli, Friendli, FriendliEmbeddings, FriendliLLM, FriendliEmbedding]


@pytest.fixture
def server(strict_openai_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> LocalServer:
    """The strict server with an empty log, in an environment holding Friendli and OpenAI keys."""
    return atoma.isolate(strict_openai_server, monkeypatch)


def _settings(server: LocalServer) -> dict[str, Any]:
    return {"endpoint": "openai-compatible", "base_url": server.container_url}


def _bodies(server: LocalServer) -> list[dict[str, Any]]:
    return [r.body for r in server.requests.snapshot()]


def _sent_no_foreign_credentials(server: LocalServer) -> None:
    for request in server.requests.snapshot():
        assert not any(request.token_matches(v) for v in FOREIGN.values())
        assert not any(name.startswith("x-friendli") for name in request.headers)


# --------------------------------------------------------------------------- LangChain


def test_friendli_invoke_sends_atomas_request(server: LocalServer) -> None:
    llm = Friendli(model=atoma.MODEL, **_settings(server))
    result = llm.generate(["Hello!"], **atoma.FIELDS)
    assert llm.invoke("Hello!", **atoma.FIELDS) == result.generations[0][0].text
    expected = {"model": atoma.MODEL, "prompt": "Hello!", **atoma.FIELDS}
    assert _bodies(server) == [expected, expected]
    info = result.generations[0][0].generation_info or {}
    atoma.assert_integer_logprobs(info["logprobs"])
    _sent_no_foreign_credentials(server)


def test_friendli_stream_sends_atomas_request(server: LocalServer) -> None:
    llm = Friendli(model=atoma.MODEL, api_key=KEY, **_settings(server))
    chunks = list(llm.stream("<value>", **atoma.FIELDS))
    assert "".join(chunks)
    [body] = _bodies(server)
    assert body == {"model": atoma.MODEL, "prompt": "<value>", **atoma.FIELDS, **body_stream()}
    assert server.requests.snapshot()[0].token_matches(KEY)
    streamed = Friendli(model=atoma.MODEL, streaming=True, **_settings(server))
    [[generation]] = streamed.generate(["<value>"], **atoma.FIELDS).generations
    assert generation.text == "".join(chunks)
    atoma.assert_integer_logprobs((generation.generation_info or {})["logprobs"])
    assert _bodies(server)[-1] == body


async def test_async_paths_send_atomas_request(server: LocalServer) -> None:
    expected = {"model": atoma.MODEL, "prompt": "Hello!", **atoma.FIELDS}
    assert await Friendli(model=atoma.MODEL, **_settings(server)).ainvoke("Hello!", **atoma.FIELDS)
    llm = FriendliLLM(model=atoma.MODEL, is_chat_model=False, **_settings(server))
    response = await llm.acomplete("Hello!", **atoma.FIELDS)
    atoma.assert_integer_logprobs(response.raw["choices"][0]["logprobs"])
    assert _bodies(server) == [expected, expected]


def body_stream() -> dict[str, Any]:
    return {"stream": True, "stream_options": {"include_usage": True}}


def test_friendli_returns_n_samples(server: LocalServer) -> None:
    llm = Friendli(model=atoma.MODEL, **_settings(server))
    result = llm.generate(["Hello!"], **{**atoma.FIELDS, "n": 2, "best_of": 2, "echo": False})
    assert len(result.generations[0]) == 2
    for generation in result.generations[0]:
        atoma.assert_integer_logprobs((generation.generation_info or {})["logprobs"])


def test_chat_friendli_sends_user_and_logit_bias(server: LocalServer) -> None:
    chat = ChatFriendli(model=atoma.MODEL, logit_bias={"1234567890": 0.5}, **_settings(server))
    assert chat.invoke("Hi", user="user-1234").content
    assert chat.bind(user="user-1234", store=False).invoke("Hi").content
    first, second = _bodies(server)
    assert first["user"] == second["user"] == "user-1234"
    assert first["logit_bias"] == second["logit_bias"] == {"1234567890": 0.5}
    assert second["store"] is False
    _sent_no_foreign_credentials(server)


@pytest.mark.parametrize(("cls", "field"), [(Friendli, "suffix"), (ChatFriendli, "user")])
def test_container_still_refuses_openais_fields(server: LocalServer, cls: Any, field: str) -> None:
    model = cls(endpoint="container", base_url=server.container_url)
    with pytest.raises(InvalidRequestError, match=f"'{field}' is OpenAI's"):
        model.invoke("Hi", **{field: "x"})
    assert _bodies(server) == []


def test_langchain_typos_are_refused_before_sending(server: LocalServer) -> None:
    llm = Friendli(model=atoma.MODEL, **_settings(server))
    with pytest.raises(InvalidRequestError, match="Did you mean 'suffix'"):
        llm.invoke("Hello!", sufix=" x")
    assert _bodies(server) == []


def test_langchain_reads_the_kinds_variables(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = ChatFriendli(endpoint="openai-compatible", base_url=server.container_url)
    assert chat.friendli_token is None
    assert chat.friendli_team is None
    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_COMPATIBLE_BASE_URL", server.container_url)
    chat = ChatFriendli(endpoint="openai-compatible")
    assert chat.base_url == server.container_url
    assert chat.lc_secrets == {"friendli_token": "OPENAI_COMPATIBLE_API_KEY"}
    chat.invoke("Hi")
    assert server.requests.snapshot()[-1].token_matches(KEY)


def test_pickled_models_read_the_kinds_variable(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", "worker-key")
    for model in (
        Friendli(api_key=KEY, **_settings(server)),
        FriendliLLM(api_key=KEY, is_chat_model=False, **_settings(server)),
    ):
        data = pickle.dumps(model)
        assert KEY.encode() not in data
        worker = pickle.loads(data)  # noqa: S301 - our own pickle
        text = worker.invoke("Hi") if isinstance(worker, Friendli) else worker.complete("Hi").text
        assert text
        assert server.requests.snapshot()[-1].token_matches("worker-key")


# --------------------------------------------------------------------------- LlamaIndex


def test_friendli_llm_complete_sends_atomas_request(server: LocalServer) -> None:
    llm = FriendliLLM(model=atoma.MODEL, is_chat_model=False, **_settings(server))
    response = llm.complete("Hello!", **atoma.FIELDS)
    assert response.text
    assert _bodies(server) == [{"model": atoma.MODEL, "prompt": "Hello!", **atoma.FIELDS}]
    atoma.assert_integer_logprobs(response.raw["choices"][0]["logprobs"])
    assert response.logprobs
    assert all(len(position) == 1 for position in response.logprobs)
    _sent_no_foreign_credentials(server)


def test_friendli_llm_stream_complete_sends_atomas_request(server: LocalServer) -> None:
    llm = FriendliLLM(model=atoma.MODEL, is_chat_model=False, **_settings(server))
    responses = list(llm.stream_complete("<value>", **atoma.FIELDS))
    [body] = _bodies(server)
    assert body == {"model": atoma.MODEL, "prompt": "<value>", **atoma.FIELDS, **body_stream()}
    last = responses[-1]
    assert last.text == "".join(r.delta or "" for r in responses)
    pieces = [r.raw.choices[0].logprobs for r in responses if r.raw.choices]
    for piece in filter(None, pieces):
        atoma.assert_integer_logprobs(piece.model_dump())
    assert last.logprobs
    assert len(last.logprobs) == len(list(filter(None, pieces)))


def test_friendli_llm_model_level_logit_bias_reaches_completions(server: LocalServer) -> None:
    """On this kind /completions takes logit_bias too, so it is sent rather than refused."""
    bias = {"1234567890": 0.5}
    llm = FriendliLLM(model=atoma.MODEL, is_chat_model=False, logit_bias=bias, **_settings(server))
    llm.complete("Hello!", user="user-1234")
    assert _bodies(server)[0]["logit_bias"] == bias
    container = FriendliLLM(
        is_chat_model=False, logit_bias=bias, endpoint="container", base_url=server.container_url
    )
    with pytest.raises(InvalidRequestError, match="logit_bias apply to chat only"):
        container.complete("Hello!")


def test_friendli_llm_chat_sends_user(server: LocalServer) -> None:
    llm = FriendliLLM(model=atoma.MODEL, **_settings(server))
    assert llm.complete("Hi", user="user-1234", logit_bias={"1": 0.5}).text
    [body] = _bodies(server)
    assert body["user"] == "user-1234"
    assert body["messages"] == [{"role": "user", "content": "Hi"}]


# --------------------------------------------------------------------------- every class


def test_embeddings_classes_need_no_model(server: LocalServer) -> None:
    vectors = FriendliEmbeddings(**_settings(server)).embed_documents(["a", "b"])
    assert len(vectors) == 2
    assert FriendliEmbedding(**_settings(server)).get_text_embedding("a") == vectors[0]
    assert _bodies(server) == [{"input": ["a", "b"]}, {"input": ["a"]}]
    _sent_no_foreign_credentials(server)


def test_embeddings_classes_send_dimensions(server: LocalServer) -> None:
    lc = FriendliEmbeddings(dimensions=8, **_settings(server)).embed_query("a")
    li = FriendliEmbedding(dimensions=8, **_settings(server)).get_query_embedding("a")
    assert lc == li
    assert _bodies(server) == [{"input": ["a"], "dimensions": 8}] * 2
    dedicated = FriendliEmbeddings(model="ep", dimensions=8, base_url=server.dedicated_url)
    with pytest.raises(InvalidRequestError, match="'dimensions' is OpenAI's"):
        dedicated.embed_query("a")
    assert len(_bodies(server)) == 2  # nothing more was sent


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_class_needs_a_base_url(server: LocalServer, cls: Any) -> None:
    with pytest.raises(ValueError, match=r"pass base_url=\.\.\. or set OPENAI_COMPATIBLE_BASE_URL"):
        cls(endpoint="openai-compatible")
