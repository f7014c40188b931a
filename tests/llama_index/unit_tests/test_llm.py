"""`FriendliLLM` against `httpx.MockTransport`: configuration, chat, completion, streaming, errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.callbacks import CallbackManager, LlamaDebugHandler
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from pydantic import ValidationError

from friendli_core import (
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InvalidRequestError,
    RateLimitError,
)
from llama_index_friendli import FriendliLLM
from tests.llama_index.unit_tests.mock_api import (
    MODEL,
    TOKEN,
    MockAPI,
    completion,
    sse,
    text_completion,
    text_stream,
)

USER = [ChatMessage(role="user", content="Hi")]


# --------------------------------------------------------------------------- configuration


def test_metadata_never_depends_on_the_model_name() -> None:
    llm = FriendliLLM(model="someone/brand-new-model-2031", api_key=TOKEN)
    meta = llm.metadata
    assert (meta.model_name, meta.is_chat_model, meta.is_function_calling_model) == (
        "someone/brand-new-model-2031",
        True,
        True,
    )
    assert meta.context_window == 32768
    assert meta.num_output == 256
    assert FriendliLLM(model="m", max_tokens=99, context_window=8192).metadata.num_output == 99
    assert FriendliLLM.class_name() == "FriendliLLM"


def test_model_is_required_except_for_container() -> None:
    with pytest.raises(ValidationError, match="model is required for the serverless endpoint"):
        FriendliLLM(api_key=TOKEN)
    assert FriendliLLM(endpoint="container").metadata.model_name == ""


def test_secret_never_in_repr_dict_json_or_payload() -> None:
    llm = FriendliLLM(model=MODEL, api_key=TOKEN, team_id="team-1")
    for text in (
        repr(llm),
        str(llm),
        json.dumps(llm.to_dict()),
        llm.to_json(),
        str(llm.to_payload()),
    ):
        assert TOKEN not in text
        assert "UNITSECRET" not in text
    assert "api_key" not in llm.to_dict()
    restored = FriendliLLM.from_dict(llm.to_dict())
    assert (restored.model, restored.team_id, restored.api_key) == (MODEL, "team-1", None)


def test_key_and_team_from_environment(
    api: MockAPI, make_llm: Callable[..., FriendliLLM], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRIENDLI_TOKEN", "flp_fromenv")
    monkeypatch.setenv("FRIENDLI_TEAM", "team-env")
    make_llm(api_key=None).chat(USER)
    headers = api.requests[-1].headers
    assert headers["authorization"] == "Bearer flp_fromenv"
    assert headers["x-friendli-team"] == "team-env"
    assert str(api.requests[-1].url) == "https://api.friendli.ai/serverless/v1/chat/completions"


def test_missing_key_is_a_clear_error_at_call_time(
    api: MockAPI, make_llm: Callable[..., FriendliLLM], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FRIENDLI_TOKEN", raising=False)
    llm = make_llm(api_key=None)
    with pytest.raises(InvalidRequestError, match="api_key"):
        llm.chat(USER)
    assert api.requests == []


@pytest.mark.parametrize(
    ("fields", "url"),
    [
        (
            {"base_url": "http://127.0.0.1:9/custom/v1"},
            "http://127.0.0.1:9/custom/v1/chat/completions",
        ),
        (
            {"endpoint": "dedicated", "model": "ep-123"},
            "https://api.friendli.ai/dedicated/v1/chat/completions",
        ),
        ({"endpoint": "container", "model": None}, "http://localhost:8000/v1/chat/completions"),
    ],
)
def test_endpoint_and_base_url(
    api: MockAPI, make_llm: Callable[..., FriendliLLM], fields: dict[str, Any], url: str
) -> None:
    make_llm(**fields).chat(USER)
    assert str(api.requests[-1].url) == url
    assert api.last.get("model") == fields.get("model", MODEL)


def test_base_url_from_environment(
    api: MockAPI, make_llm: Callable[..., FriendliLLM], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRIENDLI_BASE_URL", "http://127.0.0.1:9/env/v1")
    make_llm().chat(USER)
    assert str(api.requests[-1].url) == "http://127.0.0.1:9/env/v1/chat/completions"


def test_fields_additional_kwargs_and_call_kwargs_reach_the_body(
    api: MockAPI, make_llm: Callable[..., FriendliLLM]
) -> None:
    llm = make_llm(
        temperature=0.2,
        top_p=0.9,
        top_k=5,
        min_p=0.1,
        max_tokens=64,
        frequency_penalty=0.5,
        presence_penalty=-0.5,
        repetition_penalty=1.1,
        seed=7,
        stop=["\n\n"],
        logprobs=True,
        top_logprobs=2,
        additional_kwargs={"parse_reasoning": True, "extra_body": {"x_new": 1}},
        default_headers={"X-Trace": "t1"},
    )
    llm.chat(USER, temperature=0.7)
    assert api.last == {
        "model": MODEL,
        "temperature": 0.7,
        "top_p": 0.9,
        "top_k": 5,
        "min_p": 0.1,
        "max_tokens": 64,
        "frequency_penalty": 0.5,
        "presence_penalty": -0.5,
        "repetition_penalty": 1.1,
        "seed": 7,
        "stop": ["\n\n"],
        "logprobs": True,
        "top_logprobs": 2,
        "parse_reasoning": True,
        "x_new": 1,
        "messages": [{"role": "user", "content": "Hi"}],
    }
    assert api.requests[-1].headers["x-trace"] == "t1"


def test_unknown_parameter_is_rejected_before_sending(api: MockAPI, llm: FriendliLLM) -> None:
    with pytest.raises(InvalidRequestError, match="Unknown chat parameter 'temprature'"):
        llm.chat(USER, temprature=0.1)
    assert api.requests == []


def test_timeout_is_passed_to_each_request(
    api: MockAPI, make_llm: Callable[..., FriendliLLM]
) -> None:
    make_llm(timeout=3.5).chat(USER)
    assert api.requests[-1].extensions["timeout"]["read"] == 3.5


# --------------------------------------------------------------------------- chat and complete


def test_chat_messages_response_raw_and_usage(api: MockAPI, llm: FriendliLLM) -> None:
    messages = [ChatMessage(role="system", content="Be brief."), *USER]
    response = llm.chat(messages)
    assert api.last["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
    ]
    assert response.message.role == MessageRole.ASSISTANT
    assert response.message.content == "Hello there"
    assert response.raw == completion()
    assert response.additional_kwargs == {
        "prompt_tokens": 9,
        "completion_tokens": 3,
        "total_tokens": 12,
    }


async def test_achat_sends_the_same_request_as_chat(api: MockAPI, llm: FriendliLLM) -> None:
    sync = llm.chat(USER, seed=3)
    asynchronous = await llm.achat(USER, seed=3)
    assert api.bodies[0] == api.bodies[1]
    assert sync.message == asynchronous.message
    assert sync.raw == asynchronous.raw


async def test_complete_and_acomplete_go_through_chat(api: MockAPI, llm: FriendliLLM) -> None:
    done = llm.complete("Say hi")
    adone = await llm.acomplete("Say hi")
    assert done.text == adone.text == "Hello there"
    assert done.additional_kwargs["total_tokens"] == 12
    assert [r.url.path for r in api.requests] == ["/serverless/v1/chat/completions"] * 2
    assert api.bodies[0]["messages"] == [{"role": "user", "content": "Say hi"}]


async def test_completions_endpoint_when_not_a_chat_model(
    api: MockAPI, make_llm: Callable[..., FriendliLLM]
) -> None:
    api.reply(text_completion(" world"))
    llm = make_llm(
        is_chat_model=False,
        logprobs=True,
        top_logprobs=3,
        completion_to_prompt=lambda p: f"<<{p}>>",
    )
    done = llm.complete("Hello")
    adone = await llm.acomplete("Hello", formatted=True)
    reply = llm.chat([ChatMessage(role="user", content="Hello")])
    assert done.text == adone.text == reply.message.content == " world"
    assert [r.url.path for r in api.requests] == ["/serverless/v1/completions"] * 3
    assert api.bodies[0] == {"model": MODEL, "logprobs": 3, "prompt": "<<Hello>>"}
    assert api.bodies[1]["prompt"] == "Hello"
    assert api.bodies[2]["prompt"] == "user: Hello\nassistant: "
    assert llm.metadata.is_chat_model is False


# --------------------------------------------------------------------------- streaming


def _stream_api(api: MockAPI) -> None:
    api.reply(sse(text_stream("Hel", "lo", " there")), completion("Hello there"))


def test_stream_chat_deltas_concatenate_to_the_non_streaming_reply(
    api: MockAPI, llm: FriendliLLM
) -> None:
    _stream_api(api)
    responses = list(llm.stream_chat(USER))
    full = llm.chat(USER)
    assert [r.delta for r in responses if r.delta] == ["Hel", "lo", " there"]
    assert "".join(r.delta or "" for r in responses) == full.message.content
    assert responses[-1].message == full.message
    assert responses[-1].additional_kwargs == full.additional_kwargs
    assert all("total_tokens" not in r.additional_kwargs for r in responses[:-1])
    assert api.bodies[0] == {
        **api.bodies[1],
        "stream": True,
        "stream_options": {"include_usage": True},
    }


async def test_astream_chat(api: MockAPI, llm: FriendliLLM) -> None:
    _stream_api(api)
    responses = [r async for r in await llm.astream_chat(USER)]
    assert "".join(r.delta or "" for r in responses) == "Hello there"
    assert responses[-1].message.content == "Hello there"
    assert responses[-1].additional_kwargs["total_tokens"] == 12


async def test_stream_complete_and_astream_complete(api: MockAPI, llm: FriendliLLM) -> None:
    api.reply(sse(text_stream("Hel", "lo")))
    sync = list(llm.stream_complete("Hi"))
    asynchronous = [r async for r in await llm.astream_complete("Hi")]
    for responses in (sync, asynchronous):
        assert [r.delta for r in responses if r.delta] == ["Hel", "lo"]
        assert responses[-1].text == "Hello"
        assert responses[-1].additional_kwargs["total_tokens"] == 12


async def test_streams_through_the_completions_endpoint(
    api: MockAPI, make_llm: Callable[..., FriendliLLM]
) -> None:
    events = [
        {
            "id": "c",
            "object": "text_completion",
            "created": 1,
            "choices": [{"index": 0, "text": " a", "token": 1}],
        },
        {
            "id": "c",
            "object": "text_completion",
            "created": 1,
            "choices": [{"index": 0, "text": " b", "token": 2}],
        },
        {
            "id": "c",
            "object": "text_completion",
            "created": 1,
            "choices": [{"index": 0, "text": "", "finish_reason": "stop"}],
        },
    ]
    api.reply(sse(events))
    llm = make_llm(is_chat_model=False)
    texts = [r.text for r in llm.stream_complete("x", formatted=True)]
    chats = [r.message.content async for r in await llm.astream_chat(USER)]
    assert texts == chats == [" a", " a b", " a b"]
    assert {r.url.path for r in api.requests} == {"/serverless/v1/completions"}


def test_empty_stream_yields_nothing(api: MockAPI, llm: FriendliLLM) -> None:
    api.reply(sse([]))
    assert list(llm.stream_chat(USER)) == []


def test_stream_closed_early_is_released(api: MockAPI, llm: FriendliLLM) -> None:
    _stream_api(api)
    stream = llm.stream_chat(USER)
    first = next(stream)
    stream.close()
    assert first.delta == "Hel"
    assert llm.chat(USER).message.content == "Hello there"


# --------------------------------------------------------------------------- errors


def test_status_errors_surface_unchanged_with_the_server_message(
    api: MockAPI, llm: FriendliLLM
) -> None:
    api.reply(httpx.Response(401, json={"message": "Invalid token"}))
    with pytest.raises(AuthenticationError) as info:
        llm.chat(USER)
    assert info.value.status_code == 401
    assert info.value.api_message == "Invalid token"
    assert TOKEN not in str(info.value)
    assert TOKEN not in repr(info.value)


async def test_stream_errors_raise_at_the_call(api: MockAPI, llm: FriendliLLM) -> None:
    api.reply(
        httpx.Response(400, json={"error": {"message": "bad messages", "type": "invalid_request"}})
    )
    with pytest.raises(BadRequestError, match="bad messages"):
        llm.stream_chat(USER)
    with pytest.raises(BadRequestError, match="bad messages"):
        await llm.astream_chat(USER)
    assert len(api.requests) == 2


@pytest.mark.parametrize("max_retries", [0, 2])
def test_rate_limits_are_retried_max_retries_times(
    api: MockAPI, make_llm: Callable[..., FriendliLLM], max_retries: int
) -> None:
    api.reply(httpx.Response(429, json={"message": "slow down"}, headers={"retry-after-ms": "0"}))
    with pytest.raises(RateLimitError, match="slow down"):
        make_llm(max_retries=max_retries).chat(USER)
    assert len(api.requests) == max_retries + 1


def test_retry_then_success(api: MockAPI, make_llm: Callable[..., FriendliLLM]) -> None:
    api.reply(
        httpx.Response(503, json={"message": "busy"}, headers={"retry-after-ms": "0"}),
        completion("ok"),
    )
    assert make_llm(max_retries=1).chat(USER).message.content == "ok"
    assert len(api.requests) == 2


def test_timeouts_are_typed(api: MockAPI, make_llm: Callable[..., FriendliLLM]) -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    api.reply(timeout)
    with pytest.raises(APITimeoutError):
        make_llm(max_retries=0).chat(USER)


# --------------------------------------------------------------------------- callbacks and events


class _Collect(BaseEventHandler):
    events: list[BaseEvent]

    @classmethod
    def class_name(cls) -> str:
        return "Collect"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        self.events.append(event)


@pytest.fixture
def collected() -> Any:
    handler = _Collect(events=[])
    root = get_dispatcher()
    root.add_event_handler(handler)
    yield handler.events
    root.event_handlers.remove(handler)


async def test_instrumentation_events_and_callbacks_fire(
    api: MockAPI, make_llm: Callable[..., FriendliLLM], collected: list[BaseEvent]
) -> None:
    debug = LlamaDebugHandler()
    llm = make_llm(callback_manager=CallbackManager([debug]))
    llm.chat(USER)
    await llm.acomplete("Hi")
    api.reply(sse(text_stream("a", "b")))
    list(llm.stream_chat(USER))
    names = [e.class_name() for e in collected]
    assert names.count("LLMChatStartEvent") == 2
    assert names.count("LLMChatEndEvent") == 2
    assert names.count("LLMChatInProgressEvent") == 4
    assert names.count("LLMCompletionStartEvent") == 1
    assert names.count("LLMCompletionEndEvent") == 1
    assert len(debug.get_llm_inputs_outputs()) == 3
    assert all(TOKEN not in str(e.model_dump()) for e in collected)


def test_errors_reach_callbacks(api: MockAPI, make_llm: Callable[..., FriendliLLM]) -> None:
    debug = LlamaDebugHandler()
    api.reply(httpx.Response(401, json={"message": "nope"}))
    with pytest.raises(AuthenticationError):
        make_llm(callback_manager=CallbackManager([debug])).chat(USER)
    (_start, end) = debug.get_llm_inputs_outputs()[0]
    assert isinstance(end.payload["exception"], AuthenticationError)


# --------------------------------------------------------------------------- clients


def test_async_clients_are_per_event_loop() -> None:
    llm = FriendliLLM(model=MODEL, api_key=TOKEN)

    async def get() -> object:
        return (llm._async_client(), llm._async_client())

    first_a, first_b = asyncio.run(get())
    second_a, _ = asyncio.run(get())
    assert first_a is first_b
    assert first_a is not second_a


def test_clients_follow_setting_changes(api: MockAPI, llm: FriendliLLM) -> None:
    llm.chat(USER)
    llm.api_key = "flp_rotated"  # type: ignore[assignment]
    llm.chat(USER)
    assert [r.headers["authorization"] for r in api.requests] == [
        f"Bearer {TOKEN}",
        "Bearer flp_rotated",
    ]
    llm.close()
    llm.chat(USER)
    assert len(api.requests) == 3


async def test_aclose_drops_the_loop_client(api: MockAPI, llm: FriendliLLM) -> None:
    await llm.achat(USER)
    client = llm._async_client()
    await llm.aclose()
    assert llm._async_client() is not client
    await llm.achat(USER)
    assert len(api.requests) == 2
