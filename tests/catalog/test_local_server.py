"""The local server's catalog, render and tokenize routes, validated against the spec."""

from __future__ import annotations

import httpx
import pytest

from friendli_core import (
    AsyncFriendliClient,
    BadRequestError,
    FriendliClient,
    UnsupportedEndpointError,
    known_models,
)
from friendli_core.testing import LOCAL_TOKEN, LocalServer
from friendli_core.testing._openapi import validate
from tests.catalog.conftest import SMALL_CONTEXT

MESSAGES = [
    {"role": "system", "content": "You answer briefly."},
    {"role": "user", "content": "What is the capital of France, in one word?"},
]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather of a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


def _client(server: LocalServer) -> FriendliClient:
    return FriendliClient(token=LOCAL_TOKEN, base_url=server.serverless_url)


def test_served_catalog_matches_the_spec_and_lists_registered_models(
    friendli_server: LocalServer, small_model: str
) -> None:
    body = httpx.get(
        f"{friendli_server.serverless_url}/models",
        headers={"Authorization": f"Bearer {LOCAL_TOKEN}"},
    ).json()
    assert validate("ServerlessModelListSuccess", body) == []
    served = {m["id"]: m for m in body["data"]}
    for model in known_models():
        assert served[model.id]["context_length"] == model.context_length
    assert served[small_model]["context_length"] == SMALL_CONTEXT
    assert served[small_model]["functionality"]["tool_call"] is False
    listing = httpx.get(f"{friendli_server.container_url}/models").json()
    assert {m["id"]: m["max_model_len"] for m in listing["data"]}[small_model] == SMALL_CONTEXT


def test_list_models_is_typed(friendli_server: LocalServer, small_model: str) -> None:
    with _client(friendli_server) as client:
        models = {m.id: m for m in client.list_models()}
    assert models[small_model].context_window == SMALL_CONTEXT
    assert models[small_model].pricing is not None


@pytest.mark.parametrize("tools", [None, TOOLS])
def test_render_and_tokenize_agree_with_chat_usage(
    friendli_server: LocalServer, tools: list[dict[str, object]] | None
) -> None:
    model = known_models()[0].id
    with _client(friendli_server) as client:
        text = client.render_chat(model=model, messages=MESSAGES, tools=tools)
        count = client.count_chat_tokens(model=model, messages=MESSAGES, tools=tools)
        usage = client.chat(model=model, messages=MESSAGES, tools=tools, max_tokens=4).usage
        assert count == len(client.tokenize(text, model=model))
    assert usage is not None
    assert count == usage.prompt_tokens
    # the render body the client sent matches the spec
    sent = friendli_server.requests[-4]
    assert sent.path.endswith("/chat/render")
    assert validate("ServerlessChatRenderBody", sent.body) == []


async def test_async_twin_counts_the_same(friendli_server: LocalServer) -> None:
    model = known_models()[0].id
    async with AsyncFriendliClient(token=LOCAL_TOKEN, base_url=friendli_server.dedicated_url) as c:
        count = await c.count_chat_tokens(model=model, messages=MESSAGES, tools=TOOLS)
    with FriendliClient(token=LOCAL_TOKEN, base_url=friendli_server.dedicated_url) as client:
        assert count == client.count_chat_tokens(model=model, messages=MESSAGES, tools=TOOLS)


def test_render_on_a_container_is_refused_before_sending(friendli_server: LocalServer) -> None:
    friendli_server.requests.clear()
    client = FriendliClient(endpoint="container", base_url=friendli_server.container_url)
    with client, pytest.raises(UnsupportedEndpointError, match="chat/render"):
        client.count_chat_tokens(messages=MESSAGES)
    assert len(friendli_server.requests) == 0


def test_a_prompt_beyond_the_context_is_refused(
    friendli_server: LocalServer, small_model: str
) -> None:
    long_text = "word " * SMALL_CONTEXT
    with _client(friendli_server) as client:
        with pytest.raises(BadRequestError, match="maximum context length is 1024"):
            client.chat(model=small_model, messages=[{"role": "user", "content": long_text}])
        with pytest.raises(BadRequestError, match="max_tokens"):
            client.chat(model=small_model, messages=MESSAGES, max_tokens=SMALL_CONTEXT)
        assert client.chat(model=small_model, messages=MESSAGES, max_tokens=8).choices
