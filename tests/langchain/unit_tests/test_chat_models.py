"""ChatFriendli end to end over `httpx.MockTransport` (no sockets): requests sent and results."""

from __future__ import annotations

import asyncio
import copy
import inspect
import pickle
import warnings
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAuthenticationError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from langchain_core.load import dumps
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from pydantic import BaseModel

import friendli_core as fc
from langchain_friendli import (
    ChatFriendli,
    FriendliContextOverflowError,
    FriendliInvalidRequestError,
    FriendliMissingTokenError,
    FriendliRateLimitError,
)
from tests.langchain.unit_tests.mock_api import MockAPI, chat_chunk, chat_response, usage_chunk

TOKEN = "flp_super_secret_token"


def make_model(api: MockAPI, **kwargs: Any) -> ChatFriendli:
    params: dict[str, Any] = {"model": "m", "api_key": TOKEN, "max_retries": 0, **api.clients()}
    return ChatFriendli(**(params | kwargs))


async def ainvoke_or_invoke(model: Any, mode: str, *args: Any, **kwargs: Any) -> Any:
    if mode == "sync":
        return model.invoke(*args, **kwargs)
    return await model.ainvoke(*args, **kwargs)


async def collect(model: Any, mode: str, *args: Any, **kwargs: Any) -> list[AIMessageChunk]:
    if mode == "sync":
        return list(model.stream(*args, **kwargs))
    return [c async for c in model.astream(*args, **kwargs)]


MODES = pytest.mark.parametrize("mode", ["sync", "async"])


@MODES
async def test_invoke_sends_fields_and_call_overrides(mode: str) -> None:
    api = MockAPI.json(chat_response("Hi there"))
    model = make_model(api, temperature=0.7, top_k=5, stop=["END"], friendli_team="team-1")
    result = await ainvoke_or_invoke(model, mode, "Hello", temperature=0.1, stop=["STOP"], seed=3)
    assert result.content == "Hi there"
    assert api.last_body == {
        "model": "m",
        "temperature": 0.1,
        "top_k": 5,
        "seed": 3,
        "stop": ["END", "STOP"],
        "messages": [{"role": "user", "content": "Hello"}],
    }
    request = api.requests[-1]
    assert request.url.path == "/serverless/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["x-friendli-team"] == "team-1"
    assert result.usage_metadata == {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}
    assert result.response_metadata["model_provider"] == "friendli"
    assert result.response_metadata["finish_reason"] == "stop"


@MODES
async def test_stream_assembles_text_tool_calls_and_usage(mode: str) -> None:
    api = MockAPI.stream(
        chat_chunk({"role": "assistant", "content": "Hel"}),
        chat_chunk({"content": "lo"}),
        chat_chunk(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "f", "arguments": ""},
                    }
                ]
            }
        ),
        chat_chunk(
            {
                "tool_calls": [
                    {"index": 0, "type": "function", "function": {"arguments": '{"a": 2}'}}
                ]
            }
        ),
        chat_chunk({}, finish_reason="tool_calls"),
        usage_chunk(5, 3),
    )
    chunks = await collect(make_model(api), mode, "Hello")
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    assert total.content == "Hello"
    assert total.tool_calls == [
        {"name": "f", "args": {"a": 2}, "id": "call_1", "type": "tool_call"}
    ]
    assert total.usage_metadata == {"input_tokens": 5, "output_tokens": 3, "total_tokens": 8}
    assert total.response_metadata["finish_reason"] == "tool_calls"
    assert total.response_metadata["model_name"] == "m"
    # once in the sum, although text chunks do not carry it (langchain-core keeps every chunk)
    assert total.response_metadata["model_provider"] == "friendli"
    assert chunks[1].response_metadata == {}
    assert api.last_body["stream"] is True
    assert api.last_body["stream_options"] == {"include_usage": True}


class TokenRecorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)


@MODES
async def test_on_llm_new_token_fires_per_token(mode: str) -> None:
    api = MockAPI.stream(
        chat_chunk({"role": "assistant", "content": "a"}),
        chat_chunk({"content": "b"}),
        chat_chunk({"content": "c"}),
        chat_chunk({}, finish_reason="stop"),
    )
    recorder = TokenRecorder()
    model = make_model(api, streaming=True, stream_usage=False)
    result = await ainvoke_or_invoke(model, mode, "x", config={"callbacks": [recorder]})
    assert result.content == "abc"
    assert result.response_metadata["model_provider"] == "friendli"
    assert result.response_metadata["finish_reason"] == "stop"
    assert [t for t in recorder.tokens if t] == ["a", "b", "c"]
    assert api.last_body["stream_options"] == {"include_usage": False}


@MODES
async def test_errors_are_dual_classified(mode: str) -> None:
    api = MockAPI.json({"message": "slow down"}, status=429)
    with pytest.raises(FriendliRateLimitError) as info:
        await ainvoke_or_invoke(make_model(api), mode, "x")
    assert isinstance(info.value, fc.RateLimitError)
    assert isinstance(info.value, ModelRateLimitError)
    assert info.value.status_code == 429
    assert info.value.api_message == "slow down"


@MODES
async def test_stream_errors_are_dual_classified(mode: str) -> None:
    api = MockAPI.json({"message": "bad token"}, status=401)
    with pytest.raises(ModelAuthenticationError) as info:
        await collect(make_model(api), mode, "x")
    assert isinstance(info.value, fc.AuthenticationError)


@MODES
async def test_context_overflow(mode: str) -> None:
    api = MockAPI.json(
        {"message": "This model's maximum context length is 8192 tokens."}, status=400
    )
    with pytest.raises(ContextOverflowError) as info:
        await ainvoke_or_invoke(make_model(api), mode, "x")
    assert isinstance(info.value, FriendliContextOverflowError)
    assert isinstance(info.value, fc.BadRequestError)


@MODES
async def test_timeout(mode: str) -> None:
    def raise_timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(ModelTimeoutError) as info:
        await ainvoke_or_invoke(make_model(MockAPI(raise_timeout)), mode, "x")
    assert isinstance(info.value, fc.APITimeoutError)


@MODES
async def test_missing_token_is_reported_at_request_time(mode: str) -> None:
    api = MockAPI.json(chat_response())
    model = make_model(api, api_key=None)
    with pytest.raises(FriendliMissingTokenError, match="FRIENDLI_TOKEN") as info:
        await ainvoke_or_invoke(model, mode, "x")
    assert isinstance(info.value, ModelAuthenticationError)
    assert isinstance(info.value, fc.InvalidRequestError)
    assert api.requests == []


@MODES
async def test_tools_with_response_format_fail_before_sending(mode: str) -> None:
    api = MockAPI.json(chat_response())

    class Person(BaseModel):
        name: str

    bound = make_model(api).bind_tools([Person]).bind(response_format={"type": "json_object"})
    with pytest.raises(FriendliInvalidRequestError, match="tools and response_format"):
        await ainvoke_or_invoke(bound, mode, "x")
    assert api.requests == []


def test_unknown_call_argument_is_refused_with_a_hint() -> None:
    api = MockAPI.json(chat_response())
    with pytest.raises(FriendliInvalidRequestError, match="extra_body"):
        make_model(api).invoke("x", temprature=0.2)
    assert api.requests == []


def test_extra_body_is_merged_into_the_request() -> None:
    api = MockAPI.json(chat_response())
    make_model(api, extra_body={"future_field": 1}).invoke("x", extra_body={"other": True})
    assert api.last_body["future_field"] == 1
    assert api.last_body["other"] is True


def test_container_endpoint_needs_no_model_and_sends_no_team() -> None:
    api = MockAPI.json(chat_response())
    model = make_model(api, model=None, endpoint="container", friendli_team="t", api_key=None)
    assert model.invoke("x").content == "Hello!"
    request = api.requests[-1]
    assert request.url.path == "/v1/chat/completions"
    assert "x-friendli-team" not in request.headers
    assert "authorization" not in request.headers
    assert "model" not in api.last_body


def test_tool_message_round_trip_body() -> None:
    api = MockAPI.json(chat_response("It is 5."))
    history = [
        HumanMessage("magic(3)?"),
        AIMessage(
            "",
            tool_calls=[
                {"name": "magic", "args": {"input": 3}, "id": "call_1", "type": "tool_call"}
            ],
        ),
        ToolMessage("5", tool_call_id="call_1"),
    ]
    make_model(api).invoke(history)
    assert api.last_body["messages"][1:] == [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "magic", "arguments": '{"input": 3}'},
                }
            ],
        },
        {"role": "tool", "content": "5", "tool_call_id": "call_1"},
    ]


def test_n_generations() -> None:
    body = chat_response("a")
    body["choices"].append(
        {"index": 1, "message": {"role": "assistant", "content": "b"}, "finish_reason": "stop"}
    )
    api = MockAPI.json(body)
    result = make_model(api, n=2).generate([[HumanMessage("x")]])
    assert [g.text for g in result.generations[0]] == ["a", "b"]
    assert api.last_body["n"] == 2


def test_secret_never_leaks() -> None:
    api = MockAPI.json({"message": "nope"}, status=401)
    model = make_model(api)
    texts = [
        repr(model),
        str(model),
        str(model.model_dump()),
        model.model_dump_json(),
        dumps(model),
    ]
    with pytest.raises(fc.AuthenticationError) as info:
        model.invoke("x")
    texts += [str(info.value), repr(info.value)]
    assert not [t for t in texts if TOKEN in t]
    assert model.lc_secrets == {"friendli_token": "FRIENDLI_TOKEN"}


def test_pickle_and_deepcopy_rebuild_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    model = ChatFriendli(model="m", api_key=TOKEN, temperature=0.2)
    first = model.client
    data = pickle.dumps(model)
    assert TOKEN.encode() not in data  # the unpickled model reads FRIENDLI_TOKEN where it runs
    monkeypatch.setenv("FRIENDLI_TOKEN", "flp_receiving_process")
    restored = pickle.loads(data)  # noqa: S301 - our own bytes
    assert restored.friendli_token is None
    assert restored.client.config.token == "flp_receiving_process"
    assert restored.temperature == 0.2
    assert restored.client is not first
    copied = copy.deepcopy(model)
    assert copied.client is not first
    assert model.client is first


def test_deepcopy_shares_user_http_clients() -> None:
    api = MockAPI.json(chat_response())
    model = make_model(api)
    copied = copy.deepcopy(model)
    assert copied.http_client is model.http_client
    assert copied.invoke("x").content == "Hello!"


def test_async_client_is_per_event_loop() -> None:
    model = ChatFriendli(model="m", api_key=TOKEN)

    async def get_twice() -> tuple[object, object]:
        return model.async_client, model.async_client

    a1, a2 = asyncio.run(get_twice())
    b1, _ = asyncio.run(get_twice())
    assert a1 is a2
    assert a1 is not b1


def test_token_counting_uses_the_tokenize_endpoint() -> None:
    api = MockAPI.json({"tokens": [1, 2, 3, 4]})
    model = make_model(api)
    assert model.get_token_ids("hello world") == [1, 2, 3, 4]
    assert model.get_num_tokens("hello world") == 4
    assert api.requests[-1].url.path == "/serverless/v1/tokenize"
    assert api.last_body == {"model": "m", "prompt": "hello world"}


def test_ls_params() -> None:
    model = ChatFriendli(model="m", temperature=0.3, max_tokens=7, stop=["x"])
    params = model._get_ls_params(stop=["y"])
    assert params == {
        "ls_provider": "friendli",
        "ls_model_name": "m",
        "ls_model_type": "chat",
        "ls_temperature": 0.3,
        "ls_max_tokens": 7,
        "ls_stop": ["x", "y"],
    }
    assert model._get_ls_params(model="other")["ls_model_name"] == "other"
    assert model._llm_type == "friendli-chat"


def test_model_name_alias_and_unknown_constructor_argument() -> None:
    assert ChatFriendli(model_name="any-model-name").model == "any-model-name"
    with pytest.raises(ValueError, match="temprature"):
        ChatFriendli(model="m", temprature=0.1)


def test_invocation_params_reflect_fields_and_reassignment() -> None:
    model = ChatFriendli(model="m", temperature=0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the deprecated dict() is not called
        params = model._get_invocation_params(stop=["s"], seed=1)
    assert params == {
        "model": "m",
        "endpoint": "serverless",
        "temperature": 0.3,
        "_type": "friendli-chat",
        "stop": ["s"],
        "seed": 1,
    }
    model.temperature = 0.9  # fields are read per request, never cached
    assert model._get_invocation_params()["temperature"] == 0.9


def test_a_subclass_overriding_the_deprecated_dict_is_still_honoured() -> None:
    class Legacy(ChatFriendli):
        def dict(self, **kwargs: Any) -> dict[str, Any]:
            return {**super().dict(**kwargs), "legacy": True}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert Legacy(model="m")._get_invocation_params()["legacy"] is True


@MODES
async def test_subclass_generate_signature_is_its_own(mode: str) -> None:
    """A subclass's `_generate` without `run_manager` is called without one."""
    seen: list[dict[str, Any]] = []

    class NoRunManager(ChatFriendli):
        def _generate(self, messages: Any, stop: Any = None, **kwargs: Any) -> Any:
            seen.append(kwargs)
            return super()._generate(messages, stop=stop, **kwargs)

        async def _agenerate(self, messages: Any, stop: Any = None, **kwargs: Any) -> Any:
            seen.append(kwargs)
            return await super()._agenerate(messages, stop=stop, **kwargs)

    api = MockAPI.json(chat_response("Hi"))
    model = NoRunManager(model="m", api_key=TOKEN, max_retries=0, **api.clients())
    assert (await ainvoke_or_invoke(model, mode, "Hello")).content == "Hi"
    assert seen == [{}]
    assert "run_manager" in inspect.signature(ChatFriendli._generate).parameters
    assert "run_manager" not in inspect.signature(NoRunManager._generate).parameters
