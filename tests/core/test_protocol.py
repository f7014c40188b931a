"""Request building (URL, headers, body) and response parsing, as pure functions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from friendli_core import (
    ClientConfig,
    InvalidRequestError,
)
from friendli_core._protocol import (
    RequestSpec,
    build_chat_request,
    build_completion_request,
    build_detokenize_request,
    build_models_request,
    build_tokenize_request,
)

MSGS = [{"role": "user", "content": "Hi"}]


def _body(spec: RequestSpec) -> dict[str, Any]:
    return json.loads(spec.content or b"")


# --------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("endpoint", "base"),
    [
        ("serverless", "https://api.friendli.ai/serverless/v1"),
        ("dedicated", "https://api.friendli.ai/dedicated/v1"),
        ("container", "http://localhost:8000/v1"),
    ],
)
def test_default_urls_per_endpoint(endpoint: str, base: str) -> None:
    config = ClientConfig(token="flp_x", endpoint=endpoint)  # type: ignore[arg-type]
    model = {} if endpoint == "container" else {"model": "m"}
    assert build_chat_request(config, {**model, "messages": MSGS}, stream=False).url == (
        f"{base}/chat/completions"
    )
    assert build_completion_request(config, {**model, "prompt": "a"}, stream=True).url == (
        f"{base}/completions"
    )
    assert build_tokenize_request(config, "a", model="m").url == f"{base}/tokenize"
    assert build_detokenize_request(config, [1], model="m").url == f"{base}/detokenize"
    models = build_models_request(config)
    assert (models.method, models.url, models.content) == ("GET", f"{base}/models", None)


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1/chat/completions"),
        ("http://127.0.0.1:8080/v1/", "http://127.0.0.1:8080/v1/chat/completions"),
        (
            "https://gateway.example.com/openai/deployments/x/v1",
            "https://gateway.example.com/openai/deployments/x/v1/chat/completions",
        ),
        (
            "https://api.friendli.ai/serverless/tools/v1",
            "https://api.friendli.ai/serverless/tools/v1/chat/completions",
        ),
        ("http://localhost:9000", "http://localhost:9000/chat/completions"),
    ],
)
def test_base_url_override_with_any_openai_compatible_path(base_url: str, expected: str) -> None:
    config = ClientConfig(token="flp_x", base_url=base_url)
    spec = build_chat_request(config, {"model": "m", "messages": MSGS}, stream=False)
    assert spec.url == expected
    assert spec.path == expected.split("://", 1)[1].partition("/")[2].join(["/", ""])


@pytest.mark.parametrize("base_url", ["api.friendli.ai/v1", "ftp://x/v1"])
def test_base_url_without_http_scheme_is_refused(base_url: str) -> None:
    with pytest.raises(InvalidRequestError, match="base_url"):
        ClientConfig(token="flp_x", base_url=base_url)


# --------------------------------------------------------------------------- headers


def test_headers_auth_team_and_content_type() -> None:
    config = ClientConfig(token="flp_abc", team_id="team-1")
    spec = build_chat_request(config, {"model": "m", "messages": MSGS}, stream=False)
    assert spec.headers["Authorization"] == "Bearer flp_abc"
    assert spec.headers["X-Friendli-Team"] == "team-1"
    assert spec.headers["Content-Type"] == "application/json"
    assert spec.headers["Accept"] == "application/json"
    assert spec.headers["User-Agent"].startswith("friendli-integrations/")
    stream = build_chat_request(config, {"model": "m", "messages": MSGS}, stream=True)
    assert stream.headers["Accept"] == "text/event-stream"
    assert stream.stream is True


def test_token_with_bearer_prefix_is_not_doubled() -> None:
    config = ClientConfig(token="Bearer flp_abc")
    spec = build_chat_request(config, {"model": "m", "messages": MSGS}, stream=False)
    assert spec.headers["Authorization"] == "Bearer flp_abc"


def test_no_team_header_without_team() -> None:
    spec = build_chat_request(
        ClientConfig(token="t"), {"model": "m", "messages": MSGS}, stream=False
    )
    assert not any(k.lower() == "x-friendli-team" for k in spec.headers)


def test_team_header_never_sent_for_container() -> None:
    config = ClientConfig(token="t", team_id="team-1", endpoint="container")
    specs = [
        build_chat_request(config, {"messages": MSGS}, stream=False),
        build_chat_request(config, {"messages": MSGS}, stream=True),
        build_completion_request(config, {"prompt": "a"}, stream=False),
        build_tokenize_request(config, "a"),
        build_detokenize_request(config, [1]),
        build_models_request(config),
    ]
    for spec in specs:
        assert not any(k.lower() == "x-friendli-team" for k in spec.headers), spec.path
        assert spec.headers["Authorization"] == "Bearer t"


def test_container_needs_no_token() -> None:
    config = ClientConfig(endpoint="container")
    spec = build_chat_request(config, {"messages": MSGS}, stream=False)
    assert not any(k.lower() == "authorization" for k in spec.headers)


@pytest.mark.parametrize("endpoint", ["serverless", "dedicated"])
def test_missing_token_is_an_actionable_error(endpoint: str) -> None:
    config = ClientConfig(endpoint=endpoint)  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="FRIENDLI_TOKEN"):
        build_chat_request(config, {"model": "m", "messages": MSGS}, stream=False)


def test_default_and_extra_headers() -> None:
    config = ClientConfig(token="t", default_headers={"X-App": "a", "X-Both": "default"})
    spec = build_chat_request(
        config,
        {"model": "m", "messages": MSGS},
        stream=False,
        extra_headers={"X-Both": "extra", "X-Call": "c"},
    )
    assert (spec.headers["X-App"], spec.headers["X-Both"], spec.headers["X-Call"]) == (
        "a",
        "extra",
        "c",
    )


def test_header_names_are_merged_case_insensitively() -> None:
    config = ClientConfig(token="t", default_headers={"user-agent": "app/1", "accept": "x/y"})
    spec = build_chat_request(
        config,
        {"model": "m", "messages": MSGS},
        stream=False,
        extra_headers={"USER-AGENT": "app/2"},
    )
    names = [k.lower() for k in spec.headers]
    assert len(names) == len(set(names)), spec.headers
    assert spec.headers["USER-AGENT"] == "app/2"
    assert spec.headers["accept"] == "x/y"


def test_user_agent_of_a_user_http_client_is_kept() -> None:
    config = ClientConfig(token="t")
    params = {"model": "m", "messages": MSGS}
    mine = build_chat_request(config, params, stream=False, client_headers={"User-Agent": "corp/7"})
    assert not any(k.lower() == "user-agent" for k in mine.headers)  # httpx sends the client's
    default = build_chat_request(
        config, params, stream=False, client_headers={"user-agent": "python-httpx/0.28.1"}
    )
    assert default.headers["User-Agent"].startswith("friendli-integrations/")


def test_extra_headers_cannot_override_credentials() -> None:
    config = ClientConfig(token="real", team_id="team-real")
    spec = build_chat_request(
        config,
        {"model": "m", "messages": MSGS},
        stream=False,
        extra_headers={"authorization": "Bearer other", "x-friendli-team": "team-other"},
    )
    auth = [v for k, v in spec.headers.items() if k.lower() == "authorization"]
    team = [v for k, v in spec.headers.items() if k.lower() == "x-friendli-team"]
    assert auth == ["Bearer real"]
    assert team == ["team-real"]


def test_client_authorization_used_when_no_token() -> None:
    spec = build_chat_request(
        ClientConfig(),
        {"model": "m", "messages": MSGS},
        stream=False,
        client_headers={"Authorization": "Bearer from-client"},
    )
    assert not any(k.lower() == "authorization" for k in spec.headers)  # httpx merges the client's


def test_conflicting_client_authorization_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="Authorization"):
        build_chat_request(
            ClientConfig(token="flp_a"),
            {"model": "m", "messages": MSGS},
            stream=False,
            client_headers={"authorization": "Bearer flp_b"},
        )
    same = build_chat_request(
        ClientConfig(token="flp_a"),
        {"model": "m", "messages": MSGS},
        stream=False,
        client_headers={"authorization": "Bearer flp_a"},
    )
    assert same.headers["Authorization"] == "Bearer flp_a"


# --------------------------------------------------------------------------- bodies


def test_unset_fields_are_not_sent() -> None:
    params = {
        "model": "m",
        "messages": MSGS,
        "temperature": None,
        "tools": None,
        "tool_choice": None,
        "response_format": None,
        "seed": None,
        "stream_options": None,
        "extra_body": None,
    }
    body = _body(build_chat_request(ClientConfig(token="t"), params, stream=False))
    assert body == {"model": "m", "messages": MSGS}
    completion = _body(
        build_completion_request(
            ClientConfig(token="t"), {"model": "m", "prompt": "a", "logprobs": None}, stream=False
        )
    )
    assert completion == {"model": "m", "prompt": "a"}


def test_stream_body_requests_usage_unless_told_otherwise() -> None:
    config = ClientConfig(token="t")
    body = _body(build_chat_request(config, {"model": "m", "messages": MSGS}, stream=True))
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    body = _body(
        build_completion_request(
            config,
            {"model": "m", "prompt": "a", "stream_options": {"include_usage": False}},
            stream=True,
        )
    )
    assert body["stream_options"] == {"include_usage": False}


def test_body_is_compact_utf8_json_and_params_are_not_mutated() -> None:
    params = {"model": "m", "messages": [{"role": "user", "content": "héllo 世界"}], "seed": [1, 2]}
    snapshot = json.loads(json.dumps(params))
    spec = build_chat_request(ClientConfig(token="t"), params, stream=True)
    assert "héllo 世界".encode() in (spec.content or b"")
    assert b": " not in (spec.content or b"")
    assert params == snapshot


def test_extra_body_merges_last() -> None:
    params = {
        "model": "m",
        "messages": MSGS,
        "extra_body": {"timeout_microseconds": 5, "model": "x"},
    }
    body = _body(build_chat_request(ClientConfig(token="t"), params, stream=False))
    assert body["timeout_microseconds"] == 5
    assert body["model"] == "x"
    assert "extra_body" not in body


def test_tools_get_an_empty_schema_but_extra_body_tools_are_sent_as_given() -> None:
    bare = {"type": "function", "function": {"name": "f"}}
    params = {"model": "m", "messages": MSGS, "tools": [bare]}
    body = _body(build_chat_request(ClientConfig(token="t"), params, stream=False))
    assert body["tools"][0]["function"]["parameters"] == {"type": "object", "properties": {}}
    # extra_body is passed through unchecked: whatever its `tools` hold is encoded verbatim
    # (a hypothesis run found a crash when they were not a list of tool dicts)
    for raw in ([bare], [[1]], {"a": 1}, "x", [None]):
        params = {"model": "m", "messages": MSGS, "tools": [bare], "extra_body": {"tools": raw}}
        body = _body(build_chat_request(ClientConfig(token="t"), params, stream=False))
        assert body["tools"] == raw
    params = {"model": "m", "messages": MSGS, "tools": [bare], "extra_body": {"tools": object()}}
    with pytest.raises(InvalidRequestError, match="cannot be encoded as JSON"):
        build_chat_request(ClientConfig(token="t"), params, stream=False)


@pytest.mark.parametrize(
    "content",
    [
        "\ud800 lone surrogate",  # not encodable as UTF-8
    ],
)
def test_unencodable_text_is_an_invalid_request(content: str) -> None:
    with pytest.raises(InvalidRequestError, match="UTF-8"):
        build_chat_request(
            ClientConfig(token="t"),
            {"model": "m", "messages": [{"role": "user", "content": content}]},
            stream=False,
        )


def test_nan_inside_a_tool_schema_is_an_invalid_request() -> None:
    tool = {"type": "function", "function": {"name": "f", "parameters": {"maximum": float("nan")}}}
    with pytest.raises(InvalidRequestError, match="JSON"):
        build_chat_request(
            ClientConfig(token="t"), {"model": "m", "messages": MSGS, "tools": [tool]}, stream=False
        )


def test_tokenizer_requests() -> None:
    config = ClientConfig(token="t")
    assert _body(build_tokenize_request(config, "hi", model="m")) == {"model": "m", "prompt": "hi"}
    assert _body(build_detokenize_request(config, [1, 2], model="m")) == {
        "model": "m",
        "tokens": [1, 2],
    }
    with pytest.raises(InvalidRequestError, match="model"):
        build_tokenize_request(config, "hi")
    with pytest.raises(InvalidRequestError, match="prompt"):
        build_tokenize_request(config, ["hi"], model="m")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="tokens"):
        build_detokenize_request(config, [1, True], model="m")
    container = ClientConfig(endpoint="container")
    assert _body(build_tokenize_request(container, "hi")) == {"prompt": "hi"}


def test_a_call_that_does_not_stream_leaves_stream_options_out() -> None:
    """Decided once here: stream_options concerns streams (a bound model may also invoke)."""
    params = {"model": "m", "messages": [{"role": "user", "content": "a"}]}
    bound = {**params, "stream_options": {"include_usage": False}, "top_k": None}
    spec = build_chat_request(ClientConfig(token="t"), bound, stream=False)
    assert json.loads(spec.content or b"") == params
    streamed = build_chat_request(ClientConfig(token="t"), bound, stream=True)
    assert json.loads(streamed.content or b"")["stream_options"] == {"include_usage": False}
