"""`FriendliLLM(thinking=...)` and the per-model reasoning checks, over a mock transport."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage

from friendli_core import InvalidRequestError
from llama_index_friendli import FriendliLLM
from tests.llama_index.unit_tests.mock_api import (
    MockAPI,
    completion,
    sse,
    text_completion,
    text_stream,
)

USER = [ChatMessage(role="user", content="Hi")]
PLAIN = {"id": "acme/plain-7b", "reasoning": False, "context_length": 4096}


def served(api: MockAPI, *entries: dict[str, Any]) -> None:
    """`GET /models` lists `entries`; chat answers (streamed when asked)."""

    def reply(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"data": list(entries)})
        if json.loads(request.content).get("stream"):
            return sse(text_stream("ok"))
        return httpx.Response(200, json=completion("ok"))

    api.reply(reply)


def chat_bodies(api: MockAPI) -> list[dict[str, Any]]:
    return [json.loads(r.content) for r in api.requests if r.method == "POST"]


async def test_switch_field_and_per_call_reach_chat_template_kwargs(
    api: MockAPI, make_llm: Callable[..., FriendliLLM]
) -> None:
    served(api)
    llm = make_llm(thinking=True, chat_template_kwargs={"lang": "ko"})
    llm.chat(USER)
    llm.chat(USER, thinking=False)
    list(llm.stream_chat(USER))
    [r async for r in await llm.astream_chat(USER, thinking=False)]
    llm.complete("Hi", thinking=False)
    off = make_llm(thinking=True, additional_kwargs={"thinking": False})
    off.chat(USER)
    templates = [b["chat_template_kwargs"] for b in chat_bodies(api)]
    on = {"lang": "ko", "enable_thinking": True}
    no = {"lang": "ko", "enable_thinking": False}
    assert templates == [on, no, on, no, no, {"enable_thinking": False}]
    assert all("thinking" not in b for b in chat_bodies(api))


def test_switch_unset_sends_no_template(api: MockAPI, llm: FriendliLLM) -> None:
    llm.chat(USER)
    assert "chat_template_kwargs" not in api.last


def test_conflicting_enable_thinking_is_refused_before_sending(
    api: MockAPI, make_llm: Callable[..., FriendliLLM]
) -> None:
    llm = make_llm(thinking=False, chat_template_kwargs={"enable_thinking": True})
    with pytest.raises(InvalidRequestError, match=r"thinking=False conflicts"):
        llm.chat(USER)
    with pytest.raises(InvalidRequestError, match=r"thinking=True conflicts"):
        make_llm().chat(USER, thinking=True, chat_template_kwargs={"enable_thinking": False})
    assert api.requests == []


def test_switch_is_refused_on_the_completions_api(
    api: MockAPI, make_llm: Callable[..., FriendliLLM]
) -> None:
    api.reply(text_completion())
    with pytest.raises(InvalidRequestError, match="thinking apply to chat only"):
        make_llm(thinking=True, is_chat_model=False).complete("Hi")
    with pytest.raises(InvalidRequestError, match="thinking apply to chat only"):
        make_llm(is_chat_model=False).complete("Hi", thinking=False)
    assert api.requests == []


@pytest.mark.parametrize(
    "call",
    [
        {"thinking": True},
        {"thinking": False},
        {"reasoning_effort": "high"},
        {"reasoning_budget": 9},
    ],
)
async def test_a_served_model_that_does_not_reason_refuses_every_control(
    api: MockAPI, make_llm: Callable[..., FriendliLLM], call: dict[str, Any]
) -> None:
    served(api, PLAIN)
    probe = make_llm()
    llm = FriendliLLM.from_server(
        model="acme/plain-7b",
        api_key="flp_x",
        http_client=probe.http_client,
        async_http_client=probe.async_http_client,
    )
    with pytest.raises(InvalidRequestError, match="'acme/plain-7b' does not reason"):
        llm.chat(USER, **call)
    with pytest.raises(InvalidRequestError, match="'acme/plain-7b' does not reason"):
        await llm.astream_chat(USER, **call)
    assert chat_bodies(api) == []
    llm.chat(USER)
    assert len(chat_bodies(api)) == 1


def test_snapshot_models_are_checked_without_from_server(
    api: MockAPI, make_llm: Callable[..., FriendliLLM]
) -> None:
    llm = make_llm(model="zai-org/GLM-5.2")
    with pytest.raises(InvalidRequestError, match=r"'zai-org/GLM-5\.2' takes reasoning_effort"):
        llm.chat(USER, reasoning_effort="low")
    assert api.requests == []
    llm.chat(USER, reasoning_effort="max", thinking=True)
    assert api.last["reasoning_effort"] == "max"


def test_the_served_entry_survives_pickling(api: MockAPI) -> None:
    served(api, PLAIN)
    transport = httpx.MockTransport(api.handler)
    llm = FriendliLLM.from_server(
        model="acme/plain-7b", api_key="flp_x", http_client=httpx.Client(transport=transport)
    )
    llm.http_client = None
    copy = pickle.loads(pickle.dumps(llm))  # noqa: S301 - our own pickle
    with pytest.raises(InvalidRequestError, match="'acme/plain-7b' does not reason"):
        copy.chat(USER, thinking=True)
