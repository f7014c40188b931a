"""The batch file formats (pure): parsing input lines, refusing files, writing output lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from friendli_core.batch._format import (
    BatchInputError,
    BatchLine,
    InvalidLine,
    error_code,
    failure_line,
    parse_line,
    read_done,
    scan_input,
    success_line,
)
from friendli_core.batch._runner import drop_incomplete_tail
from friendli_core.errors import (
    APIConnectionError,
    APITimeoutError,
    InvalidRequestError,
    make_status_error,
)


def _raw(obj: object) -> bytes:
    return json.dumps(obj).encode() + b"\n"


def test_a_chat_line_and_a_completions_line_are_read() -> None:
    chat = parse_line(
        3,
        _raw(
            {
                "custom_id": "a",
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": {"model": "m", "messages": []},
            }
        ),
    )
    assert chat == BatchLine(3, "a", "chat", {"model": "m", "messages": []})
    done = parse_line(
        4, _raw({"custom_id": "b", "url": "/completions", "body": {"prompt": "p", "stream": False}})
    )
    assert done == BatchLine(
        4, "b", "completions", {"prompt": "p"}
    )  # no /v1, no method, stream: false
    assert parse_line(5, b"  \n") is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            {"custom_id": "a", "method": "GET", "url": "/v1/completions", "body": {}},
            "method must be POST",
        ),
        ({"custom_id": "a", "url": "/v1/embeddings", "body": {}}, "url must be one of"),
        ({"custom_id": "a", "url": "/v1/completions", "body": [1]}, "body must be a JSON object"),
        ({"custom_id": "a", "url": "/v1/completions"}, "body must be a JSON object"),
        ({"custom_id": "a", "url": "/v1/completions", "body": {"stream": True}}, "not streamed"),
    ],
)
def test_a_request_that_cannot_be_sent_is_an_invalid_line(line: dict, message: str) -> None:
    parsed = parse_line(7, _raw(line))
    assert isinstance(parsed, InvalidLine)
    assert (parsed.line, parsed.custom_id) == (7, "a")
    assert message in parsed.message


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"{not json\n", "not valid JSON"),
        (b"[1, 2]\n", "expected a JSON object, got list"),
        (_raw({"url": "/v1/completions", "body": {}}), 'no "custom_id"'),
        (_raw({"custom_id": 7, "body": {}}), 'no "custom_id"'),
        (_raw({"custom_id": "", "body": {}}), 'no "custom_id"'),
    ],
)
def test_a_line_without_an_id_is_refused_with_its_number(raw: bytes, problem: str) -> None:
    with pytest.raises(BatchInputError, match=f"line 9: {problem}"):
        parse_line(9, raw)


def test_scan_lists_malformed_lines_and_duplicate_ids_with_line_numbers() -> None:
    lines = [
        _raw({"custom_id": "a", "url": "/v1/completions", "body": {}}),
        b"\n",
        b"{oops\n",
        _raw({"custom_id": "b", "url": "/v1/completions", "body": {}}),
        _raw({"custom_id": "a", "url": "/v1/completions", "body": {}}),
    ]
    with pytest.raises(BatchInputError) as info:
        scan_input(lines)
    assert info.value.problems == [
        "line 3: not valid JSON.",
        "line 5: custom_id 'a' repeats line 1.",
    ]
    assert "nothing was sent" in str(info.value)
    assert isinstance(info.value, InvalidRequestError)


def test_scan_counts_requests_and_caps_the_listed_problems() -> None:
    ids, count = scan_input([_raw({"custom_id": str(i), "body": {}}) for i in range(5)] + [b"\n"])
    assert (ids, count) == ({"0", "1", "2", "3", "4"}, 5)
    with pytest.raises(BatchInputError) as info:
        scan_input([b"x\n"] * 30)
    assert len(info.value.problems) == 21
    assert info.value.problems[-1] == "... and 10 more."


def test_read_done_collects_the_ids_and_refuses_a_foreign_file() -> None:
    lines = [success_line("a", "req_1", b"{}"), b"\n", failure_line("b", "bad")]
    assert read_done(iter(lines)) == {"a", "b"}
    with pytest.raises(BatchInputError, match="line 2 is not a batch output line"):
        read_done(iter([success_line("a", None, b"{}"), b"hello\n"]))


def test_output_lines_follow_the_openai_batch_output_format() -> None:
    ok = json.loads(success_line("q1", "req_9", b' {"choices":\r\n [ ]}\n'))
    assert ok["id"].startswith("batch_req_")
    assert ok == {
        "id": ok["id"],
        "custom_id": "q1",
        "response": {"status_code": 200, "request_id": "req_9", "body": {"choices": []}},
        "error": None,
    }
    status = make_status_error(
        400, {"error": {"message": "no", "type": "invalid_request_error"}}, request_id="req_2"
    )
    failed = json.loads(failure_line("q2", status))
    assert failed["response"] == {"status_code": 400, "request_id": "req_2", "body": status.body}
    assert failed["error"] == {"code": "invalid_request_error", "message": str(status)}
    invalid = json.loads(failure_line("q3", "temperature must be >= 0"))
    assert invalid["response"] is None
    assert invalid["error"] == {"code": "invalid_request", "message": "temperature must be >= 0"}
    assert success_line("é", None, '{"t": "日本\\n"}'.encode()).decode().count("\n") == 1
    assert len({json.loads(failure_line("a", "x"))["id"] for _ in range(100)}) == 100


def test_error_codes() -> None:
    assert error_code(make_status_error(429, {"error": {"code": "rate_limit"}})) == "rate_limit"
    assert error_code(make_status_error(503, "down")) == "http_503"
    assert error_code(APITimeoutError("t")) == "timeout"
    assert error_code(APIConnectionError("c")) == "connection_error"
    assert error_code(InvalidRequestError("i")) == "invalid_request"


@pytest.mark.parametrize(
    ("content", "kept", "cut"),
    [
        (b"", b"", False),
        (b'{"a":1}\n{"b":2}\n', b'{"a":1}\n{"b":2}\n', False),
        (b'{"a":1}\n{"b":', b'{"a":1}\n', True),
        (b'{"b":', b"", True),
        (b"x" * 200_000 + b"\n" + b"y" * 150_000, b"x" * 200_000 + b"\n", True),  # over chunks
    ],
)
def test_an_incomplete_last_line_is_dropped(
    tmp_path: Path, content: bytes, kept: bytes, cut: bool
) -> None:
    path = tmp_path / "out.jsonl"
    path.write_bytes(content)
    assert drop_incomplete_tail(path) is cut
    assert path.read_bytes() == kept


def test_the_jsonl_hint_is_given_for_a_json_document_only() -> None:
    from friendli_core.batch._format import BatchInputError, scan_input

    def message(text: str) -> str:
        with pytest.raises(BatchInputError) as caught:
            scan_input(iter(text.encode().splitlines(keepends=True)))
        return str(caught.value)

    assert "looks like a JSON array" in message('[\n  {"custom_id": "a"}\n]\n')
    assert "looks like a JSON document" in message('{\n  "custom_id": "a"\n}\n')
    assert "looks like a JSON document" in message('{"custom_id": "a",\n "url": "/v1/x"}\n')
    torn = '{"custom_id": "a", "bo\n{"custom_id": "b", "body": {}}\n'
    assert "JSONL" not in message(torn)  # one bad line of a JSONL file: no format hint
