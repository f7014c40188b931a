"""Property-based fuzzing of request parameters and messages.

Every generated call either sends a body that is valid under the OpenAPI request schema
(`friendli_core.testing._openapi.validate`) or raises a clear `InvalidRequestError` before any
request leaves the client. Inputs: wrong types, out-of-range and non-finite numbers, unknown
fields and roles, conflicting fields, huge inputs, text that is not valid UTF-8 (lone
surrogates), deep nesting.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import friendli_core as fc
from friendli_core import FriendliClient
from friendli_core._validate import CHAT_FIELDS, COMPLETION_FIELDS
from friendli_core.testing._openapi import validate
from langchain_friendli import ChatFriendli

pytestmark = pytest.mark.reliability

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FUZZ = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Sent:
    """Records the bodies that reached the transport; answers with a canned completion."""

    def __init__(self) -> None:
        self.bodies: list[Any] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        try:
            body = json.loads(request.content)
        except RecursionError:
            # Nesting the client could just encode cannot always be decoded again here: this
            # runs some 30 frames deeper, under the same recursion limit (which hypothesis
            # raises while a test runs). The body was sent; record it as sent, undecoded.
            body = {"undecodable": request.content}
        self.bodies.append(body)
        kind = "chat" if request.url.path.endswith("/chat/completions") else "completions"
        if body.get("stream"):
            headers = {"content-type": "text/event-stream"}
            content = (FIXTURES / f"core_{kind}_basic.sse").read_bytes()
            return httpx.Response(200, headers=headers, content=content)
        return httpx.Response(200, content=(FIXTURES / f"core_{kind}_basic.json").read_bytes())


@pytest.fixture(scope="module")
def sent() -> Sent:
    return Sent()


@pytest.fixture(scope="module")
def client(sent: Sent) -> Iterator[FriendliClient]:
    http = httpx.Client(transport=httpx.MockTransport(sent.handler))
    with FriendliClient(
        token="flp_fuzz", base_url="http://fuzz.test/serverless/v1", http_client=http
    ) as c:
        yield c
    http.close()


# --------------------------------------------------------------------------- strategies

_bad_text = st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1)
_text = st.text(max_size=20) | _bad_text | st.just("x" * 200_000)
_numbers = (
    st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0, 1, -1, 0.0, 1.0, 2.0, -2.0, 20, 21, 0.5])
)
_leaf = st.none() | st.booleans() | _numbers | _text | st.binary(max_size=4)
_wild = st.recursive(
    _leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


class Deep(list):  # type: ignore[type-arg]
    """A deeply nested list with a short repr (hypothesis cannot pretty-print the real one)."""

    depth = 0

    def __repr__(self) -> str:
        return f"Deep(depth={self.depth})"


def _nest(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth - 1):
        value = [value]
    deep = Deep([value])
    deep.depth = depth
    return deep


_deep = st.integers(50, 3000).map(_nest)


_value = _wild | _deep | st.builds(object)
_roles = st.sampled_from(["system", "user", "assistant", "tool", "developer", "bogus", ""]) | _leaf
_tool_call = st.fixed_dictionaries(
    {"id": st.text(max_size=5) | _leaf, "type": st.sampled_from(["function", "other"])},
    optional={
        "function": st.fixed_dictionaries(
            {"name": st.sampled_from(["get_weather", "x"]), "arguments": st.text(max_size=10)}
        )
        | _wild
    },
)
_part = st.fixed_dictionaries(
    {"type": st.sampled_from(["text", "image_url", "audio_url", "video_url", "bogus"])},
    optional={"text": _text | _leaf, "image_url": _wild, "audio_url": _wild, "video_url": _wild},
)
_message = st.fixed_dictionaries(
    {"role": _roles},
    optional={
        "content": _text | st.lists(_part | _wild, max_size=3) | _value,
        "tool_calls": st.lists(_tool_call, max_size=2) | _value,
        "tool_call_id": st.text(max_size=5) | _leaf,
        "name": st.text(max_size=5) | _leaf,
        "reasoning_content": _text | _leaf,
    },
)
_messages = (
    st.lists(_message, max_size=4)
    | st.lists(st.fixed_dictionaries({"role": st.just("user"), "content": _text}), min_size=1)
    | _value
)
_tool = st.fixed_dictionaries(
    {"type": st.sampled_from(["function", "bogus"])},
    optional={
        "function": st.fixed_dictionaries(
            {"name": st.sampled_from(["get_weather", "bad name!", "", "x" * 70]) | _leaf},
            optional={"parameters": st.just({"type": "object", "properties": {}}) | _wild},
        )
        | _wild
    },
)
_special = {
    "tools": st.lists(_tool, max_size=3) | _value,
    "tool_choice": st.sampled_from(["auto", "none", "required", "any"])
    | st.just({"type": "function", "function": {"name": "get_weather"}})
    | _value,
    "response_format": st.sampled_from(
        [
            {"type": "text"},
            {"type": "json_object"},
            {"type": "json_schema", "json_schema": {"schema": {"type": "object"}}},
            {"type": "json_schema", "json_schema": {"schema": "no"}},
            {"type": "regex", "schema": "(yes|no)"},
            {"type": "regex"},
            {"type": "xml"},
        ]
    )
    | _value,
    "stream_options": st.just({"include_usage": True}) | _value,
    "stop": st.lists(st.text(max_size=4), max_size=3) | _value,
    "seed": st.integers(0, 2**63) | st.lists(st.integers(0, 10), max_size=3) | _value,
}


def _field_values(name: str) -> st.SearchStrategy[Any]:
    return _special.get(name, _value)


@st.composite
def chat_params(draw: st.DrawFn) -> dict[str, Any]:
    params: dict[str, Any] = {"model": "friendli-local-model", "messages": draw(_messages)}
    names = [*sorted(set(CHAT_FIELDS) - {"model", "messages"}), "stream", "bogus_field", "role"]
    for name in draw(st.lists(st.sampled_from(names), max_size=5, unique=True)):
        params[name] = draw(_field_values(name))
    if draw(st.booleans()):
        params["model"] = draw(st.sampled_from(["", "m"]) | _leaf)
    return params


@st.composite
def completion_params(draw: st.DrawFn) -> dict[str, Any]:
    params: dict[str, Any] = {"model": "friendli-local-model"}
    source = draw(st.sampled_from(["prompt", "tokens", "both", "neither"]))
    if source in ("prompt", "both"):
        params["prompt"] = draw(_text | st.lists(_text, max_size=3) | _value)
    if source in ("tokens", "both"):
        params["tokens"] = draw(st.lists(st.integers(0, 100), max_size=3) | _value)
    names = [*sorted(set(COMPLETION_FIELDS) - {"model", "prompt", "tokens"}), "bogus_field"]
    for name in draw(st.lists(st.sampled_from(names), max_size=5, unique=True)):
        params[name] = draw(_field_values(name))
    return params


# --------------------------------------------------------------------------- properties


def _refusal(call: Any) -> fc.InvalidRequestError | None:
    try:
        call()
    except fc.InvalidRequestError as exc:
        return exc
    return None


def _check(sent: Sent, call: Any, component: str) -> str:
    sent.bodies.clear()
    refused = _refusal(call)
    if refused is not None:
        assert sent.bodies == [], "an invalid request was sent"
        assert str(refused).strip()
        return "refused"
    assert len(sent.bodies) == 1
    errors = validate(component, sent.bodies[0])
    assert errors == [], errors
    return "sent"


@given(params=chat_params(), stream=st.booleans())
@FUZZ
def test_chat_parameters_are_valid_requests_or_refused_before_sending(
    client: FriendliClient, sent: Sent, params: dict[str, Any], stream: bool
) -> None:
    if stream:
        component = "ServerlessChatCompletionStreamBody"
        _check(sent, lambda: client.stream_chat(**params).close(), component)
    else:
        _check(sent, lambda: client.chat(**params), "ServerlessChatCompletionBody")


@given(params=completion_params(), stream=st.booleans())
@FUZZ
def test_completion_parameters_are_valid_requests_or_refused_before_sending(
    client: FriendliClient, sent: Sent, params: dict[str, Any], stream: bool
) -> None:
    if stream:
        component = "ServerlessCompletionsStreamBody"
        _check(sent, lambda: client.stream_completions(**params).close(), component)
    else:
        _check(sent, lambda: client.completions(**params), "ServerlessCompletionsBody")


@given(extra=st.dictionaries(st.text(max_size=8), _value, max_size=3))
@FUZZ
def test_extra_body_is_encoded_or_refused_before_sending(
    client: FriendliClient, sent: Sent, extra: dict[str, Any]
) -> None:
    """`extra_body` is passed through unchecked, but must still be encodable JSON."""
    sent.bodies.clear()
    messages = [{"role": "user", "content": "hi"}]
    try:
        client.chat(model="m", messages=messages, extra_body=extra)
    except fc.InvalidRequestError:
        assert sent.bodies == []
    else:
        assert len(sent.bodies) == 1


_lc_kwargs = st.dictionaries(
    st.sampled_from(
        ["temperature", "max_tokens", "top_p", "top_k", "n", "stop", "logprobs", "seed", "bogus"]
    ),
    _value,
    max_size=3,
)


@given(kwargs=_lc_kwargs, text=_text | st.lists(_part | _wild, max_size=2))
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
def test_chatfriendli_call_arguments_are_valid_requests_or_refused(
    sent: Sent, kwargs: dict[str, Any], text: Any
) -> None:
    http = httpx.Client(transport=httpx.MockTransport(sent.handler))
    model = ChatFriendli(
        model="friendli-local-model",
        api_key="flp_fuzz",
        base_url="http://fuzz.test/serverless/v1",
        http_client=http,
    )
    from langchain_core.messages import HumanMessage

    sent.bodies.clear()
    try:
        message = HumanMessage(content=text)
    except ValueError:  # LangChain's own validation of the message
        return
    try:
        refused = _refusal(lambda: model.invoke([message], **kwargs))
    finally:
        http.close()
    if refused is not None:
        assert sent.bodies == []
        assert str(refused)
    else:
        assert len(sent.bodies) == 1
        assert validate("ServerlessChatCompletionBody", sent.bodies[0]) == []
