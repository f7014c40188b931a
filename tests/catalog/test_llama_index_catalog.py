"""`FriendliLLM.metadata` from the catalog, `from_server`, the tokenizer and a query engine."""

from __future__ import annotations

import pytest
from llama_index.core import SummaryIndex
from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.indices.prompt_helper import PromptHelper
from llama_index.core.response_synthesizers import get_response_synthesizer
from llama_index.core.schema import TextNode
from llama_index.core.tools import FunctionTool

from friendli_core import (
    BadRequestError,
    ModelNotListedError,
    UnsupportedEndpointError,
    known_models,
)
from friendli_core.testing import LOCAL_TOKEN, LocalServer
from friendli_core.testing._tokens import render_chat, tokenize
from llama_index_friendli import FriendliLLM
from llama_index_friendli._catalog import DEFAULT_CONTEXT_WINDOW
from tests.catalog.conftest import SMALL_CONTEXT

TOPICS = ("rivers", "mountains", "forests")


def _nodes() -> list[TextNode]:
    """Chunks of three long documents (about 900 words each), beyond a 1,024-token window.

    Built directly: LlamaIndex's sentence splitter would load NLTK data files.
    """
    return [
        TextNode(
            text=" ".join(
                f"Fact {i} about {topic}: the {topic} of region {i} change with season {i % 4}."
                for i in range(start, start + 20)
            )
        )
        for topic in TOPICS
        for start in range(0, 80, 20)
    ]


def _weather(city: str) -> str:
    """Weather of a city."""
    return city


def test_explicit_fields_win_over_the_catalog() -> None:
    glm = known_models()[0]
    explicit = FriendliLLM(
        model=glm.id, context_window=8192, num_output=99, is_function_calling_model=False
    ).metadata
    assert (explicit.context_window, explicit.num_output) == (8192, 99)
    assert explicit.is_function_calling_model is False
    assert FriendliLLM(model=glm.id, max_tokens=7).metadata.num_output == 7
    unknown = FriendliLLM(model="my-org/unlisted").metadata
    assert unknown.context_window == DEFAULT_CONTEXT_WINDOW
    assert unknown.is_function_calling_model is True


def test_from_server(friendli_server: LocalServer, small_model: str) -> None:
    llm = FriendliLLM.from_server(
        model=small_model, api_key=LOCAL_TOKEN, base_url=friendli_server.serverless_url
    )
    meta = llm.metadata
    assert (meta.context_window, meta.num_output) == (SMALL_CONTEXT, 128)
    assert meta.is_function_calling_model is False
    explicit = FriendliLLM.from_server(
        model=small_model,
        api_key=LOCAL_TOKEN,
        base_url=friendli_server.serverless_url,
        context_window=512,
    )
    assert explicit.metadata.context_window == 512
    container = FriendliLLM.from_server(
        model=small_model, endpoint="container", base_url=friendli_server.container_url
    )
    assert container.metadata.context_window == SMALL_CONTEXT
    with pytest.raises(ModelNotListedError):
        FriendliLLM.from_server(
            model="nobody/nothing", api_key=LOCAL_TOKEN, base_url=friendli_server.serverless_url
        )


def test_tokenizer_and_exact_counts(friendli_server: LocalServer) -> None:
    llm = FriendliLLM(
        model=known_models()[0].id, api_key=LOCAL_TOKEN, base_url=friendli_server.serverless_url
    )
    assert llm.tokenizer("Hello, world") == tokenize("Hello, world")
    messages = [
        ChatMessage(role=MessageRole.SYSTEM, content="Be brief."),
        ChatMessage(role=MessageRole.USER, content="Weather in Paris?"),
    ]
    tool = FunctionTool.from_defaults(fn=_weather)
    friendli_server.requests.clear()
    count = llm.count_tokens(messages, tools=[tool])
    render = friendli_server.requests[0]
    assert count == len(tokenize(render_chat(render.body["messages"], render.body["tools"])))
    assert llm.chat(messages).raw is not None
    container = FriendliLLM(endpoint="container", base_url=friendli_server.container_url)
    with pytest.raises(UnsupportedEndpointError):
        container.count_tokens(messages)


def _query(llm: FriendliLLM) -> str:
    index = SummaryIndex(_nodes())
    helper = PromptHelper.from_llm_metadata(llm.metadata, tokenizer=llm.tokenizer)
    synthesizer = get_response_synthesizer(llm=llm, prompt_helper=helper, response_mode="compact")
    engine = index.as_query_engine(llm=llm, response_synthesizer=synthesizer)
    return str(engine.query("Which regions change with the seasons?"))


def test_query_engine_stays_within_a_small_catalog_window(
    friendli_server: LocalServer, small_model: str
) -> None:
    settings = {
        "model": small_model,
        "api_key": LOCAL_TOKEN,
        "base_url": friendli_server.serverless_url,
        "max_tokens": 64,  # short answers: the emulator's reply would echo the whole prompt
    }
    friendli_server.requests.clear()
    assert _query(FriendliLLM.from_server(**settings))
    chats = [r for r in friendli_server.requests if r.path.endswith("/chat/completions")]
    assert len(chats) > 1  # the documents did not fit one prompt: LlamaIndex packed several
    for request in chats:
        prompt = render_chat(request.body["messages"], request.body.get("tools"))
        assert len(tokenize(prompt)) + request.body["max_tokens"] <= SMALL_CONTEXT
    # without the catalog's window the same engine packs past it, and the server refuses
    with pytest.raises(BadRequestError, match="maximum context length"):
        _query(FriendliLLM(**settings))


def test_from_server_lists_the_snapshots_models_offline(friendli_server: LocalServer) -> None:
    model = "deepseek-ai/DeepSeek-V3.2"
    llm = FriendliLLM.from_server(
        model=model, api_key=LOCAL_TOKEN, base_url=friendli_server.serverless_url
    )
    snapshot = FriendliLLM(model=model, api_key="flp_x").metadata
    assert llm.metadata.context_window == snapshot.context_window == 163_840
    assert llm.metadata.is_function_calling_model is snapshot.is_function_calling_model is True
    assert llm.metadata.num_output == snapshot.num_output
