import ast
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import friendli_core.testing as testing_pkg
from friendli_core.testing import LOCAL_TOKEN, LocalServer, RequestLog
from friendli_core.testing.__main__ import main
from tests.testing.helpers import HTTP, auth, chat_body

PACKAGE = Path(testing_pkg.__file__).parent
PURE = [
    "_model.py",
    "_schema.py",
    "_wire.py",
    "_regex.py",
    "_tokens.py",
    "_gen.py",
    "_checks.py",
    "_faults.py",
    "_log.py",
    "_state.py",
    "_openapi.py",
]


def test_fixtures_give_a_running_server_and_a_cleared_log(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    assert friendli_server.running
    assert friendli_server.token == LOCAL_TOKEN
    assert friendli_server.url.startswith("http://127.0.0.1:")
    assert friendli_server.serverless_url == f"{friendli_server.url}/serverless/v1"
    assert friendli_server.dedicated_url == f"{friendli_server.url}/dedicated/v1"
    assert friendli_server.container_url == f"{friendli_server.url}/v1"
    assert len(friendli_requests) == 0
    HTTP.post(
        f"{friendli_server.container_url}/tokenize",
        json={"prompt": "x"},
        headers=auth(friendli_server),
    )
    assert friendli_requests.last.path == "/v1/tokenize"
    assert friendli_requests is friendli_server.requests


def test_importing_the_plugin_and_package_does_not_import_the_extra() -> None:
    code = (
        "import sys, friendli_core.testing, friendli_core.testing.pytest_plugin;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn')];"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_no_io_and_no_client_code(module: str) -> None:
    tree = ast.parse((PACKAGE / module).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    for name in imported:
        assert name.split(".")[0] not in ("starlette", "uvicorn", "asyncio", "httpx"), name
        if name.startswith("friendli_core"):
            assert name.startswith("friendli_core.testing"), name


# a leaf of the standard library only (checked below): naming the extra of a missing module
SHARED = ("friendli_core._extras",)


def test_no_testing_module_imports_the_client() -> None:
    extras = ast.parse((PACKAGE.parent / "_extras.py").read_text())
    assert not [
        n
        for n in ast.walk(extras)
        if isinstance(n, ast.ImportFrom) and "friendli" in (n.module or "")
    ]
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("friendli_core")
            ):
                assert node.module.startswith(("friendli_core.testing", *SHARED)), (
                    path.name,
                    node.module,
                )
            if isinstance(node, ast.Import):
                assert not any(
                    a.name.startswith("friendli_core")
                    and not a.name.startswith("friendli_core.testing")
                    for a in node.names
                )


def test_cli_prints_urls_serves_and_stops_on_ctrl_c() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "friendli_core.testing",
            "--port",
            "0",
            "--token",
            "flp_cli_token_1234",
            "--log-level",
            "warning",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Friendli local server running on http://127.0.0.1:")
        root = first.rsplit(" ", 1)[1].strip()
        lines = [process.stdout.readline() for _ in range(4)]
        assert f"{root}/serverless/v1" in lines[0]
        assert f"{root}/dedicated/v1" in lines[1]
        assert f"{root}/v1" in lines[2]
        ok = httpx.post(
            f"{root}/serverless/v1/tokenize",
            json={"model": "m", "prompt": "hi"},
            headers={"Authorization": "Bearer flp_cli_token_1234"},
        )
        assert ok.status_code == 200
        denied = httpx.post(
            f"{root}/serverless/v1/tokenize",
            json={"model": "m", "prompt": "hi"},
            headers={"Authorization": "Bearer other"},
        )
        assert denied.status_code == 401
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Stopping." in out
    assert "flp_cli_token_1234" not in out + err


def test_main_parses_arguments_and_serves_until_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict = {}

    def fake_serve(server: LocalServer) -> None:
        seen["server"] = server

    monkeypatch.setattr("friendli_core.testing.__main__.serve", fake_serve)
    assert (
        main(
            [
                "--port",
                "0",
                "--reasoning-model",
                "r",
                "--model",
                "a",
                "--model",
                "b",
                "--latency",
                "0.1",
                "--container-auth",
            ]
        )
        == 0
    )
    server = seen["server"]
    assert server.config.reasoning_models == frozenset({"r"})
    assert server.config.models == ("a", "b")
    assert server.config.latency == 0.1
    assert server.config.container_auth
    assert server.config.tokens is None


def test_latency_and_chunk_delay_options() -> None:
    with LocalServer(latency=0.2, chunk_delay=0.01) as server:
        response = HTTP.post(
            f"{server.container_url}/chat/completions",
            json=chat_body("container", "a b c", stream=True),
        )
        assert response.status_code == 200
        assert response.elapsed.total_seconds() >= 0.2
