import json

import pytest

from friendli_core.testing._model import chat_plans, completion_plans
from friendli_core.testing._openapi import validate
from friendli_core.testing._tokens import count_tokens, detokenize
from friendli_core.testing._wire import (
    DONE,
    Meta,
    chat_chunks,
    chat_result,
    completion_chunks,
    completion_result,
    error_body,
    error_event,
    request_key,
    sse,
)

TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
BODIES = [
    {"messages": [{"role": "user", "content": "Hello there"}], "seed": 1},
    {
        "messages": [{"role": "user", "content": "Hello there"}],
        "n": 2,
        "logprobs": True,
        "top_logprobs": 3,
    },
    {"messages": [{"role": "user", "content": "Weather in 'Rome'?"}], "tools": [TOOL]},
    {"messages": [{"role": "user", "content": "Why?"}], "parse_reasoning": True},
    {"messages": [{"role": "user", "content": "a b c d e f"}], "max_tokens": 3},
]


def meta(body: dict, logprobs: int | None = None, usage: bool = True) -> Meta:
    return Meta(
        key=request_key("serverless", body),
        model="m",
        prompt_tokens=9,
        logprobs=logprobs,
        include_usage=usage,
    )


def chat_meta(body: dict) -> Meta:
    return meta(body, body.get("top_logprobs", 0) if body.get("logprobs") else None)


@pytest.mark.parametrize("body", BODIES)
def test_chat_result_validates_and_stream_matches(body: dict) -> None:
    key = request_key("serverless", body)
    result = chat_result(chat_plans(body, key, reasoning=True), chat_meta(body))
    assert validate("ChatResult", result) == []
    chunks = list(chat_chunks(chat_plans(body, key, reasoning=True), chat_meta(body)))
    for chunk in chunks:
        assert validate("StreamedChatData", chunk) == []
        assert chunk["id"] == result["id"]
        assert chunk["created"] == result["created"]
    for choice in result["choices"]:
        deltas = [
            c["choices"][0]["delta"]
            for c in chunks
            if c["choices"] and c["choices"][0]["index"] == choice["index"]
        ]
        content = "".join(d.get("content") or "" for d in deltas)
        assert content == (choice["message"]["content"] or "")
        assert deltas[0]["role"] == "assistant"
        reasoning = "".join(d.get("reasoning_content") or "" for d in deltas)
        assert reasoning == choice["message"].get("reasoning_content", "")
        finish = [
            c["choices"][0]["finish_reason"]
            for c in chunks
            if c["choices"] and c["choices"][0]["index"] == choice["index"]
        ]
        assert finish[-1] == choice["finish_reason"]
        assert set(finish[:-1]) == {None}
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"] == result["usage"]


def test_usage_is_consistent_with_the_text() -> None:
    body = BODIES[0]
    result = chat_result(chat_plans(body, "k" * 64), meta(body))
    text = result["choices"][0]["message"]["content"]
    assert result["usage"] == {
        "prompt_tokens": 9,
        "completion_tokens": count_tokens(text),
        "total_tokens": 9 + count_tokens(text),
        "prompt_tokens_details": {"cached_tokens": 0},
    }


def test_tool_call_stream_fragments() -> None:
    body = BODIES[2]
    chunks = list(chat_chunks(chat_plans(body, "k" * 64), meta(body, usage=False)))
    calls = [
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in chunks
        if c["choices"][0]["delta"].get("tool_calls")
    ]
    assert calls[0]["function"] == {"name": "get_weather", "arguments": ""}
    assert calls[0]["id"].startswith("call_")
    assert calls[0]["type"] == "function"
    assert all("id" not in c and "name" not in c["function"] for c in calls[1:])
    assert len(calls) > 2
    assert json.loads("".join(c["function"]["arguments"] for c in calls)) == {"city": "Rome"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_chat_logprobs_shape() -> None:
    body = BODIES[1]
    result = chat_result(chat_plans(body, "k" * 64), chat_meta(body))
    entries = result["choices"][0]["logprobs"]["content"]
    assert "".join(e["token"] for e in entries) == result["choices"][0]["message"]["content"]
    assert all(
        len(e["top_logprobs"]) == 3 and e["top_logprobs"][0]["token"] == e["token"] for e in entries
    )
    assert all(bytes(e["bytes"]).decode() == e["token"] for e in entries)


def test_n_choices_are_interleaved_in_the_stream() -> None:
    body = {"messages": [{"role": "user", "content": "abc def"}], "n": 2}
    indexes = [
        c["choices"][0]["index"]
        for c in chat_chunks(chat_plans(body, "k" * 64), meta(body, usage=False))
    ]
    assert indexes[:4] == [0, 1, 0, 1]


def test_completion_result_and_chunks_validate() -> None:
    body = {"prompt": "Once upon a time.", "n": 2, "logprobs": 2, "seed": 5, "max_tokens": 4}
    result = completion_result(completion_plans(body, [body["prompt"]], "k" * 64), meta(body, 2))
    assert validate("CompletionsResult", result) == []
    assert "created" not in result
    choice = result["choices"][0]
    assert choice["seed"] == 5
    assert choice["finish_reason"] == "length"
    assert detokenize(choice["tokens"]) == choice["text"]
    lp = choice["logprobs"]
    assert "".join(lp["tokens"]) == choice["text"]
    assert lp["text_offset"] == [
        sum(len(t) for t in lp["tokens"][:i]) for i in range(len(lp["tokens"]))
    ]
    assert all(len(d) == 2 for d in lp["top_logprobs"])
    chunks = list(
        completion_chunks(completion_plans(body, [body["prompt"]], "k" * 64), meta(body, 2))
    )
    for chunk in chunks:
        assert validate("StreamedCompletionData", chunk) == []
        assert chunk["object"] == "text_completion"
    texts = "".join(
        c["choices"][0]["text"] for c in chunks if c["choices"] and c["choices"][0]["index"] == 0
    )
    assert texts == choice["text"]
    finals = [c["choices"][0] for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert all(f["text"] == "" and "token" not in f for f in finals)
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] == 8


def test_ids_are_deterministic_from_the_request() -> None:
    body = BODIES[0]
    one = json.dumps(chat_result(chat_plans(body, request_key("serverless", body)), meta(body)))
    two = json.dumps(chat_result(chat_plans(body, request_key("serverless", body)), meta(body)))
    assert one == two
    assert request_key("serverless", body) != request_key("dedicated", body)
    assert request_key("x", {"a": 1, "b": 2}) == request_key("x", {"b": 2, "a": 1})


def test_framing_and_error_bodies() -> None:
    assert sse({"a": "é"}) == 'data: {"a":"é"}\n\n'.encode()
    assert DONE == b"data: [DONE]\n\n"
    assert error_body(429, "slow") == {
        "message": "slow",
        "error": {"message": "slow", "type": "rate_limit_error", "code": 429},
    }
    assert error_body(418, "tea")["error"]["type"] == "api_error"
    event = error_event(500, "boom")
    assert event.startswith(b"event: error\ndata: {")
    assert json.loads(event.split(b"data: ")[1])["error"]["code"] == 500
