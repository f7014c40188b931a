"""Documented constraints are rejected before sending, with messages naming the fields."""

from __future__ import annotations

import inspect
import json
import math
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from friendli_core import AsyncFriendliClient, FriendliClient, InvalidRequestError
from friendli_core._protocol import RequestSpec, build_chat_request, build_completion_request
from friendli_core._validate import CHAT_FIELDS, COMPLETION_FIELDS, MAX_TOOLS
from friendli_core.config import ClientConfig

CONFIG = ClientConfig(token="flp_x")
MSGS = [{"role": "user", "content": "Hi"}]
TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
JSON_FMT = {"type": "json_object"}


def _chat(*, as_stream: bool = False, **params: Any) -> None:
    build_chat_request(CONFIG, {"model": "m", "messages": MSGS, **params}, stream=as_stream)


def _completion(*, as_stream: bool = False, **params: Any) -> None:
    build_completion_request(CONFIG, {"model": "m", **params}, stream=as_stream)


# (params, words every message must contain)
CHAT_REJECTS: list[tuple[dict[str, Any], list[str]]] = [
    ({"tools": [TOOL], "response_format": JSON_FMT}, ["tools", "response_format"]),
    ({"tools": [TOOL], "min_tokens": 5}, ["min_tokens", "tools"]),
    ({"response_format": JSON_FMT, "min_tokens": 5}, ["min_tokens", "response_format"]),
    ({"top_logprobs": 3}, ["top_logprobs", "logprobs=True"]),
    ({"top_logprobs": 3, "logprobs": False}, ["top_logprobs", "logprobs"]),
    ({"stream_options": {"include_usage": "yes"}}, ["stream_options", "include_usage"]),
    ({"stream_options": {"usage": True}}, ["stream_options", "include_usage"]),
    ({"tools": [TOOL] * (MAX_TOOLS + 1)}, ["128", "tools", "129"]),
    ({"temperature": -0.1}, ["temperature", ">= 0"]),
    ({"temperature": math.nan}, ["temperature"]),
    ({"temperature": math.inf}, ["temperature"]),
    ({"temperature": "hot"}, ["temperature"]),
    ({"top_p": 0}, ["top_p", "(0, 1]"]),
    ({"top_p": 1.01}, ["top_p"]),
    ({"frequency_penalty": 2.5}, ["frequency_penalty", "-2.0", "2.0"]),
    ({"presence_penalty": -3}, ["presence_penalty"]),
    ({"repetition_penalty": 0}, ["repetition_penalty", "positive"]),
    ({"min_p": 1.5}, ["min_p"]),
    ({"xtc_threshold": -0.1}, ["xtc_threshold"]),
    ({"xtc_probability": 2}, ["xtc_probability"]),
    ({"n": 0}, ["n=0", ">= 1"]),
    ({"n": True}, ["n=True"]),
    ({"n": 1.5}, ["n=1.5"]),
    ({"max_tokens": 0}, ["max_tokens"]),
    ({"min_tokens": -1}, ["min_tokens"]),
    ({"top_k": -1}, ["top_k"]),
    ({"logprobs": True, "top_logprobs": 21}, ["top_logprobs", "20"]),
    ({"logprobs": 1}, ["logprobs", "boolean"]),
    ({"seed": "42"}, ["seed"]),
    ({"seed": []}, ["seed"]),
    ({"seed": [1, "2"]}, ["seed"]),
    ({"stop": "END"}, ["stop", "list of strings"]),
    ({"eos_token": [1.5]}, ["eos_token"]),
    ({"logit_bias": {"1": "high"}}, ["logit_bias"]),
    ({"reasoning_effort": "extreme"}, ["reasoning_effort", "minimal"]),
    ({"reasoning_effort": ["high"]}, ["reasoning_effort"]),
    ({"reasoning_budget": 0}, ["reasoning_budget"]),
    ({"stream": True}, ["stream", "stream_chat"]),
    ({"temprature": 0.5}, ["temprature", "extra_body"]),
    ({"response_format": {"type": "xml"}}, ["response_format", "json_schema", "regex"]),
    ({"response_format": {"type": ["text"]}}, ["response_format"]),
    ({"response_format": {"type": "json_schema"}}, ["json_schema", "schema"]),
    ({"response_format": {"type": "json_schema", "json_schema": {"schema": "{}"}}}, ["schema"]),
    ({"response_format": {"type": "regex"}}, ["regex", "schema"]),
    ({"response_format": "json"}, ["response_format"]),
    ({"tool_choice": "required"}, ["tool_choice", "tools"]),
    ({"tool_choice": {"type": "function", "function": {"name": "f"}}}, ["tool_choice", "tools"]),
    ({"tools": [TOOL], "tool_choice": "any"}, ["tool_choice", "'auto'"]),
    (
        {"tools": [TOOL], "tool_choice": {"type": "function", "function": {"name": "g"}}},
        ["'g'", "tools"],
    ),
    ({"tools": [TOOL], "tool_choice": {"type": "function", "function": "f"}}, ["tool_choice"]),
    ({"tools": [TOOL], "tool_choice": {"type": "function"}}, ["tool_choice"]),
    ({"tools": [{"type": "retrieval"}]}, ["tools[0]", "function"]),
    ({"tools": [{"type": "function", "function": {"name": "bad name"}}]}, ["tools[0]", "bad name"]),
    ({"tools": [{"type": "function", "function": {"name": "f\n"}}]}, ["tools[0]"]),
    ({"tools": [{"type": "function", "function": {"name": "x" * 65}}]}, ["tools[0]", "64"]),
    (
        {"tools": [TOOL, {"type": "function", "function": {"name": "g", "parameters": "{}"}}]},
        ["tools[1]", "parameters"],
    ),
    ({"tools": TOOL}, ["tools"]),
]


@pytest.mark.parametrize(("params", "words"), CHAT_REJECTS, ids=lambda v: None)
def test_chat_constraint_rejected_with_actionable_message(
    params: dict[str, Any], words: list[str]
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        _chat(**params)
    message = str(info.value)
    for word in words:
        assert word in message, (word, message)


MESSAGE_REJECTS: list[tuple[Any, list[str]]] = [
    ([], ["messages", "non-empty"]),
    (None, ["messages"]),
    ("Hi", ["messages"]),
    (["Hi"], ["messages[0]", "role"]),
    ([{"content": "Hi"}], ["messages[0]", "role"]),
    ([{"role": "human", "content": "Hi"}], ["messages[0]", "'human'"]),
    (
        [{"role": "system", "content": [{"type": "text", "text": "x"}]}],
        ["messages[0]", "system", "string"],
    ),
    ([{"role": "user", "content": None}], ["messages[0]", "user"]),
    (
        [{"role": "user", "content": [{"type": "image", "url": "x"}]}],
        ["messages[0].content[0]", "image_url"],
    ),
    ([{"role": "user", "content": [{"type": "text"}]}], ["messages[0].content[0]", "text"]),
    (
        [{"role": "user", "content": [{"type": "image_url", "image_url": "http://x"}]}],
        ["content[0]", "url"],
    ),
    ([MSGS[0], {"role": "assistant", "content": None}], ["messages[1]", "content or tool_calls"]),
    ([MSGS[0], {"role": "assistant", "content": ["x"]}], ["messages[1]", "string or None"]),
    (
        [MSGS[0], {"role": "assistant", "content": None, "tool_calls": [{"type": "function"}]}],
        ["messages[1]", "id"],
    ),
    (
        [MSGS[0], {"role": "assistant", "content": None, "tool_calls": 5}],
        ["messages[1]", "tool_calls"],
    ),
    (
        [
            MSGS[0],
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": "{}"}}],
            },
        ],
        ["messages[1].tool_calls[0]", '"type": "function"'],
    ),
    (
        [
            MSGS[0],
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "c",
                        "type": "function",
                        "function": {"name": "f", "arguments": {"a": 1}},
                    }
                ],
            },
        ],
        ["messages[1].tool_calls[0]", "arguments", "JSON string"],
    ),
    (
        [
            MSGS[0],
            {"role": "assistant", "content": None, "tool_calls": [{"id": "c", "type": "function"}]},
        ],
        ["messages[1].tool_calls[0]", "function"],
    ),
    ([MSGS[0], {"role": "tool", "content": "20"}], ["messages[1]", "tool_call_id"]),
    (
        [MSGS[0], {"role": "tool", "tool_call_id": "c", "content": {"t": 1}}],
        ["messages[1]", "tool", "string"],
    ),
]


@pytest.mark.parametrize(("messages", "words"), MESSAGE_REJECTS, ids=lambda v: None)
def test_bad_messages_rejected_naming_the_index(messages: Any, words: list[str]) -> None:
    with pytest.raises(InvalidRequestError) as info:
        build_chat_request(CONFIG, {"model": "m", "messages": messages}, stream=False)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


COMPLETION_REJECTS: list[tuple[dict[str, Any], list[str]]] = [
    ({}, ["prompt", "tokens"]),
    ({"prompt": "a", "tokens": [1]}, ["prompt", "tokens", "exactly one"]),
    ({"prompt": []}, ["prompt"]),
    ({"prompt": ["a", 1]}, ["prompt"]),
    ({"tokens": ["1"]}, ["tokens"]),
    ({"prompt": "a", "max_tokens": 5, "max_total_tokens": 9}, ["max_tokens", "max_total_tokens"]),
    ({"prompt": "a", "min_tokens": 1, "min_total_tokens": 9}, ["min_tokens", "min_total_tokens"]),
    (
        {"prompt": "a", "response_format": JSON_FMT, "min_tokens": 2},
        ["min_tokens", "response_format"],
    ),
    ({"prompt": "a", "logprobs": True}, ["logprobs", "integer"]),
    ({"prompt": "a", "logprobs": 21}, ["logprobs"]),
    ({"prompt": "a", "tools": [TOOL]}, ["tools", "completions"]),
    ({"prompt": "a", "top_logprobs": 2}, ["top_logprobs"]),
    ({"prompt": "a", "bad_word_tokens": [[1, 2]]}, ["bad_word_tokens", "tokens"]),
    ({"prompt": "a", "stop_tokens": [{"tokens": [1], "x": 1}]}, ["stop_tokens"]),
    ({"prompt": "a", "embedding_to_replace": [math.nan]}, ["embedding_to_replace"]),
    ({"prompt": "a", "no_repeat_ngram": 0}, ["no_repeat_ngram"]),
    ({"prompt": "a", "temperature": -1}, ["temperature"]),
]


@pytest.mark.parametrize(("params", "words"), COMPLETION_REJECTS, ids=lambda v: None)
def test_completion_constraint_rejected(params: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(InvalidRequestError) as info:
        _completion(**params)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_model_required_except_on_container() -> None:
    with pytest.raises(InvalidRequestError, match="model"):
        build_chat_request(CONFIG, {"messages": MSGS}, stream=False)
    with pytest.raises(InvalidRequestError, match="model"):
        build_completion_request(CONFIG, {"prompt": "a"}, stream=False)
    container = ClientConfig(endpoint="container")
    build_chat_request(container, {"messages": MSGS}, stream=False)
    build_completion_request(container, {"prompt": "a"}, stream=True)


def test_accepted_edges() -> None:
    """Values at the documented bounds pass; None means unset and is always accepted."""
    _chat(temperature=0, top_p=1, min_p=0, top_k=0, n=1, top_logprobs=20, logprobs=True)
    _chat(tools=[TOOL] * MAX_TOOLS, tool_choice="none", min_tokens=0)
    _chat(tools=[], response_format=JSON_FMT)
    _chat(temperature=None, top_p=None, tools=None, tool_choice=None, response_format=None)
    _chat(as_stream=True, stream_options={"include_usage": False})
    _completion(prompt="", logprobs=0)
    _completion(tokens=[], max_total_tokens=1)


def test_extra_body_is_not_validated_and_is_sent() -> None:
    spec = build_chat_request(
        CONFIG, {"model": "m", "messages": MSGS, "extra_body": {"future_field": [1]}}, stream=False
    )
    assert json.loads(spec.content or b"")["future_field"] == [1]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"stream": True}, "extra_body cannot set stream: the method decides it"),
        ({"stream": False}, "extra_body cannot set stream"),
        ([("a", 1)], "extra_body must be a dict of fields to add to the body; got list"),
        ("x", "extra_body must be a dict of fields to add to the body; got str"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_extra_body_must_be_a_dict_that_leaves_streaming_alone(
    extra: object, message: str, stream: bool
) -> None:
    """A body that says `stream` against the method would be parsed as the wrong kind of reply
    (found by tests/reliability/test_fuzz_request.py)."""
    params = {"model": "m", "messages": MSGS, "extra_body": extra}
    with pytest.raises(InvalidRequestError, match=re.escape(message)):
        build_chat_request(CONFIG, params, stream=stream)
    with pytest.raises(InvalidRequestError, match=re.escape(message)):
        build_completion_request(
            CONFIG, {"model": "m", "prompt": "p", "extra_body": extra}, stream=stream
        )


@pytest.mark.parametrize("client_cls", [FriendliClient, AsyncFriendliClient])
async def test_rejected_requests_are_never_sent(client_cls: type) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    transport = httpx.MockTransport(handler)
    http = (httpx.Client if client_cls is FriendliClient else httpx.AsyncClient)(
        transport=transport
    )
    client = client_cls(token="flp_x", http_client=http)

    async def call(name: str, **params: Any) -> Any:
        result = getattr(client, name)(**params)
        return await result if inspect.isawaitable(result) else result

    with pytest.raises(InvalidRequestError, match="tools and response_format"):
        await call("chat", model="m", messages=MSGS, tools=[TOOL], response_format=JSON_FMT)
    with pytest.raises(InvalidRequestError, match="prompt"):
        await call("stream_completions", model="m")
    with pytest.raises(InvalidRequestError, match="top_logprobs"):
        await call("stream_chat", model="m", messages=MSGS, top_logprobs=2)
    assert sent == []


# --------------------------------------------------------------------------- fuzz

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _outcome(build: Callable[[], RequestSpec]) -> dict[str, Any] | InvalidRequestError:
    """The body built, or the InvalidRequestError raised; any other exception propagates."""
    try:
        spec = build()
    except InvalidRequestError as exc:
        return exc
    return json.loads(spec.content or b"")


@settings(max_examples=100, deadline=None)
@given(
    field=st.sampled_from(sorted(CHAT_FIELDS)),
    value=_json,
    with_tools=st.booleans(),
    stream=st.booleans(),
)
def test_chat_fuzz_only_invalid_request_errors(
    field: str, value: Any, with_tools: bool, stream: bool
) -> None:
    """Any value in any field either builds or raises InvalidRequestError, never a crash."""
    params: dict[str, Any] = {"model": "m", "messages": MSGS, field: value}
    if with_tools and field != "tools":
        params["tools"] = [TOOL]
    outcome = _outcome(lambda: build_chat_request(CONFIG, params, stream=stream))
    if isinstance(outcome, InvalidRequestError):
        assert str(outcome)
    else:
        assert None not in outcome.values()
        if field == "stream_options":  # the method decides it: left out unless streaming
            assert stream or field not in outcome
        else:
            assert value is None or outcome[field] == value


@settings(max_examples=100, deadline=None)
@given(field=st.sampled_from(sorted(COMPLETION_FIELDS)), value=_json, stream=st.booleans())
def test_completion_fuzz_only_invalid_request_errors(field: str, value: Any, stream: bool) -> None:
    params: dict[str, Any] = {"model": "m", "prompt": "a", field: value}
    outcome = _outcome(lambda: build_completion_request(CONFIG, params, stream=stream))
    if isinstance(outcome, dict):
        assert None not in outcome.values()


@settings(max_examples=80, deadline=None)
@given(
    messages=st.lists(
        st.dictionaries(
            st.sampled_from(["role", "content", "tool_calls", "tool_call_id"]),
            _json | st.sampled_from(["user", "assistant", "tool", "system"]),
        ),
        max_size=3,
    )
)
def test_message_fuzz_only_invalid_request_errors(messages: list[Any]) -> None:
    outcome = _outcome(
        lambda: build_chat_request(CONFIG, {"model": "m", "messages": messages}, stream=False)
    )
    if isinstance(outcome, dict):
        assert outcome["messages"] == messages


def test_deeply_nested_bad_value_gives_a_bounded_message() -> None:
    from friendli_core._validate import check_chat_params
    from friendli_core.errors import InvalidRequestError

    nested: list[object] = []
    inner = nested
    for _ in range(5000):
        child: list[object] = []
        inner.append(child)
        inner = child
    params = {"model": "m", "messages": [{"role": "user", "content": "h"}], "stop": nested}
    with pytest.raises(InvalidRequestError, match="stop=") as info:
        check_chat_params(params, endpoint="serverless")
    assert len(str(info.value)) < 200
