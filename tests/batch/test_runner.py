"""friendli-batch's Python API end to end against the local server (faults injected)."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import httpx
import pytest

from friendli_core import MissingTokenError
from friendli_core.batch import BatchInputError, BatchRunner, arun
from friendli_core.config import DEFAULT_MAX_CONNECTIONS
from friendli_core.testing import LocalServer, RequestLog
from tests.batch.conftest import (
    MODEL,
    by_id,
    chat_line,
    prompt_of,
    read_output,
    reply_text,
    sent_ids,
    write_jsonl,
)


async def _run(server: LocalServer, src: Path, out: Path, **options: object) -> object:
    notes = io.StringIO()
    options = {
        "token": server.token,
        "base_url": server.serverless_url,
        "progress_stream": notes,
        **options,
    }
    result = await arun(src, out, **options)  # type: ignore[arg-type]
    result.notes = notes.getvalue()  # type: ignore[attr-defined]
    return result


async def test_every_request_gets_its_own_reply_as_the_server_sent_it(
    tmp_path: Path, friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    ids = [f"q{i}" for i in range(40)]
    completion = {
        "custom_id": "text",
        "method": "POST",
        "url": "/v1/completions",
        "body": {"model": MODEL, "prompt": "Once upon a time"},
    }
    src = write_jsonl(tmp_path / "in.jsonl", [*map(chat_line, ids), completion])
    result = await _run(friendli_server, src, tmp_path / "out.jsonl", concurrency=8)
    lines = by_id(read_output(tmp_path / "out.jsonl"))
    assert set(lines) == {*ids, "text"}
    for custom_id in ids:
        assert lines[custom_id]["error"] is None
        assert lines[custom_id]["response"]["status_code"] == 200
        assert reply_text(lines[custom_id]).endswith(f"You said: {prompt_of(custom_id)}")
    assert (
        "continues from: Once upon a time"
        in lines["text"]["response"]["body"]["choices"][0]["text"]
    )
    assert {line["response"]["request_id"] for line in lines.values()} == {
        r.request_id for r in friendli_requests
    }
    usage = [line["response"]["body"]["usage"] for line in lines.values()]
    assert result.prompt_tokens == sum(u["prompt_tokens"] for u in usage) > 0
    assert result.completion_tokens == sum(u["completion_tokens"] for u in usage) > 0
    assert (result.total, result.succeeded, result.failed, result.skipped) == (41, 41, 0, 0)
    # the body is the server's reply as sent (the local server answers a request the same way twice)
    async with httpx.AsyncClient() as http:
        direct = await http.post(
            f"{friendli_server.serverless_url}/chat/completions",
            json=chat_line("q7")["body"],
            headers={"Authorization": f"Bearer {friendli_server.token}"},
        )
    assert lines["q7"]["response"]["body"] == direct.json()


async def test_resume_sends_only_what_the_output_lacks(
    tmp_path: Path, friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    ids = [f"r{i}" for i in range(30)]
    src = write_jsonl(tmp_path / "in.jsonl", map(chat_line, ids))
    out = tmp_path / "out.jsonl"
    await _run(friendli_server, src, out)
    kept = read_output(out)[:12]
    # 12 lines survive, then a line cut by kill -9
    out.write_bytes(
        b"".join(json.dumps(line).encode() + b"\n" for line in kept) + b'{"id": "batch_req_x", "cus'
    )
    friendli_requests.clear()
    result = await _run(friendli_server, src, out)
    assert "dropped an incomplete last line" in result.notes
    done_before = {line["custom_id"] for line in kept}
    assert sorted(sent_ids(friendli_requests)) == sorted(set(ids) - done_before)
    lines = by_id(read_output(out))
    assert set(lines) == set(ids)
    assert all(reply_text(lines[i]).endswith(prompt_of(i)) for i in ids)
    assert (result.skipped, result.succeeded) == (12, 18)
    friendli_requests.clear()
    again = await _run(friendli_server, src, out)
    assert len(friendli_requests) == 0
    assert (again.skipped, again.succeeded, again.remaining) == (30, 0, 0)


async def test_429s_are_retried_and_shrink_the_concurrency(
    tmp_path: Path, friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    ids = [f"t{i}" for i in range(20)]
    src = write_jsonl(tmp_path / "in.jsonl", map(chat_line, ids))
    friendli_server.inject_fault("status:429,retry_after:0.02", times=6)
    result = await _run(friendli_server, src, tmp_path / "out.jsonl", concurrency=4, max_retries=8)
    lines = by_id(read_output(tmp_path / "out.jsonl"))
    assert all(
        lines[i]["error"] is None and reply_text(lines[i]).endswith(prompt_of(i)) for i in ids
    )
    assert len(friendli_requests) == 26  # 6 rate-limited attempts, each sent again
    assert 1 <= result.lowest_concurrency < 4
    assert "concurrency went down to" in result.summary()


async def test_a_400_is_recorded_once_and_a_503_is_retried(
    tmp_path: Path, friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    src = write_jsonl(
        tmp_path / "in.jsonl",
        [
            chat_line("bad", model=f"fault:status:400:no such thing/{MODEL}"),
            chat_line("down", model=f"fault:status:503,retry_after:0/{MODEL}"),
            chat_line("fine"),
        ],
    )
    result = await _run(friendli_server, src, tmp_path / "out.jsonl", max_retries=2)
    lines = by_id(read_output(tmp_path / "out.jsonl"))
    models = [r.body["model"] for r in friendli_requests]
    assert models.count(f"fault:status:400:no such thing/{MODEL}") == 1
    assert models.count(f"fault:status:503,retry_after:0/{MODEL}") == 3
    assert lines["bad"]["response"]["status_code"] == 400
    assert "no such thing" in lines["bad"]["error"]["message"]
    assert lines["down"]["response"]["status_code"] == 503
    assert lines["down"]["error"]["code"]
    assert lines["fine"]["error"] is None
    assert (result.succeeded, result.failed) == (1, 2)


async def test_an_invalid_body_is_reported_with_its_line_and_id_and_recorded(
    tmp_path: Path, friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    src = write_jsonl(
        tmp_path / "in.jsonl",
        [
            chat_line("ok"),
            chat_line("hot", temperature=-1),
            chat_line("typo", max_tokenz=5),
            {"custom_id": "embed", "method": "POST", "url": "/v1/embeddings", "body": {}},
        ],
    )
    result = await _run(friendli_server, src, tmp_path / "out.jsonl")
    lines = by_id(read_output(tmp_path / "out.jsonl"))
    assert sent_ids(friendli_requests) == ["ok"]
    assert "line 2 (custom_id 'hot'): Invalid chat parameter temperature=-1" in result.notes
    assert "line 3 (custom_id 'typo'): Unknown chat parameter 'max_tokenz'" in result.notes
    assert "line 4 (custom_id 'embed'): url must be one of" in result.notes
    for custom_id in ("hot", "typo", "embed"):
        assert lines[custom_id]["response"] is None
        assert lines[custom_id]["error"]["code"] == "invalid_request"
    assert (result.succeeded, result.failed) == (1, 3)


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ([chat_line("a"), "{this is not json", chat_line("b")], "line 2: not valid JSON."),
        ([chat_line("a"), chat_line("b"), chat_line("a")], "line 3: custom_id 'a' repeats line 1."),
    ],
    ids=["malformed", "duplicate"],
)
async def test_a_refused_input_sends_and_writes_nothing(
    tmp_path: Path,
    friendli_server: LocalServer,
    friendli_requests: RequestLog,
    lines: list,
    problem: str,
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", lines)
    with pytest.raises(BatchInputError) as info:
        await _run(friendli_server, src, tmp_path / "out.jsonl")
    assert problem in info.value.problems
    assert len(friendli_requests) == 0
    assert not (tmp_path / "out.jsonl").exists()


async def test_no_token_fails_before_anything_is_written(
    tmp_path: Path, friendli_server: LocalServer
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [chat_line("a")])
    with pytest.raises(MissingTokenError):
        await arun(src, tmp_path / "out.jsonl", base_url=friendli_server.serverless_url)
    assert not (tmp_path / "out.jsonl").exists()


async def test_a_refused_connection_is_recorded(tmp_path: Path, unused_tcp_port: int) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [chat_line("a")])
    result = await arun(
        src,
        tmp_path / "out.jsonl",
        token="t",
        base_url=f"http://127.0.0.1:{unused_tcp_port}/v1",
        max_retries=0,
        progress_stream=io.StringIO(),
    )
    (line,) = read_output(tmp_path / "out.jsonl")
    assert line["response"] is None
    assert line["error"]["code"] == "connection_error"
    assert result.failed == 1


async def test_the_runners_client_owns_a_pool_with_its_limits_and_hooks(tmp_path: Path) -> None:
    """The core builds the pool (its fast request path, closed with the client), also after a fork.

    A pool passed as `http_client` would send every request through httpx's `build_request`
    and cookie parsing, which the core skips only for pools it creates.
    """
    from friendli_core.batch._runner import BatchRunner

    runner = BatchRunner(tmp_path / "in.jsonl", tmp_path / "out.jsonl", concurrency=1500, token="t")
    client = runner._make_client()
    for _ in range(2):  # as built, then as rebuilt in a forked child
        http = client._http
        assert client._owns_http
        assert client._defaults is not None  # requests are built directly
        assert http.event_hooks["request"] == [runner._on_request]
        assert http.event_hooks["response"] == [runner._on_response]
        transport = http._transport  # type: ignore[attr-defined]
        # at least the concurrency (above the default max_connections)
        assert transport.max_connections == 1500 > DEFAULT_MAX_CONNECTIONS
        client._leave_parent_pool()
        assert client._http is not http
    await client.close()
    assert client._http.is_closed


async def test_the_runner_shows_its_window_and_requests_in_flight_while_it_runs(
    tmp_path: Path, friendli_server: LocalServer
) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", map(chat_line, [f"w{i}" for i in range(24)]))
    runner = BatchRunner(
        src,
        tmp_path / "out.jsonl",
        concurrency=4,
        token=friendli_server.token,
        base_url=friendli_server.serverless_url,
        progress_stream=io.StringIO(),
        max_retries=8,
    )
    assert (runner.concurrency, runner.in_flight) == (4, 0)
    friendli_server.inject_fault("status:429,retry_after:0.05", times=4)
    task = asyncio.create_task(runner.run())
    seen: list[tuple[int, int]] = []
    while not task.done():
        seen.append((runner.concurrency, runner.in_flight))
        await asyncio.sleep(0.001)
    result = await task
    assert result.succeeded == 24
    windows = [window for window, _ in seen]
    assert result.lowest_concurrency <= min(windows) < 4  # the 429s shrank the window
    assert max(in_flight for _, in_flight in seen) <= 4
    assert runner.in_flight == 0
