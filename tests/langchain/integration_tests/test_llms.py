"""Friendli (BaseLLM over /completions) against the local server."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_friendli import Friendli


@pytest.fixture
def llm(friendli_server: Any) -> Friendli:
    return Friendli(
        model="friendli-local-model",
        base_url=friendli_server.serverless_url,
        api_key=friendli_server.token,
    )


def test_invoke_stream_and_batch(llm: Friendli, friendli_requests: Any) -> None:
    text = llm.invoke("The capital of France is", seed=3)
    assert text
    assert "".join(llm.stream("The capital of France is", seed=3)) == text
    assert len(llm.batch(["Hello", "Hi"])) == 2
    assert friendli_requests.last.path == "/serverless/v1/completions"


async def test_async(llm: Friendli) -> None:
    text = await llm.ainvoke("Hello", seed=1)
    assert text
    assert "".join([t async for t in llm.astream("Hello", seed=1)]) == text
    assert len(await llm.abatch(["a", "b"])) == 2


@pytest.mark.parametrize("streaming", [False, True])
def test_generate_keeps_logprobs_tokens_and_usage(
    friendli_server: Any, friendli_requests: Any, streaming: bool
) -> None:
    llm = Friendli(
        model="friendli-local-model",
        base_url=friendli_server.serverless_url,
        api_key=friendli_server.token,
        logprobs=2,
        max_tokens=6,
        streaming=streaming,
    )
    result = llm.generate(["Once upon a time"])
    generation = result.generations[0][0]
    info = generation.generation_info or {}
    assert info["finish_reason"] in {"stop", "length"}
    assert len(info["tokens"]) <= 6
    logprobs = info["logprobs"]
    assert "".join(logprobs["tokens"]) == generation.text
    assert len(logprobs["token_logprobs"]) == len(info["tokens"])
    usage = (result.llm_output or {})["token_usage"]
    assert usage["completion_tokens"] == len(info["tokens"])
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    body = friendli_requests.last.body
    assert body["logprobs"] == 2
    assert body["max_tokens"] == 6
    assert body["prompt"] == "Once upon a time"


def test_stop_and_n(llm: Friendli, friendli_requests: Any) -> None:
    result = llm.generate(["Tell me a story"], n=2, seed=[1, 2])
    assert len(result.generations[0]) == 2
    text = llm.invoke("Tell me a story", stop=["e"])
    assert "e" not in text
    assert friendli_requests.last.body["stop"] == ["e"]
