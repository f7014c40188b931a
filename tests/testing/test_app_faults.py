import asyncio
import json
import socket
import time

import httpx
import pytest

from friendli_core.testing import LocalServer, RequestLog
from tests.testing.helpers import HTTP, auth, chat_body, post, sse_events, stream_chunks

URL_SUFFIX = "chat/completions"


def stream_body(text: str = "one two three four five six", **extra: object) -> dict:
    return chat_body("container", text, stream=True, **extra)


def test_queued_status_faults_then_success(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    friendli_server.inject_fault("status:503", times=2)
    responses = [
        post(friendli_server, "serverless", URL_SUFFIX, chat_body("serverless")) for _ in range(3)
    ]
    assert [r.status_code for r in responses] == [503, 503, 200]
    body = responses[0].json()
    assert body["error"] == {"message": body["message"], "type": "service_unavailable", "code": 503}
    request_id = responses[0].headers["x-request-id"]
    assert request_id not in body["message"]  # the id travels in the header only
    assert friendli_requests[0].request_id == request_id
    assert len(friendli_requests) == 3


@pytest.mark.parametrize(("code", "kind"), [(500, "internal_server_error"), (502, "bad_gateway")])
def test_header_status_faults(friendli_server: LocalServer, code: int, kind: str) -> None:
    response = post(
        friendli_server,
        "container",
        URL_SUFFIX,
        chat_body("container"),
        headers={"X-Local-Fault": f"status:{code}:upstream exploded"},
    )
    assert response.status_code == code
    assert response.json()["error"]["type"] == kind
    assert response.json()["message"] == "upstream exploded"
    assert response.headers["x-request-id"].startswith("req_")


def test_rate_limit_has_retry_headers(friendli_server: LocalServer) -> None:
    response = post(
        friendli_server,
        "container",
        URL_SUFFIX,
        chat_body("container"),
        headers={"X-Local-Fault": "status:429, retry_after:0.05"},
    )
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert response.headers["retry-after-ms"] == "50"
    default = post(
        friendli_server,
        "container",
        URL_SUFFIX,
        chat_body("container"),
        headers={"X-Local-Fault": "status:429"},
    )
    assert (default.headers["retry-after"], default.headers["retry-after-ms"]) == ("1", "1000")


def test_model_prefix_fault_and_model_echo(friendli_server: LocalServer) -> None:
    failing = post(
        friendli_server,
        "serverless",
        URL_SUFFIX,
        chat_body("serverless", model="fault:status:502/zai-org/GLM-5.2"),
    )
    assert failing.status_code == 502
    delayed = post(
        friendli_server,
        "serverless",
        URL_SUFFIX,
        chat_body("serverless", model="fault:delay:0/zai-org/GLM-5.2"),
    )
    assert delayed.status_code == 200
    assert delayed.json()["model"] == "zai-org/GLM-5.2"


def test_invalid_fault_spec_is_400(friendli_server: LocalServer) -> None:
    response = post(
        friendli_server,
        "container",
        URL_SUFFIX,
        chat_body("container"),
        headers={"X-Local-Fault": "explode"},
    )
    assert response.status_code == 400
    assert "unknown fault" in response.json()["message"]


def test_delay_before_headers(friendli_server: LocalServer) -> None:
    started = time.monotonic()
    response = post(
        friendli_server,
        "container",
        URL_SUFFIX,
        chat_body("container"),
        headers={"X-Local-Fault": "delay:0.3"},
    )
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_hang_until_the_client_gives_up(friendli_server: LocalServer) -> None:
    friendli_server.inject_fault("hang")
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        post(friendli_server, "container", URL_SUFFIX, chat_body("container"), timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 2
    assert post(friendli_server, "container", URL_SUFFIX, chat_body("container")).status_code == 200


def raw_exchange(port: int, body: dict, fault: str) -> bytes:
    payload = json.dumps(body).encode()
    request = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\nX-Local-Fault: {fault}\r\n\r\n"
    ).encode() + payload
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def test_disconnect_before_headers_raw_socket(friendli_server: LocalServer) -> None:
    assert raw_exchange(friendli_server.port, chat_body("container"), "disconnect") == b""
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        post(
            friendli_server,
            "container",
            URL_SUFFIX,
            chat_body("container"),
            headers={"X-Local-Fault": "disconnect"},
        )


def test_disconnect_after_k_chunks_raw_socket(friendli_server: LocalServer) -> None:
    received = raw_exchange(friendli_server.port, stream_body(), "disconnect_after:3")
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert body.count(b"data: ") == 3
    assert b"[DONE]" not in body
    assert not body.endswith(b"0\r\n\r\n"), "the chunked body must be cut off, not terminated"
    with pytest.raises(httpx.RemoteProtocolError):
        post(
            friendli_server,
            "container",
            URL_SUFFIX,
            stream_body(),
            headers={"X-Local-Fault": "disconnect_after:2"},
        )


def test_malformed_event_mid_stream(friendli_server: LocalServer) -> None:
    response = post(
        friendli_server,
        "container",
        URL_SUFFIX,
        stream_body(),
        headers={"X-Local-Fault": "malformed:2"},
    )
    events = sse_events(response.content)
    bad = []
    for index, (_, data) in enumerate(events):
        try:
            json.loads(data)
        except ValueError:
            bad.append((index, data))
    assert [i for i, _ in bad] == [2, len(events) - 1]  # the malformed event, and [DONE]
    assert events[-1][1] == "[DONE]"


def test_error_event_mid_stream(friendli_server: LocalServer) -> None:
    response = post(
        friendli_server,
        "container",
        URL_SUFFIX,
        stream_body(),
        headers={"X-Local-Fault": "error_event:2,status:503:overloaded"},
    )
    assert response.status_code == 200
    events = sse_events(response.content)
    assert [e for e, _ in events] == [None, None, "error"]
    assert json.loads(events[-1][1]) == {
        "message": "overloaded",
        "error": {"message": "overloaded", "type": "service_unavailable", "code": 503},
    }


def test_stream_without_done(friendli_server: LocalServer) -> None:
    response = post(
        friendli_server,
        "container",
        URL_SUFFIX,
        stream_body(),
        headers={"X-Local-Fault": "no_done"},
    )
    events = sse_events(response.content)
    assert events[-1][1] != "[DONE]"
    assert json.loads(events[-1][1])["choices"][0]["finish_reason"] == "stop"


def test_slow_stream(friendli_server: LocalServer) -> None:
    started = time.monotonic()
    arrivals = []
    with HTTP.stream(
        "POST",
        f"{friendli_server.container_url}/chat/completions",
        json=stream_body(),
        headers={"X-Local-Fault": "slow:0.05"},
    ) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                arrivals.append(time.monotonic() - started)  # noqa: PERF401 - timing
    assert len(arrivals) > 5
    assert arrivals[-1] - arrivals[0] >= 0.05 * (len(arrivals) - 2)


def test_long_stream_of_100k_tokens(friendli_server: LocalServer) -> None:
    body = chat_body(
        "container",
        "Write a very long story.",
        stream=True,
        max_tokens=100_000,
        stream_options={"include_usage": True},
    )
    tokens = 0
    last: str | None = None
    with HTTP.stream(
        "POST",
        f"{friendli_server.container_url}/chat/completions",
        json=body,
        headers={"X-Local-Fault": "long:100000"},
    ) as response:
        for line in response.iter_lines():
            if line.startswith("data: {"):
                # Content chunks are the only ones with finish_reason null; parse just the last.
                tokens += '"finish_reason":null' in line
                last = line
    assert tokens == 100_000
    assert last is not None
    assert json.loads(last[6:])["usage"]["completion_tokens"] == 100_000


def test_long_mode_truncated_by_max_tokens(friendli_server: LocalServer) -> None:
    body = chat_body("serverless", "Write.", max_tokens=500, model="fault:long:100000/m")
    choice = post(friendli_server, "serverless", URL_SUFFIX, body).json()["choices"][0]
    assert choice["finish_reason"] == "length"
    completions = post(
        friendli_server,
        "container",
        "completions",
        {"prompt": "Go.", "max_tokens": 300},
        headers={"X-Local-Fault": "long:5000"},
    ).json()
    assert completions["usage"]["completion_tokens"] == 300


def test_stop_drops_hanging_requests() -> None:
    server = LocalServer().start()
    server.inject_fault("hang")

    async def hang() -> BaseException | None:
        async with httpx.AsyncClient(timeout=30) as client:
            try:
                await client.post(
                    f"{server.container_url}/chat/completions", json=chat_body("container")
                )
            except httpx.HTTPError as exc:
                return exc
        return None

    async def scenario() -> BaseException | None:
        task = asyncio.create_task(hang())
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await asyncio.to_thread(server.stop)
        assert time.monotonic() - started < 3
        return await task

    assert isinstance(asyncio.run(scenario()), httpx.RemoteProtocolError)
    assert not server.running


def test_faults_are_never_on_by_default(friendli_server: LocalServer) -> None:
    body = stream_body()
    chunks = stream_chunks(post(friendli_server, "container", URL_SUFFIX, body).content)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert (
        post(
            friendli_server,
            "serverless",
            URL_SUFFIX,
            chat_body("serverless"),
            headers=auth(friendli_server),
        ).status_code
        == 200
    )
