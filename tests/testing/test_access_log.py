"""At its default log level the local server's CLI logs one line per request: method, path,
status and time (issue #26); the query string, which may hold secrets, is not logged."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys

import httpx
import pytest

from friendli_core.testing import LocalServer
from friendli_core.testing._access import LOGGER

LINE = re.compile(r"^INFO: +(?P<method>[A-Z]+) (?P<path>\S+) (?P<status>.+) (?P<ms>\d+\.\d) ms$")


def test_the_cli_logs_one_line_per_request_at_its_default_level() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "friendli_core.testing", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        root = process.stdout.readline().rsplit(" ", 1)[1].strip()
        with httpx.Client(base_url=root) as http:
            assert http.post("/v1/tokenize?key=query_secret", json={"prompt": "hi"}).is_success
            assert http.get("/v1/nowhere").status_code == 404
            chat = {"messages": [{"role": "user", "content": "hi"}]}
            assert (
                http.post(
                    "/v1/chat/completions", json=chat, headers={"X-Local-Fault": "status:503"}
                ).status_code
                == 503
            )
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    lines = [m.groupdict() for m in map(LINE.match, err.splitlines()) if m]
    assert [(m["method"], m["path"], m["status"]) for m in lines] == [
        ("POST", "/v1/tokenize", "200"),
        ("GET", "/v1/nowhere", "404"),
        ("POST", "/v1/chat/completions", "503"),
    ]
    assert "query_secret" not in err


def test_a_quiet_server_logs_no_request_line(capfd: pytest.CaptureFixture[str]) -> None:
    with LocalServer(log_level="warning") as server:
        assert httpx.post(f"{server.container_url}/tokenize", json={"prompt": "hi"}).is_success
    out, err = capfd.readouterr()
    assert "/v1/tokenize" not in out + err


def test_a_server_at_info_logs_the_line_in_this_process(capfd: pytest.CaptureFixture[str]) -> None:
    loggers = [logging.getLogger(name) for name in (LOGGER, "uvicorn.error")]
    try:
        with LocalServer(log_level="info") as server:
            chat = {"messages": [{"role": "user", "content": "hi"}]}
            headers = {"X-Local-Fault": "disconnect"}
            with pytest.raises(httpx.TransportError):
                httpx.post(f"{server.container_url}/chat/completions", json=chat, headers=headers)
            assert httpx.post(f"{server.container_url}/tokenize", json={"prompt": "hi"}).is_success
    finally:
        for logger in loggers:  # as the other servers of the session configure them
            logger.setLevel(logging.WARNING)
    err = capfd.readouterr().err
    assert re.search(
        r"POST /v1/chat/completions no response \(connection dropped\) \d+\.\d ms", err
    )
    assert re.search(r"POST /v1/tokenize 200 \d+\.\d ms", err)
