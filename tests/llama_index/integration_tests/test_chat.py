"""Chat, completion and streaming of `FriendliLLM` against the local server, sync and async."""

from __future__ import annotations

import base64
from collections.abc import Callable

from llama_index.core.base.llms.types import (
    ChatMessage,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
)

from friendli_core.testing import RequestLog
from llama_index_friendli import FriendliLLM
from tests.llama_index.integration_tests.conftest import MODEL, REASONING_MODEL

USER = [ChatMessage(role="user", content="Tell me about otters")]
CHAT_PATH = "/serverless/v1/chat/completions"


async def test_chat_and_achat(llm: FriendliLLM, friendli_requests: RequestLog) -> None:
    messages = [ChatMessage(role="system", content="Be brief."), *USER]
    sync = llm.chat(messages, seed=11)
    asynchronous = await llm.achat(messages, seed=11)
    assert sync.message.role == MessageRole.ASSISTANT
    assert sync.message.content
    assert "Tell me about otters" in sync.message.content
    assert sync.message.content == asynchronous.message.content
    assert sync.raw["model"] == MODEL
    assert sync.raw["choices"][0]["finish_reason"] == "stop"
    usage = sync.additional_kwargs
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0
    assert [r.path for r in friendli_requests] == [CHAT_PATH, CHAT_PATH]
    assert friendli_requests.last.body == {
        "model": MODEL,
        "seed": 11,
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Tell me about otters"},
        ],
    }
    assert friendli_requests.last.auth_ok


async def test_complete_and_acomplete(llm: FriendliLLM, friendli_requests: RequestLog) -> None:
    sync = llm.complete("Name a river", seed=3)
    asynchronous = await llm.acomplete("Name a river", seed=3)
    assert sync.text == asynchronous.text
    assert "Name a river" in sync.text
    assert sync.additional_kwargs["completion_tokens"] > 0
    assert friendli_requests.last.path == CHAT_PATH
    assert friendli_requests.last.body["messages"] == [{"role": "user", "content": "Name a river"}]


async def test_streaming_equals_non_streaming(
    llm: FriendliLLM, friendli_requests: RequestLog
) -> None:
    full = llm.chat(USER, seed=5)
    sync = list(llm.stream_chat(USER, seed=5))
    asynchronous = [r async for r in await llm.astream_chat(USER, seed=5)]
    for responses in (sync, asynchronous):
        assert len([r for r in responses if r.delta]) > 1
        assert "".join(r.delta or "" for r in responses) == full.message.content
        assert responses[-1].message.content == full.message.content
        assert responses[-1].additional_kwargs == full.additional_kwargs
    stream_body = friendli_requests.last.body
    assert stream_body["stream"] is True
    assert stream_body["stream_options"] == {"include_usage": True}


async def test_stream_complete_and_astream_complete(llm: FriendliLLM) -> None:
    full = llm.complete("Name a lake", seed=2)
    sync = list(llm.stream_complete("Name a lake", seed=2))
    asynchronous = [r async for r in await llm.astream_complete("Name a lake", seed=2)]
    for responses in (sync, asynchronous):
        assert "".join(r.delta or "" for r in responses) == full.text == responses[-1].text
        assert (
            responses[-1].additional_kwargs["total_tokens"]
            == full.additional_kwargs["total_tokens"]
        )


async def test_completions_endpoint_with_integer_logprobs(
    make_llm: Callable[..., FriendliLLM], friendli_requests: RequestLog
) -> None:
    llm = make_llm(is_chat_model=False, logprobs=True, top_logprobs=2)
    done = llm.complete("Once upon a time", formatted=True, seed=1)
    adone = await llm.acomplete("Once upon a time", formatted=True, seed=1)
    streamed = list(llm.stream_complete("Once upon a time", formatted=True, seed=1))
    assert done.text == adone.text == streamed[-1].text
    assert done.logprobs is not None
    assert len(done.logprobs) == done.additional_kwargs["completion_tokens"]
    assert all(1 <= len(position) <= 2 for position in done.logprobs)
    assert streamed[-1].logprobs == done.logprobs
    assert {r.path for r in friendli_requests} == {"/serverless/v1/completions"}
    assert friendli_requests.last.body["logprobs"] == 2
    assert friendli_requests.last.body["prompt"] == "Once upon a time"
    reply = await llm.achat(USER)
    assert reply.message.content
    assert friendli_requests.last.body["prompt"] == "user: Tell me about otters\nassistant: "


async def test_chat_logprobs(
    make_llm: Callable[..., FriendliLLM], friendli_requests: RequestLog
) -> None:
    llm = make_llm(logprobs=True, top_logprobs=3)
    full = llm.chat(USER, seed=4)
    streamed = [r async for r in await llm.astream_chat(USER, seed=4)]
    assert full.logprobs is not None
    assert len(full.logprobs) == full.additional_kwargs["completion_tokens"]
    assert all(1 <= len(position) <= 3 for position in full.logprobs)
    assert streamed[-1].logprobs == full.logprobs
    assert friendli_requests.last.body["logprobs"] is True
    assert friendli_requests.last.body["top_logprobs"] == 3


async def test_reasoning_is_kept(
    make_llm: Callable[..., FriendliLLM], friendli_requests: RequestLog
) -> None:
    llm = make_llm(model=REASONING_MODEL, additional_kwargs={"parse_reasoning": True})
    full = llm.chat(USER, seed=9)
    streamed = [r async for r in await llm.astream_chat(USER, seed=9)]
    thinking = [b.content for b in full.message.blocks if isinstance(b, ThinkingBlock)]
    assert len(thinking) == 1
    assert thinking[0]
    assert full.message.content
    assert "<think>" not in full.message.content
    assert streamed[-1].message == full.message
    assert "".join(r.additional_kwargs.get("thinking_delta", "") for r in streamed) == thinking[0]
    assert friendli_requests.last.body["parse_reasoning"] is True
    follow_up = [*USER, full.message, ChatMessage(role="user", content="And beavers?")]
    llm.chat(follow_up)
    assert friendli_requests.last.body["messages"][1]["reasoning_content"] == thinking[0]


def test_images_are_sent_as_content_parts(llm: FriendliLLM, friendli_requests: RequestLog) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
    message = ChatMessage(
        role="user",
        blocks=[
            TextBlock(text="Describe these images"),
            ImageBlock(url="https://example.com/otter.jpg"),
            ImageBlock(image=png, image_mimetype="image/png"),
        ],
    )
    assert llm.chat([message]).message.content
    assert friendli_requests.last.body["messages"][0]["content"] == [
        {"type": "text", "text": "Describe these images"},
        {"type": "image_url", "image_url": {"url": "https://example.com/otter.jpg"}},
        {
            "type": "image_url",
            "image_url": {"url": "data:image/png;base64," + base64.b64encode(png).decode()},
        },
    ]


def test_sampling_fields_reach_the_server(
    make_llm: Callable[..., FriendliLLM], friendli_requests: RequestLog
) -> None:
    llm = make_llm(temperature=0.3, top_p=0.8, max_tokens=3, stop=["zzz"], seed=1)
    reply = llm.chat(USER)
    assert reply.additional_kwargs["completion_tokens"] <= 3
    assert reply.raw["choices"][0]["finish_reason"] == "length"
    body = friendli_requests.last.body
    assert (body["temperature"], body["top_p"], body["max_tokens"], body["stop"], body["seed"]) == (
        0.3,
        0.8,
        3,
        ["zzz"],
        1,
    )
