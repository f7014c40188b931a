"""`ChatFriendli.profile`, `from_server` and exact token counts."""

from __future__ import annotations

import logging
from typing import Literal

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.tools import tool

from friendli_core import (
    InvalidRequestError,
    ModelInfo,
    ModelNotListedError,
    UnsupportedEndpointError,
    known_models,
)
from friendli_core.testing import LOCAL_TOKEN, LocalServer
from friendli_core.testing._tokens import render_chat, tokenize
from langchain_friendli import ChatFriendli
from llama_index_friendli import FriendliLLM
from tests.catalog.conftest import SMALL_CONTEXT

MESSAGES = [
    SystemMessage("You answer briefly."),
    HumanMessage("What is the weather in Paris?"),
    AIMessage("Let me check."),
    HumanMessage("Thanks, and in Rome?"),
]


@tool
def get_weather(city: str) -> str:
    """Weather of a city."""
    return f"sunny in {city}"


@pytest.mark.parametrize("info", known_models(), ids=lambda m: m.id)
def test_profile_and_metadata_come_from_the_snapshot(info: ModelInfo) -> None:
    chat = ChatFriendli(model=info.id, api_key="flp_x")
    llm = FriendliLLM(model=info.id, api_key="flp_x")
    assert chat.profile is not None
    assert chat.profile["max_input_tokens"] == llm.metadata.context_window == info.context_length
    if info.max_completion_tokens is not None:
        assert chat.profile["max_output_tokens"] == info.max_completion_tokens
    if info.functionality is not None and info.functionality.tool_call is not None:
        assert chat.profile["tool_calling"] is info.functionality.tool_call
        assert llm.metadata.is_function_calling_model is info.functionality.tool_call
    # the catalog's flag, also for a reasoning model that documents no controls (GLM-5.1)
    assert chat.profile.get("reasoning_output") is info.reasoning


def test_unknown_models_build_without_a_profile() -> None:
    assert ChatFriendli(model="my-org/not-in-the-catalog", api_key="flp_x").profile is None
    # a dedicated endpoint id or a container model is never looked up in the serverless snapshot
    glm = known_models()[0].id
    assert ChatFriendli(model=glm, endpoint="dedicated", api_key="flp_x").profile is None
    assert ChatFriendli(model=glm, endpoint="container").profile is None


def test_explicit_profile_wins() -> None:
    glm = known_models()[0].id
    chat = ChatFriendli(model=glm, api_key="flp_x", profile={"max_input_tokens": 1000})
    assert chat.profile == {"max_input_tokens": 1000}


def test_from_server_serverless(friendli_server: LocalServer, small_model: str) -> None:
    chat = ChatFriendli.from_server(
        model=small_model, api_key=LOCAL_TOKEN, base_url=friendli_server.serverless_url
    )
    assert chat.profile is not None
    assert chat.profile["max_input_tokens"] == SMALL_CONTEXT
    assert chat.profile["max_output_tokens"] == 128
    assert chat.profile["tool_calling"] is False
    overridden = ChatFriendli.from_server(
        model=small_model,
        api_key=LOCAL_TOKEN,
        base_url=friendli_server.serverless_url,
        profile={"max_output_tokens": 64},
    )
    assert overridden.profile is not None
    assert (overridden.profile["max_input_tokens"], overridden.profile["max_output_tokens"]) == (
        SMALL_CONTEXT,
        64,
    )


def test_from_server_container_reads_the_reported_context(
    friendli_server: LocalServer, small_model: str
) -> None:
    chat = ChatFriendli.from_server(
        model=small_model, endpoint="container", base_url=friendli_server.container_url
    )
    assert chat.profile == {"max_input_tokens": SMALL_CONTEXT}


def test_from_server_rejects_an_unlisted_model(friendli_server: LocalServer) -> None:
    with pytest.raises(ModelNotListedError, match="does not list model 'nobody/nothing'"):
        ChatFriendli.from_server(
            model="nobody/nothing", api_key=LOCAL_TOKEN, base_url=friendli_server.serverless_url
        )
    with pytest.raises(UnsupportedEndpointError, match="dedicated"):
        ChatFriendli.from_server(model="ep-1", endpoint="dedicated", api_key=LOCAL_TOKEN)


def test_from_server_warns_about_a_deprecated_model(
    friendli_server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    friendli_server.register_model("catalog-test/retired", deprecation_date="2020-01-01T00:00:00Z")
    try:
        with caplog.at_level(logging.WARNING, logger="friendli_core"):
            for _ in range(2):
                ChatFriendli.from_server(
                    model="catalog-test/retired",
                    api_key=LOCAL_TOKEN,
                    base_url=friendli_server.serverless_url,
                )
    finally:
        friendli_server.unregister_model("catalog-test/retired")
    warned = [r.getMessage() for r in caplog.records if "catalog-test/retired" in r.getMessage()]
    assert len(warned) == 1
    assert "was deprecated on 2020-01-01" in warned[0]


@pytest.mark.parametrize("endpoint", ["serverless", "dedicated"])
@pytest.mark.parametrize("with_tools", [False, True])
def test_exact_counts_equal_the_servers_tokenization_of_the_rendered_prompt(
    friendli_server: LocalServer, endpoint: Literal["serverless", "dedicated"], *, with_tools: bool
) -> None:
    url = f"{friendli_server.url}/{endpoint}/v1"
    chat = ChatFriendli(
        model=known_models()[0].id, endpoint=endpoint, api_key=LOCAL_TOKEN, base_url=url
    )
    tools = [get_weather] if with_tools else None
    friendli_server.requests.clear()
    count = chat.get_num_tokens_from_messages(MESSAGES, tools=tools)
    render, tokenize_request = friendli_server.requests
    assert render.path.endswith("/chat/render")
    assert ("tools" in render.body) is with_tools
    expected = render_chat(render.body["messages"], render.body.get("tools"))
    assert tokenize_request.body["prompt"] == expected
    assert count == len(tokenize(expected))
    assert chat.get_num_tokens("Thanks, and in Rome?") == len(tokenize("Thanks, and in Rome?"))
    # and it is what the server charges for the same conversation
    bound = chat.bind_tools(tools) if tools else chat
    reply = bound.invoke(MESSAGES)
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["input_tokens"] == count


def test_counting_on_a_container_raises_a_typed_error(friendli_server: LocalServer) -> None:
    chat = ChatFriendli(endpoint="container", base_url=friendli_server.container_url)
    with pytest.raises(UnsupportedEndpointError, match="cannot render"):
        chat.get_num_tokens_from_messages(MESSAGES)


DEFAULT_MODEL = "deepseek-ai/DeepSeek-V3.2"


def test_from_server_lists_the_snapshots_models_offline(friendli_server: LocalServer) -> None:
    chat = ChatFriendli.from_server(
        model=DEFAULT_MODEL, api_key=LOCAL_TOKEN, base_url=friendli_server.serverless_url
    )
    snapshot = ChatFriendli(model=DEFAULT_MODEL, api_key="flp_x").profile
    assert snapshot is not None
    assert chat.profile == snapshot
    assert snapshot["max_input_tokens"] == 163_840
    assert snapshot["reasoning_output"] is True
    assert snapshot["image_inputs"] is False


@pytest.mark.parametrize(
    ("adapter", "day"), [(ChatFriendli, "2021-05-05"), (FriendliLLM, "2021-06-06")]
)
def test_from_server_warns_with_the_live_deprecation_date(
    friendli_server: LocalServer,
    caplog: pytest.LogCaptureFixture,
    adapter: type[ChatFriendli | FriendliLLM],
    day: str,  # one date per adapter: a notice is logged once per model and date
) -> None:
    # the live catalog deprecates the model; the snapshot does not
    friendli_server.register_model(
        DEFAULT_MODEL, context_length=163_840, deprecation_date=f"{day}T00:00:00Z"
    )
    try:
        with caplog.at_level(logging.WARNING, logger="friendli_core"):
            adapter(model=DEFAULT_MODEL, api_key=LOCAL_TOKEN)
            assert not [r for r in caplog.records if DEFAULT_MODEL in r.getMessage()]
            adapter.from_server(
                model=DEFAULT_MODEL, api_key=LOCAL_TOKEN, base_url=friendli_server.serverless_url
            )
    finally:
        friendli_server.unregister_model(DEFAULT_MODEL)
    warned = [r.getMessage() for r in caplog.records if DEFAULT_MODEL in r.getMessage()]
    assert len(warned) == 1
    assert f"was deprecated on {day}" in warned[0]


def test_from_server_keeps_the_snapshots_facts_the_live_catalog_lacks(
    friendli_server: LocalServer,
) -> None:
    # Friendli's GET /models states no reasoning facts and no modalities (its schema has none)
    model = "zai-org/GLM-5.2"
    friendli_server.register_model(model, context_length=1_000_000, max_completion_tokens=131_072)
    try:
        chat = ChatFriendli.from_server(
            model=model, api_key=LOCAL_TOKEN, base_url=friendli_server.serverless_url
        )
        container = ChatFriendli.from_server(
            model=model, endpoint="container", base_url=friendli_server.container_url
        )
    finally:
        friendli_server.unregister_model(model)
    assert chat.profile is not None
    assert chat.profile["reasoning_output"] is True
    assert chat.profile["reasoning_effort_levels"] == ["high", "max"]
    assert chat.profile["text_inputs"] is True
    assert chat.profile["image_inputs"] is False
    # the adapter checks against the entry it resolved, the snapshot's facts included
    with pytest.raises(InvalidRequestError, match="takes reasoning_effort 'high', 'max'"):
        chat.invoke("Hi", reasoning_effort="low")
    # a container's catalog is its own: the serverless snapshot is not consulted
    assert container.profile == {"max_input_tokens": 1_000_000}
