import asyncio
import json
import time

import pytest

from friendli_core.catalog import known_models
from friendli_core.testing import LOCAL_TOKEN, LocalServer, RequestLog
from friendli_core.testing._openapi import validate
from friendli_core.testing._tokens import count_tokens, render_chat, tokenize
from tests.testing.helpers import (
    FAMILIES,
    HTTP,
    auth,
    base,
    chat_body,
    post,
    raw_post,
    stream_chunks,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize("family", list(FAMILIES))
def test_chat_on_every_family_validates(
    friendli_server: LocalServer, friendli_requests: RequestLog, family: str
) -> None:
    body = chat_body(family)
    response = post(friendli_server, family, "chat/completions", body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-request-id"].startswith("req_")
    payload = response.json()
    assert validate(f"{FAMILIES[family]}ChatCompleteSuccess", payload) == []
    assert payload["model"] == ("friendli-local-model")
    prompt = count_tokens(render_chat(body["messages"], None))
    assert payload["usage"]["prompt_tokens"] == prompt
    assert friendli_requests.last.path.endswith("/chat/completions")
    assert friendli_requests.last.body == body


@pytest.mark.parametrize("family", list(FAMILIES))
def test_chat_stream_on_every_family_validates(friendli_server: LocalServer, family: str) -> None:
    body = chat_body(
        family,
        "one two three four",
        stream=True,
        stream_options={"include_usage": True},
        logprobs=True,
        top_logprobs=2,
    )
    response = post(friendli_server, family, "chat/completions", body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    chunks = stream_chunks(response.content)
    for chunk in chunks:
        assert validate(f"{FAMILIES[family]}ChatCompletionStreamSuccess", {"data": chunk}) == []
    content_chunks = [c for c in chunks if c["choices"] and c["choices"][0]["delta"].get("content")]
    assert len(content_chunks) > 3
    assert all(len(c["choices"][0]["logprobs"]["content"]) == 1 for c in content_chunks)
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] == len(content_chunks)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_completions_on_every_family_validate(friendli_server: LocalServer, family: str) -> None:
    body: dict = {"prompt": "Once upon a time.", "max_tokens": 5, "logprobs": 1}
    if family != "container":
        body["model"] = "friendli-local-model"
    response = post(friendli_server, family, "completions", body)
    assert response.status_code == 200
    payload = response.json()
    assert validate(f"{FAMILIES[family]}CompletionsSuccess", payload) == []
    assert payload["usage"]["prompt_tokens"] == len(tokenize(body["prompt"]))
    stream = post(
        friendli_server,
        family,
        "completions",
        {**body, "stream": True, "stream_options": {"include_usage": True}},
    )
    chunks = stream_chunks(stream.content)
    for chunk in chunks:
        assert validate(f"{FAMILIES[family]}CompletionsStreamSuccess", {"data": chunk}) == []
    assert (
        "".join(c["choices"][0]["text"] for c in chunks if c["choices"])
        == payload["choices"][0]["text"]
    )


def test_completions_with_tokens_and_prompt_list(friendli_server: LocalServer) -> None:
    ids = tokenize("Roses are red.")
    payload = post(friendli_server, "container", "completions", {"tokens": ids, "n": 2}).json()
    assert [c["index"] for c in payload["choices"]] == [0, 1]
    assert payload["usage"]["prompt_tokens"] == len(ids)
    listed = post(
        friendli_server, "serverless", "completions", {"model": "m", "prompt": ["a.", "b."]}
    ).json()
    assert len(listed["choices"]) == 2
    assert "b." in listed["choices"][1]["text"]


@pytest.mark.parametrize("family", list(FAMILIES))
def test_tokenize_detokenize_roundtrip(friendli_server: LocalServer, family: str) -> None:
    model = {} if family == "container" else {"model": "m"}
    text = "What is generative AI? ✨"
    tokens = post(friendli_server, family, "tokenize", {**model, "prompt": text}).json()
    assert validate(f"{FAMILIES[family]}TokenizationSuccess", tokens) == []
    back = post(friendli_server, family, "detokenize", {**model, "tokens": tokens["tokens"]}).json()
    assert validate(f"{FAMILIES[family]}DetokenizationSuccess", back) == []
    assert back == {"text": text}


def test_detokenize_rejects_negative_ids(friendli_server: LocalServer) -> None:
    response = post(friendli_server, "container", "detokenize", {"tokens": [-1]})
    assert response.status_code == 400


def test_chat_render(friendli_server: LocalServer) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    response = HTTP.post(
        f"{friendli_server.serverless_url}/chat/render", json=body, headers=auth(friendli_server)
    )
    assert validate("ServerlessChatRenderSuccess", response.json()) == []
    assert response.json()["text"] == render_chat(body["messages"], None)


def test_models_catalogs(friendli_server: LocalServer) -> None:
    catalog = HTTP.get(f"{friendli_server.serverless_url}/models", headers=auth(friendli_server))
    assert validate("ServerlessModelListSuccess", catalog.json()) == []
    # the server's own models, then the packaged snapshot (then whatever a test registered)
    expected = [*friendli_server.config.models, *(m.id for m in known_models())]
    ids = [m["id"] for m in catalog.json()["data"]]
    assert ids[: len(expected)] == expected
    assert HTTP.get(f"{friendli_server.serverless_url}/models").status_code == 401
    listing = HTTP.get(f"{friendli_server.container_url}/models").json()
    assert listing["object"] == "list"
    assert listing["data"][0]["object"] == "model"
    assert [m["id"] for m in listing["data"]] == ids


def test_auth_is_checked_on_serverless_and_dedicated_only(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    for family in ("serverless", "dedicated"):
        url = f"{base(friendli_server, family)}/chat/completions"
        missing = HTTP.post(url, json=chat_body(family))
        wrong = HTTP.post(
            url, json=chat_body(family), headers={"Authorization": "Bearer flp_wrong_token_value"}
        )
        for response in (missing, wrong):
            assert response.status_code == 401
            body = response.json()
            assert body["error"]["code"] == 401
            assert body["error"]["type"] == "authentication_error"
            assert body["message"] == body["error"]["message"]
            assert response.headers["x-request-id"]
    assert (
        HTTP.post(
            f"{friendli_server.container_url}/chat/completions", json=chat_body("container")
        ).status_code
        == 200
    )
    recorded = list(friendli_requests)
    assert [r.auth_ok for r in recorded] == [False, False, False, False, True]
    assert recorded[1].headers["authorization"] == "Bearer flp_…alue"
    assert recorded[1].token_matches("flp_wrong_token_value")


def test_team_header_and_masked_token_are_recorded(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    post(
        friendli_server,
        "serverless",
        "chat/completions",
        chat_body("serverless"),
        headers={"X-Friendli-Team": "team-1"},
    )
    last = friendli_requests.last
    assert last.team == "team-1"
    assert last.auth_ok is True
    assert last.token_matches(LOCAL_TOKEN)
    assert LOCAL_TOKEN not in repr(last)
    assert last.headers["authorization"] == "Bearer flp_…oken"


def test_malformed_json_and_non_objects_are_400(friendli_server: LocalServer) -> None:
    url = f"{friendli_server.container_url}/chat/completions"
    for content in (b"{not json", b"", b"[1, 2]"):
        response = HTTP.post(url, content=content, headers={"content-type": "application/json"})
        assert response.status_code == 400
        assert response.json()["error"]["type"] == "invalid_request_error"


def test_schema_violations_are_422_with_paths(friendli_server: LocalServer) -> None:
    url = f"{friendli_server.serverless_url}/chat/completions"
    bad = {"model": "m", "messages": [{"role": "tool", "content": "x"}], "n": "two"}
    response = HTTP.post(url, json=bad, headers=auth(friendli_server))
    assert response.status_code == 422
    message = response.json()["message"]
    assert "messages[0]: 'tool_call_id' is a required property" in message
    assert "n: " in message
    assert HTTP.post(url, json={"messages": []}, headers=auth(friendli_server)).status_code == 422


def test_constraint_violations_are_400(friendli_server: LocalServer) -> None:
    cases = [
        chat_body("container", top_logprobs=2),
        chat_body("container", stream_options={"include_usage": True}),
        {
            "messages": [
                {"role": "user", "content": "x"},
                {"role": "tool", "tool_call_id": "nope", "content": "1"},
            ]
        },
        chat_body(
            "container",
            tools=[{"type": "function", "function": {"name": "f", "parameters": {}}}],
            response_format={"type": "json_object"},
        ),
    ]
    for body in cases:
        response = post(friendli_server, "container", "chat/completions", body)
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == 400


def test_unknown_paths_and_methods_use_the_error_convention(friendli_server: LocalServer) -> None:
    missing = HTTP.get(f"{friendli_server.url}/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == 404
    assert missing.headers["x-request-id"]
    wrong_method = HTTP.get(f"{friendli_server.container_url}/chat/completions")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == 405


def test_same_request_same_bytes(friendli_server: LocalServer) -> None:
    body = chat_body("serverless", "Determinism please", n=2, logprobs=True, top_logprobs=2)
    first = post(friendli_server, "serverless", "chat/completions", body)
    second = post(friendli_server, "serverless", "chat/completions", body)
    assert first.content == second.content
    stream = {**body, "stream": True}
    assert (
        post(friendli_server, "serverless", "chat/completions", stream).content
        == post(friendli_server, "serverless", "chat/completions", stream).content
    )
    other = post(friendli_server, "serverless", "chat/completions", {**body, "seed": 99})
    assert other.json()["id"] != first.json()["id"]


def test_tool_call_round_trip_over_http(friendli_server: LocalServer) -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "magic_function",
            "parameters": {
                "type": "object",
                "properties": {"input": {"type": "integer"}},
                "required": ["input"],
            },
        },
    }
    body = chat_body(
        "serverless", "What is the value of magic_function(3)? Use the tool.", tools=[tool]
    )
    message = post(friendli_server, "serverless", "chat/completions", body).json()["choices"][0][
        "message"
    ]
    call = message["tool_calls"][0]
    assert json.loads(call["function"]["arguments"]) == {"input": 3}
    follow = {
        **body,
        "messages": [
            *body["messages"],
            message,
            {"role": "tool", "tool_call_id": call["id"], "content": "5"},
        ],
    }
    answer = post(friendli_server, "serverless", "chat/completions", follow).json()
    assert answer["choices"][0]["message"]["content"] == "The tool returned: 5"


def test_reasoning_models_over_http(friendli_server: LocalServer) -> None:
    body = chat_body(
        "serverless", "Why is the sky blue?", model="deepseek-ai/DeepSeek-R1", parse_reasoning=True
    )
    message = post(friendli_server, "serverless", "chat/completions", body).json()["choices"][0][
        "message"
    ]
    assert message["reasoning_content"]
    assert "<think>" not in message["content"]
    chunks = stream_chunks(
        post(friendli_server, "serverless", "chat/completions", {**body, "stream": True}).content
    )
    reasoning = "".join(c["choices"][0]["delta"].get("reasoning_content") or "" for c in chunks)
    assert reasoning == message["reasoning_content"]
    inline = post(
        friendli_server, "serverless", "chat/completions", {**body, "parse_reasoning": False}
    ).json()
    assert inline["choices"][0]["message"]["content"].startswith("<think>")
    plain = post(
        friendli_server, "serverless", "chat/completions", {**body, "model": "llama"}
    ).json()
    assert "reasoning_content" not in plain["choices"][0]["message"]


async def test_250_requests_in_flight_at_once(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    # Every request waits 0.5 s before answering: served one by one this would take > 2 minutes.
    friendli_server.inject_fault("delay:0.5", times=250)
    started = time.monotonic()
    results = await asyncio.gather(
        *(
            raw_post(
                friendli_server.port,
                "/serverless/v1/chat/completions",
                chat_body("serverless", f"request {i}"),
                auth(friendli_server),
            )
            for i in range(250)
        )
    )
    elapsed = time.monotonic() - started
    assert [status for status, _, _ in results] == [200] * 250
    assert len({json.loads(body)["id"] for _, _, body in results}) == 250
    assert len({headers["x-request-id"] for _, headers, _ in results}) == 250
    assert len(friendli_requests) == 250
    assert elapsed < 10


def test_standalone_server_with_any_token_and_container_auth() -> None:
    with LocalServer(
        container_auth=True, reasoning_models=["special"], models=["a", "special"]
    ) as server:
        assert server.token == LOCAL_TOKEN
        assert (
            HTTP.post(f"{server.container_url}/tokenize", json={"prompt": "x"}).status_code == 401
        )
        ok = HTTP.post(
            f"{server.container_url}/tokenize",
            json={"prompt": "x"},
            headers={"Authorization": "Bearer anything"},
        )
        assert ok.status_code == 200
        body = {
            "model": "special",
            "messages": [{"role": "user", "content": "hi"}],
            "parse_reasoning": True,
        }
        message = HTTP.post(
            f"{server.serverless_url}/chat/completions", json=body, headers=auth(server)
        ).json()["choices"][0]["message"]
        assert "reasoning_content" in message
        assert repr(server) == f"LocalServer({server.url})"
    assert not server.running
