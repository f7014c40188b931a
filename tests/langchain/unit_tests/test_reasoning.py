"""`ChatFriendli(reasoning=...)` and the per-model reasoning checks, over a mock transport."""

from __future__ import annotations

import json
import pickle
from typing import Any

import httpx
import pytest

from friendli_core import InvalidRequestError
from langchain_friendli import ChatFriendli
from tests.langchain.unit_tests.mock_api import MockAPI, chat_chunk, chat_response, sse, usage_chunk

TOKEN = "flp_super_secret_token"
PLAIN = {"id": "acme/plain-7b", "reasoning": False, "context_length": 4096}
EFFORTS = {
    "id": "acme/effort-9b",
    "reasoning": True,
    "reasoning_options": [{"type": "effort", "values": ["high", "max"]}],
}


def catalog_api(*entries: dict[str, Any]) -> MockAPI:
    """A serverless API whose `GET /models` lists `entries` and whose chat answers "ok"."""

    def reply(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"data": list(entries)})
        if json.loads(request.content).get("stream"):
            body = sse(chat_chunk({"content": "ok"}, "stop"), usage_chunk())
            return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=chat_response("ok"))

    return MockAPI(reply)


def make_model(api: MockAPI, **kwargs: Any) -> ChatFriendli:
    params: dict[str, Any] = {"model": "m", "api_key": TOKEN, "max_retries": 0, **api.clients()}
    return ChatFriendli(**(params | kwargs))


def chat_bodies(api: MockAPI) -> list[dict[str, Any]]:
    return [json.loads(r.content) for r in api.requests if r.method == "POST"]


async def test_switch_field_and_per_call_reach_chat_template_kwargs() -> None:
    api = catalog_api()
    model = make_model(api, reasoning=True, chat_template_kwargs={"lang": "ko"})
    model.invoke("Hi")
    model.invoke("Hi", reasoning=False)
    list(model.stream("Hi"))
    [c async for c in model.astream("Hi", reasoning=False)]
    await model.bind(reasoning=False).ainvoke("Hi")
    templates = [b["chat_template_kwargs"] for b in chat_bodies(api)]
    on, off = {"lang": "ko", "enable_thinking": True}, {"lang": "ko", "enable_thinking": False}
    assert templates == [on, off, on, off, off]
    assert model.chat_template_kwargs == {"lang": "ko"}  # the field is not changed
    assert all("reasoning" not in b for b in chat_bodies(api))


def test_switch_unset_sends_no_template() -> None:
    api = catalog_api()
    make_model(api).invoke("Hi")
    assert "chat_template_kwargs" not in api.last_body


@pytest.mark.parametrize(
    ("fields", "call"),
    [
        ({"reasoning": True, "chat_template_kwargs": {"enable_thinking": False}}, {}),
        ({}, {"reasoning": False, "chat_template_kwargs": {"enable_thinking": True}}),
    ],
)
def test_conflicting_enable_thinking_is_refused_before_sending(
    fields: dict[str, Any], call: dict[str, Any]
) -> None:
    api = catalog_api()
    with pytest.raises(InvalidRequestError, match="conflicts with chat_template_kwargs"):
        make_model(api, **fields).invoke("Hi", **call)
    assert api.requests == []


def test_switch_is_part_of_the_identifying_params() -> None:
    api = catalog_api()
    assert make_model(api, reasoning=False)._identifying_params["reasoning"] is False
    assert "reasoning" not in make_model(api)._identifying_params
    on = make_model(api, reasoning=True)._get_llm_string()
    assert on != make_model(api, reasoning=False)._get_llm_string()


@pytest.mark.parametrize(
    "call",
    [
        {"reasoning": True},
        {"reasoning": False},
        {"reasoning_effort": "high"},
        {"reasoning_budget": 64},
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_a_served_model_that_does_not_reason_refuses_every_control(
    call: dict[str, Any], *, stream: bool
) -> None:
    api = catalog_api(PLAIN)
    model = ChatFriendli.from_server(
        model="acme/plain-7b", api_key=TOKEN, max_retries=0, **api.clients()
    )
    with pytest.raises(InvalidRequestError, match="'acme/plain-7b' does not reason") as caught:
        list(model.stream("Hi", **call)) if stream else model.invoke("Hi", **call)
    if "reasoning" in call:
        assert "thinking switch (reasoning= or chat_template_kwargs.enable_thinking)" in str(
            caught.value
        )
    assert chat_bodies(api) == []
    model.invoke("Hi")  # a request without reasoning controls is fine
    assert len(chat_bodies(api)) == 1


def test_a_served_models_effort_values_bound_the_effort() -> None:
    api = catalog_api(EFFORTS)
    model = ChatFriendli.from_server(
        model="acme/effort-9b", api_key=TOKEN, max_retries=0, **api.clients()
    )
    with pytest.raises(InvalidRequestError, match="takes reasoning_effort 'high', 'max'"):
        model.invoke("Hi", reasoning_effort="low")
    model.invoke("Hi", reasoning_effort="max")
    assert chat_bodies(api)[-1]["reasoning_effort"] == "max"


def test_snapshot_models_are_checked_without_from_server() -> None:
    api = MockAPI.json(chat_response("ok"))
    model = make_model(api, model="zai-org/GLM-5.2", reasoning_effort="low")
    with pytest.raises(InvalidRequestError, match=r"'zai-org/GLM-5\.2' takes reasoning_effort"):
        model.invoke("Hi")
    assert api.requests == []


def test_unknown_models_and_other_endpoints_pass_everything_through() -> None:
    api = MockAPI.json(chat_response("ok"))
    everything = {"reasoning": True, "reasoning_effort": "ultracode", "reasoning_budget": 10**6}
    make_model(api, model="acme/unlisted", **everything).invoke("Hi")
    make_model(api, model="zai-org/GLM-5.2", endpoint="dedicated", **everything).invoke("Hi")
    assert [b["reasoning_effort"] for b in api.bodies] == ["ultracode", "ultracode"]
    assert all(b["chat_template_kwargs"] == {"enable_thinking": True} for b in api.bodies)


def test_the_served_entry_survives_pickling() -> None:
    api = catalog_api(PLAIN)
    model = ChatFriendli.from_server(model="acme/plain-7b", api_key=TOKEN, **api.clients())
    model.http_client = model.http_async_client = None  # the user's clients are not pickled
    copy = pickle.loads(pickle.dumps(model))  # noqa: S301 - our own pickle
    with pytest.raises(InvalidRequestError, match="'acme/plain-7b' does not reason"):
        copy.invoke("Hi", reasoning=True)
