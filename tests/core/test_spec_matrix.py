"""Every request the builders produce is valid against the official spec's request schemas.

A broad matrix (every field of the chat and completions bodies, tool_choice in all forms,
response_format in all four types, seed as int and list, prompt as str/list and tokens) is built
by `_protocol.build_*_request` for the serverless, dedicated and container endpoints, streaming
and not, and each JSON body is validated against the matching component of the vendored
OpenAPI spec (tests/spec). Because no component sets `additionalProperties: false`, each body's
keys are also checked against the properties the component declares (a misspelt field would otherwise
pass). The recorded fixtures are checked against the response schemas, so the client tests rest
on spec-shaped data.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any, get_args

import pytest

from friendli_core._fields import REASONING_EFFORTS
from friendli_core._protocol import (
    build_chat_request,
    build_completion_request,
    build_detokenize_request,
    build_tokenize_request,
)
from friendli_core._validate import CHAT_FIELDS, COMPLETION_FIELDS
from friendli_core.config import ClientConfig, Endpoint

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ENDPOINTS = [e for e in get_args(Endpoint) if e != "openai-compatible"]  # the spec's families
MODELS = {"serverless": "deepseek-ai/DeepSeek-V3.2", "dedicated": "ep123abc:adapter1"}
FAMILY = {"serverless": "Serverless", "dedicated": "Dedicated", "container": "Container"}

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather of a city",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
        },
    },
}
TIME_TOOL = {
    "type": "function",
    "function": {"name": "get-time_2", "parameters": {"type": "object", "properties": {}}},
}
MESSAGES = [
    {"role": "system", "content": "You are helpful.", "name": "sys"},
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "What is in these?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            {"type": "audio_url", "audio_url": {"url": "https://example.com/a.wav"}},
            {"type": "video_url", "video_url": {"url": "https://example.com/v.mp4"}},
        ],
        "name": "alice",
    },
    {
        "role": "assistant",
        "content": None,
        "reasoning_content": "Need the weather.",
        "tool_calls": [
            {
                "id": "call_abc",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
            }
        ],
    },
    {"role": "tool", "tool_call_id": "call_abc", "content": '{"temp": 20}', "name": "get_weather"},
    {"role": "assistant", "content": "It is 20 degrees in Paris. Ünïcödé ✓"},
    {"role": "user", "content": "Thanks!"},
]
RESPONSE_FORMATS = [
    {"type": "text"},
    {"type": "json_object"},
    {
        "type": "json_schema",
        "json_schema": {
            "schema": {
                "type": "object",
                "properties": {"dish": {"type": "string"}},
                "required": ["dish"],
            }
        },
    },
    {"type": "regex", "schema": "(yes|no)"},
]
SAMPLING = {
    "eos_token": [128001, 128009],
    "frequency_penalty": -0.5,
    "presence_penalty": 1.5,
    "repetition_penalty": 1.1,
    "max_tokens": 256,
    "min_p": 0.05,
    "n": 2,
    "seed": 42,
    "stop": ["\n\n", "END"],
    "temperature": 0.7,
    "top_k": 40,
    "top_p": 0.9,
    "xtc_threshold": 0.1,
    "xtc_probability": 0.5,
}

CHAT_CASES: dict[str, dict[str, Any]] = {
    "minimal": {},
    "every_plain_field": {
        **SAMPLING,
        "min_tokens": 4,
        "chat_template_kwargs": {"enable_thinking": True},
        "logit_bias": {"128000": -100, "42": 2.5},
        "logprobs": True,
        "top_logprobs": 5,
        "reasoning_effort": "high",
        "reasoning_budget": 1024,
        "parse_reasoning": True,
        "include_reasoning": False,
    },
    "seed_list": {"n": 3, "seed": [1, 2, 3]},
    "logprobs_only": {"logprobs": True},
    "top_logprobs_zero": {"logprobs": True, "top_logprobs": 0},
    **{
        f"reasoning_effort_{effort}": {"reasoning_effort": effort}
        for effort in REASONING_EFFORTS
        if effort != "high"  # sent by every_plain_field
    },
    **{
        f"tool_choice_{choice}": {
            "tools": [WEATHER_TOOL, TIME_TOOL],
            "tool_choice": choice,
            "parallel_tool_calls": choice != "none",
        }
        for choice in ("none", "auto", "required")
    },
    "tool_choice_function": {
        "tools": [WEATHER_TOOL, TIME_TOOL],
        "tool_choice": {"type": "function", "function": {"name": "get-time_2"}},
    },
    "tools_without_choice": {"tools": [WEATHER_TOOL], "min_tokens": 0},
    **{f"response_format_{rf['type']}": {"response_format": rf} for rf in RESPONSE_FORMATS},
    "zero_edges": {
        "temperature": 0,
        "top_k": 0,
        "min_p": 0,
        "min_tokens": 0,
        "top_p": 1,
        "frequency_penalty": -2,
        "presence_penalty": 2,
        "xtc_threshold": 1.0,
    },
}

EVERY_COMPLETION_FIELD: dict[str, Any] = {
    **SAMPLING,
    "min_tokens": 2,
    "logprobs": 3,
    "bad_words": ["darn"],
    "bad_word_tokens": [{"tokens": [1, 2]}],
    "stop_tokens": [{"tokens": [128001]}, {"tokens": [13, 13]}],
    "no_repeat_ngram": 3,
    "encoder_no_repeat_ngram": 2,
    "encoder_repetition_penalty": 1.2,
    "forced_output_tokens": [2028, 374],
    "token_index_to_replace": [0, 1],
    "embedding_to_replace": [0.1, -0.2, 3],
}
PROMPTS: dict[str, dict[str, Any]] = {
    "prompt_str": {"prompt": "Say this is a test"},
    "prompt_list": {"prompt": ["Say this", " is a test"]},
    "tokens": {"tokens": [128000, 2028, 374, 264, 1296]},
}
COMPLETION_CASES: dict[str, dict[str, Any]] = {
    "minimal": {},
    "every_field": EVERY_COMPLETION_FIELD,
    "seed_list": {"n": 2, "seed": [7, 8]},
    "total_tokens": {"max_total_tokens": 512, "min_total_tokens": 8},
    **{f"response_format_{rf['type']}": {"response_format": rf} for rf in RESPONSE_FORMATS},
}


def _config(endpoint: str) -> ClientConfig:
    return ClientConfig(token="flp_x", team_id="team-1", endpoint=endpoint)  # type: ignore[arg-type]


def _with_model(endpoint: str, params: dict[str, Any], *, model: bool = True) -> dict[str, Any]:
    if endpoint == "container":
        return {**params, "model": "adapter-route"} if model else dict(params)
    return {"model": MODELS[endpoint], **params}


def _check(spec, component: str, body: dict[str, Any]) -> None:
    errors = spec.validate(component, body)
    assert errors == [], f"{component}: {errors}"
    undeclared = set(body) - spec.properties(component)
    assert not undeclared, f"{component} does not declare {sorted(undeclared)}"
    assert None not in body.values(), "unset fields must be omitted, not sent as null"


def test_validator_rejects_invalid_bodies(spec) -> None:
    """The validator is live: the matrix below would catch a broken body."""
    assert spec.validate("ServerlessChatCompletionBody", {"model": "m"})  # no messages
    assert spec.validate(
        "ServerlessChatCompletionBody",
        {"model": "m", "messages": [{"role": "user", "content": "x"}], "seed": "1"},
    )
    assert spec.validate(
        "ServerlessChatCompletionBody",
        {"model": "m", "messages": [{"role": "robot", "content": "x"}]},
    )
    assert spec.validate("ServerlessCompletionsBody", {"model": "m"})  # neither prompt nor tokens
    assert spec.validate("ContainerChatCompletionBody", {"messages": [], "response_format": {}})
    assert "temperature" in spec.properties("DedicatedChatCompletionStreamBody")
    assert {"prompt", "tokens"} <= spec.properties("ContainerCompletionsBody")


def _covered(cases: dict[str, dict[str, Any]], *extra: dict[str, Any]) -> set[str]:
    return {key for params in [*cases.values(), *extra] for key in params}


@pytest.mark.parametrize("family", ["Serverless", "Dedicated", "Container"])
def test_matrix_covers_every_body_field_of_the_spec(spec, family: str) -> None:
    """Every property of the request bodies is exercised below, and the core accepts it."""
    sent_by_builder = {"model", "messages", "stream", "stream_options"}
    chat = spec.properties(f"{family}ChatCompletionBody")
    assert chat <= _covered(CHAT_CASES) | sent_by_builder, chat - _covered(CHAT_CASES)
    assert chat - {"stream"} <= set(CHAT_FIELDS)
    completions = spec.properties(f"{family}CompletionsBody")
    covered = _covered(COMPLETION_CASES, *PROMPTS.values()) | sent_by_builder
    assert completions <= covered, completions - covered
    assert completions - {"stream"} <= set(COMPLETION_FIELDS)


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("case", list(CHAT_CASES))
def test_chat_bodies_match_the_spec(spec, case: str, endpoint: str, stream: bool) -> None:
    params = _with_model(endpoint, {"messages": MESSAGES, **CHAT_CASES[case]})
    request = build_chat_request(_config(endpoint), params, stream=stream)
    body = json.loads(request.content or b"")
    component = f"{FAMILY[endpoint]}ChatCompletion{'Stream' if stream else ''}Body"
    _check(spec, component, body)
    # every parameter is sent as given
    assert {k: body[k] for k in params} == params
    if stream:
        assert body["stream"] is True
        assert body["stream_options"] == {"include_usage": True}
    else:
        assert "stream" not in body
        assert "stream_options" not in body


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(("case", "prompt"), list(itertools.product(COMPLETION_CASES, PROMPTS)))
def test_completion_bodies_match_the_spec(
    spec, case: str, prompt: str, endpoint: str, stream: bool
) -> None:
    params = _with_model(endpoint, {**PROMPTS[prompt], **COMPLETION_CASES[case]})
    request = build_completion_request(_config(endpoint), params, stream=stream)
    body = json.loads(request.content or b"")
    component = f"{FAMILY[endpoint]}Completions{'Stream' if stream else ''}Body"
    _check(spec, component, body)
    assert {k: body[k] for k in params} == params
    assert body.get("stream") is (True if stream else None)


def test_container_bodies_without_model(spec) -> None:
    config = _config("container")
    for stream in (False, True):
        suffix = "Stream" if stream else ""
        chat = build_chat_request(config, {"messages": MESSAGES[-1:]}, stream=stream)
        body = json.loads(chat.content or b"")
        assert "model" not in body
        _check(spec, f"ContainerChatCompletion{suffix}Body", body)
        for prompt in PROMPTS.values():
            req = build_completion_request(config, prompt, stream=stream)
            body = json.loads(req.content or b"")
            assert "model" not in body
            _check(spec, f"ContainerCompletions{suffix}Body", body)


def test_explicit_stream_options_are_kept_and_valid(spec) -> None:
    params = {"model": "m", "messages": MESSAGES[-1:], "stream_options": {"include_usage": False}}
    body = json.loads(build_chat_request(_config("serverless"), params, stream=True).content or b"")
    assert body["stream_options"] == {"include_usage": False}
    _check(spec, "ServerlessChatCompletionStreamBody", body)


@pytest.mark.parametrize("stream", [False, True])
def test_tool_without_parameters_gets_the_empty_schema(spec, stream: bool) -> None:
    """`Function.parameters` is required by the spec: a tool without one gets `{}` properties."""
    bare = {"type": "function", "function": {"name": "ping", "description": None}}
    params = {"model": "m", "messages": MESSAGES[-1:], "tools": [bare, WEATHER_TOOL]}
    snapshot = json.loads(json.dumps(params))
    request = build_chat_request(_config("serverless"), params, stream=stream)
    body = json.loads(request.content or b"")
    _check(spec, f"ServerlessChatCompletion{'Stream' if stream else ''}Body", body)
    assert body["tools"][0]["function"] == {
        "name": "ping",
        "description": None,
        "parameters": {"type": "object", "properties": {}},
    }
    assert body["tools"][1] == WEATHER_TOOL
    assert params == snapshot  # the caller's tools are not modified


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_tokenizer_bodies_match_the_spec(spec, endpoint: str) -> None:
    config = _config(endpoint)
    model = MODELS.get(endpoint)
    tok = json.loads(build_tokenize_request(config, "What is AI?", model=model).content or b"")
    detok = json.loads(build_detokenize_request(config, [1, 2, 3], model=model).content or b"")
    _check(spec, f"{FAMILY[endpoint]}TokenizationBody", tok)
    _check(spec, f"{FAMILY[endpoint]}DetokenizationBody", detok)


# --------------------------------------------------------------------------- recorded fixtures


def _sse_data(name: str) -> list[Any]:
    text = (FIXTURES / name).read_text(encoding="utf-8").replace("\r\n", "\n")
    out = []
    for block in text.split("\n\n"):
        data = [line[5:].lstrip() for line in block.split("\n") if line.startswith("data:")]
        if data and data[0] != "[DONE]":
            out.append(json.loads("\n".join(data)))
    return out


CHAT_PAIRS = ["chat_basic", "chat_n2", "chat_tools", "chat_reasoning", "chat_logprobs"]
COMPLETION_PAIRS = ["completions_basic", "completions_logprobs"]


@pytest.mark.parametrize("name", CHAT_PAIRS)
def test_chat_fixtures_are_spec_shaped(spec, name: str) -> None:
    assert (
        spec.validate("ChatResult", json.loads((FIXTURES / f"core_{name}.json").read_text())) == []
    )
    events = _sse_data(f"core_{name}.sse")
    assert events
    for event in events:
        assert spec.validate("StreamedChatData", event) == [], event


@pytest.mark.parametrize("name", COMPLETION_PAIRS)
def test_completion_fixtures_are_spec_shaped(spec, name: str) -> None:
    result = json.loads((FIXTURES / f"core_{name}.json").read_text())
    assert spec.validate("CompletionsResult", result) == []
    for event in _sse_data(f"core_{name}.sse"):
        assert spec.validate("StreamedCompletionData", event) == [], event
