"""endpoint="openai-compatible" in the core, against the local server playing a strict one.

The server (`LocalServer(openai_strict=True)`) refuses any field OpenAI's API lacks on its
container paths, so a request it answers carried OpenAI's fields only; its log shows every field
as sent. Friendli's own endpoint kinds still refuse OpenAI's fields before sending.
"""

from __future__ import annotations

import pickle

import pytest

from friendli_core import (
    AsyncFriendliClient,
    AuthenticationError,
    BadRequestError,
    FriendliClient,
    InvalidRequestError,
    UnsupportedEndpointError,
)
from friendli_core.config import ClientConfig
from friendli_core.testing import LocalServer
from tests import atoma

KEY = atoma.KEY
FOREIGN = atoma.FOREIGN


@pytest.fixture
def server(strict_openai_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> LocalServer:
    """The strict server with an empty log, in an environment holding Friendli and OpenAI keys."""
    return atoma.isolate(strict_openai_server, monkeypatch)


def _client(server: LocalServer, **options: object) -> FriendliClient:
    return FriendliClient(endpoint="openai-compatible", base_url=server.container_url, **options)  # type: ignore[arg-type]


def test_atomas_example_runs_through_the_core_with_the_list_prompt(server: LocalServer) -> None:
    with _client(server, token=KEY) as client:
        reply = client.completions(**atoma.REQUEST)
    [sent] = server.requests.snapshot()
    assert sent.path == "/v1/completions"
    assert sent.body == atoma.REQUEST  # every field, as documented
    assert sent.token_matches(KEY)
    [choice] = reply.choices
    assert choice.text
    assert choice.logprobs is not None
    atoma.assert_integer_logprobs(choice.logprobs.model_dump())


def test_atomas_stream_runs_through_the_core(server: LocalServer) -> None:
    prompt = {**atoma.REQUEST, "prompt": "<value>"}
    with _client(server) as client, client.stream_completions(**prompt) as stream:
        chunks = list(stream)
    [sent] = server.requests.snapshot()
    assert sent.body == {**prompt, "stream": True, "stream_options": {"include_usage": True}}
    texts = [c.choices[0].text for c in chunks if c.choices]
    assert "".join(texts)
    pieces = [c.choices[0].logprobs for c in chunks if c.choices and c.choices[0].logprobs]
    assert pieces
    for piece in pieces:
        atoma.assert_integer_logprobs(piece.model_dump())
    assert chunks[-1].usage is not None


async def test_the_async_client_sends_the_same(server: LocalServer) -> None:
    async with AsyncFriendliClient(
        endpoint="openai-compatible", base_url=server.container_url
    ) as client:
        reply = await client.completions(**atoma.REQUEST)
    assert server.requests.snapshot()[0].body == atoma.REQUEST
    assert reply.choices[0].logprobs is not None


def test_n_samples_and_a_list_prompt_give_every_choice(server: LocalServer) -> None:
    with _client(server) as client:
        reply = client.completions(
            **{**atoma.REQUEST, "prompt": ["Hello!", "Bye!"], "n": 2, "best_of": 3, "echo": False}
        )
    assert sorted(c.index for c in reply.choices) == [0, 1, 2, 3]
    assert server.requests.snapshot()[0].body["best_of"] == 3


def test_openai_chat_fields_are_sent(server: LocalServer) -> None:
    fields = {
        "user": "user-1234",
        "logit_bias": {"1234567890": 0.5},
        "metadata": {"run": "7"},
        "store": False,
        "service_tier": "auto",
        "max_completion_tokens": 16,
        "safety_identifier": "hash-1",
    }
    with _client(server) as client:
        reply = client.chat(
            model=atoma.MODEL, messages=[{"role": "user", "content": "Hi"}], **fields
        )
    assert reply.choices[0].message.content
    assert server.requests.snapshot()[0].body == {
        "model": atoma.MODEL,
        "messages": [{"role": "user", "content": "Hi"}],
        **fields,
    }


def test_embeddings_take_openais_fields(server: LocalServer) -> None:
    with _client(server) as client:
        reply = client.embeddings(input=["a", "b"], dimensions=8, user="user-1234")
    assert len(reply.vectors_for(2)) == 2
    assert server.requests.snapshot()[0].body == {
        "input": ["a", "b"],
        "dimensions": 8,
        "user": "user-1234",
    }


def test_the_strict_server_refuses_friendlis_own_fields(server: LocalServer) -> None:
    """The new kind takes Friendli's fields too; a strict server is the one to refuse them."""
    with _client(server) as client, pytest.raises(BadRequestError, match="top_k"):
        client.completions(prompt="Hello!", top_k=3)
    assert server.requests.snapshot()[0].body == {"prompt": "Hello!", "top_k": 3}


@pytest.mark.parametrize(
    ("api", "params", "field"),
    [
        ("completions", {"prompt": "Hello!", "suffix": "x"}, "suffix"),
        ("completions", {"prompt": "Hello!", "user": "user-1234"}, "user"),
        ("completions", {"prompt": "Hello!", "logit_bias": {"1": 0.5}}, "logit_bias"),
        ("chat", {"messages": [{"role": "user", "content": "Hi"}], "user": "u"}, "user"),
    ],
)
def test_container_still_refuses_openais_fields_before_sending(
    server: LocalServer, api: str, params: dict[str, object], field: str
) -> None:
    with FriendliClient(endpoint="container", base_url=server.container_url) as client:
        call = client.completions if api == "completions" else client.chat
        with pytest.raises(InvalidRequestError, match=f"'{field}' is OpenAI's.*openai-compatible"):
            call(**params)  # type: ignore[operator]
    assert server.requests.snapshot() == []


def test_typos_are_refused_before_sending_with_the_likely_name(server: LocalServer) -> None:
    with _client(server) as client:
        with pytest.raises(InvalidRequestError, match=r"'sufix'\. Did you mean 'suffix'"):
            client.completions(prompt="Hello!", sufix="x")
        with pytest.raises(InvalidRequestError, match="Did you mean 'user'"):
            client.chat(messages=[{"role": "user", "content": "Hi"}], usr="u")  # type: ignore[call-arg]
    assert server.requests.snapshot() == []


def test_no_friendli_or_openai_key_and_no_team_is_sent(server: LocalServer) -> None:
    with pytest.raises(InvalidRequestError, match="takes no team"):
        _client(server, team_id="team-explicit")
    with _client(server) as client:
        assert client.config.token is None
        assert client.config.base_url == server.container_url
        client.completions(prompt="Hello!")
    headers = server.requests.snapshot()[0].headers
    assert "authorization" not in headers
    assert not any(name.startswith("x-friendli") for name in headers)


def test_the_token_and_base_url_come_from_their_own_variables(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_COMPATIBLE_BASE_URL", server.container_url)
    with FriendliClient(endpoint="openai-compatible") as client:
        client.completions(prompt="Hello!")
    assert server.requests.snapshot()[0].token_matches(KEY)


def test_a_base_url_is_required(server: LocalServer) -> None:
    """No default host, and FRIENDLI_BASE_URL (set here) is not read for this kind."""
    with pytest.raises(InvalidRequestError, match="OPENAI_COMPATIBLE_BASE_URL"):
        FriendliClient(endpoint="openai-compatible")


def test_a_missing_token_says_which_variable_serves_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_COMPATIBLE_API_KEY", raising=False)
    with (
        LocalServer(openai_strict=True, container_auth=True, tokens=[KEY]) as locked,
        _client(locked) as client,
        pytest.raises(AuthenticationError) as info,
    ):
        client.completions(prompt="Hello!")
    assert "No token was sent" in str(info.value)
    assert "OPENAI_COMPATIBLE_API_KEY" in str(info.value)
    assert "never pickled" in str(info.value)  # what a worker with an unpickled model must set
    assert "FRIENDLI_TOKEN" not in str(info.value)


def test_an_unpickled_config_reads_the_kinds_variable(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = ClientConfig(token=KEY, endpoint="openai-compatible", base_url=server.container_url)
    data = pickle.dumps(config)
    assert KEY.encode() not in data
    assert pickle.loads(data).token is None  # noqa: S301 - FRIENDLI_TOKEN is set, not read
    monkeypatch.setenv("OPENAI_COMPATIBLE_API_KEY", "worker-key")
    assert pickle.loads(data).token == "worker-key"  # noqa: S301


def test_n_samples_stream_with_their_indexes(server: LocalServer) -> None:
    with _client(server) as client, client.stream_completions(prompt="Hello!", n=2) as stream:
        chunks = list(stream)
    indexes = {choice.index for chunk in chunks for choice in chunk.choices}
    assert indexes == {0, 1}


def test_prompt_rendering_is_refused_before_sending(server: LocalServer) -> None:
    """/chat/render is Friendli's; an OpenAI-compatible server has no such route."""
    with _client(server) as client, pytest.raises(UnsupportedEndpointError):
        client.render_chat(messages=[{"role": "user", "content": "Hi"}])
    assert server.requests.snapshot() == []
