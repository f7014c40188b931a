"""Friendli (BaseLLM over /completions) over `httpx.MockTransport`."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.exceptions import ModelInvalidRequestError

import friendli_core as fc
from langchain_friendli import Friendli
from tests.langchain.unit_tests.mock_api import MockAPI

LOGPROBS = {
    "tokens": [" Paris"],
    "token_logprobs": [-0.1],
    "text_offset": [0],
    "top_logprobs": [{" Paris": -0.1}],
}


def completion(text: str = " Paris", **choice: Any) -> dict[str, Any]:
    return {
        "id": "cmpl-1",
        "object": "text_completion",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "seed": 42,
                "text": text,
                "tokens": [9, 8],
                "finish_reason": "stop",
                **choice,
            }
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
    }


def chunk(text: str, token: int | None = None, finish: str | None = None) -> dict[str, Any]:
    choice: dict[str, Any] = {"index": 0, "text": text, "finish_reason": finish}
    if token is not None:
        choice["token"] = token
    return {
        "id": "cmpl-1",
        "object": "text_completion",
        "model": "m",
        "created": 1,
        "choices": [choice],
    }


USAGE = {
    "id": "cmpl-1",
    "object": "text_completion",
    "created": 1,
    "choices": [],
    "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6},
}


def make(api: MockAPI, **kwargs: Any) -> Friendli:
    return Friendli(
        **({"model": "m", "api_key": "tok", "max_retries": 0, **api.clients()} | kwargs)
    )


MODES = pytest.mark.parametrize("mode", ["sync", "async"])


@MODES
async def test_generate_keeps_logprobs_seed_tokens_and_usage(mode: str) -> None:
    api = MockAPI.json(completion(logprobs=LOGPROBS))
    llm = make(api, logprobs=1, max_tokens=5, bad_words=["Lyon"])
    prompts = ["The capital of France is", "Again:"]
    result = llm.generate(prompts) if mode == "sync" else await llm.agenerate(prompts)
    gen = result.generations[0][0]
    assert gen.text == " Paris"
    assert gen.generation_info == {
        "seed": 42,
        "tokens": [9, 8],
        "finish_reason": "stop",
        "logprobs": LOGPROBS,
    }
    assert result.llm_output == {
        "token_usage": {"prompt_tokens": 10, "completion_tokens": 4, "total_tokens": 14},
        "model_name": "m",
        "ids": ["cmpl-1", "cmpl-1"],
    }
    assert api.requests[-1].url.path == "/serverless/v1/completions"
    assert api.last_body == {
        "model": "m",
        "max_tokens": 5,
        "logprobs": 1,
        "bad_words": ["Lyon"],
        "prompt": "Again:",
    }


@MODES
async def test_stream(mode: str) -> None:
    api = MockAPI.stream(chunk(" such", 1), chunk(" as", 2), chunk("", finish="length"), USAGE)
    llm = make(api)
    if mode == "sync":
        texts = list(llm.stream("x", stop=["!"]))
    else:
        texts = [t async for t in llm.astream("x", stop=["!"])]
    assert "".join(texts) == " such as"
    assert api.last_body["stream"] is True
    assert api.last_body["stop"] == ["!"]


@MODES
async def test_streaming_generate_folds_chunks(mode: str) -> None:
    api = MockAPI.stream(chunk(" such", 1), chunk(" as", 2), chunk("", finish="length"), USAGE)
    llm = make(api, streaming=True)
    result = llm.generate(["x"]) if mode == "sync" else await llm.agenerate(["x"])
    gen = result.generations[0][0]
    assert gen.text == " such as"
    assert gen.generation_info == {
        "tokens": [1, 2],
        "finish_reason": "length",
        "model_name": "m",
        "id": "cmpl-1",
    }
    assert result.llm_output == {
        "token_usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6},
        "model_name": "m",
    }


def test_batch_and_invoke() -> None:
    api = MockAPI.json(completion())
    llm = make(api)
    assert llm.invoke("x") == " Paris"
    assert llm.batch(["a", "b"]) == [" Paris", " Paris"]


def test_errors_and_streaming_n() -> None:
    api = MockAPI.json({"message": "bad"}, status=400)
    with pytest.raises(fc.BadRequestError) as info:
        make(api).invoke("x")
    assert isinstance(info.value, ModelInvalidRequestError)
    with pytest.raises(ModelInvalidRequestError, match="n > 1"):
        list(make(api, n=2).stream("x"))


def test_ls_params_and_secrets() -> None:
    llm = Friendli(model="m", api_key="flp_s3cr3t", temperature=0.5)
    assert llm._get_ls_params()["ls_provider"] == "friendli"
    assert llm._get_ls_params()["ls_model_name"] == "m"
    assert llm._llm_type == "friendli"
    assert "flp_s3cr3t" not in repr(llm)
    assert llm.lc_secrets == {"friendli_token": "FRIENDLI_TOKEN"}
