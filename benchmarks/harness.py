"""What the runner, the report and the paired figure share: paths, settings, the results of a
run, and the child processes (the server, and commands that print one JSON object)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.clients import CLIENTS, Client

ROOT = Path(__file__).resolve().parent.parent
PYCACHE = ROOT / "benchmarks" / ".work" / "pycache"


def child_env() -> dict[str, str]:
    """The environment of every child process: bytecode caching on, in a private tree.

    With `PYTHONDONTWRITEBYTECODE` set (as here) and a venv installed without `.pyc` files,
    every process would compile every module from source, which would dominate process start
    and make import times meaningless. A user's `pip install` has bytecode, so we cache it,
    under benchmarks/.work/pycache so neither the venvs nor the work tree are written to.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


MAIN_CLIENTS = [
    "httpx",
    "httpx-async",
    "core",
    "core-async",
    "chatfriendli",
    "friendlillm",
    "lc-floor",
    "li-floor",
    "chatopenai",
    "openailike",
]
PEER_CLIENTS = ["httpx", "httpx-async", "community-chatfriendli", "llamaindex-friendli"]

# (module, env, baseline imported first in the same process, which it is compared with)
_LC = "langchain_core.language_models.chat_models"
_LI = "llama_index.core.llms"
IMPORTS: list[tuple[str, str, str | None]] = [
    ("httpx", "main", None),
    # what any pydantic-based client pays for pydantic: friendli_core's first client pays it
    ("benchmarks.pydantic_floor", "main", "httpx"),
    ("friendli_core", "main", "httpx"),
    (_LC, "main", None),
    ("langchain_friendli", "main", _LC),
    ("langchain_openai", "main", _LC),
    (_LI, "main", None),
    ("llama_index_friendli", "main", _LI),
    ("llama_index.llms.openai_like", "main", _LI),
    ("httpx", "peers", None),
    (_LC, "peers", None),
    ("langchain_community.chat_models.friendli", "peers", _LC),
    (_LI, "peers", None),
    ("llama_index.llms.friendli", "peers", _LI),
]

VERSION_DISTS = [
    "friendli-integrations",
    "httpx",
    "httpx-sse",
    "httpcore",
    "h11",
    "pydantic",
    "pydantic-core",
    "langchain-core",
    "langchain-openai",
    "openai",
    "llama-index-core",
    "llama-index-llms-openai",
    "llama-index-llms-openai-like",
    "langchain-community",
    "friendli-client",
    "llama-index-llms-friendli",
]

FULL = {
    "calls": 300,
    "call-tokens": 16,
    "warmup": 20,
    "streams": 4,
    "stream-tokens": 2000,
    "async-calls": 200,
    "concurrency": 50,
    "repeats": 3,
    "mem-tokens": 100_000,
}
QUICK = {
    "calls": 20,
    "call-tokens": 16,
    "warmup": 3,
    "streams": 2,
    "stream-tokens": 200,
    "async-calls": 20,
    "concurrency": 5,
    "repeats": 1,
    "mem-tokens": 2000,
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Env:
    name: str
    python: str
    clients: list[str]
    versions: dict[str, str] = field(default_factory=dict)


@dataclass
class Results:
    sizes: dict[str, int]
    rounds: int
    envs: dict[str, Env]
    skipped: dict[str, str] = field(default_factory=dict)  # "env:client" -> reason
    notes: dict[str, str] = field(default_factory=dict)
    runs: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    imports: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # "env:module"
    memory: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, figure: str, key: str, value: dict[str, Any]) -> None:
        self.runs.setdefault(figure, {}).setdefault(key, []).append(value)


class Server:
    """The SSE server in its own process, pinned to CPU 1."""

    def __init__(self, warm: list[int], cpu: int) -> None:
        cmd = [sys.executable, "-m", "benchmarks.sse_server", "--port", "0", "--cpu", str(cpu)]
        cmd += ["--warm", ",".join(str(n) for n in warm)]
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("PORT "):
            self.close()
            msg = f"benchmark server did not start: {line!r}"
            raise RuntimeError(msg)
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait(timeout=5)


def run_json(cmd: list[str], timeout: float) -> dict[str, Any]:
    try:
        done = subprocess.run(
            cmd,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=child_env(),
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {done.returncode}: {tail}"[:400]}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def versions(env: Env) -> dict[str, str]:
    code = (
        "import json, importlib.metadata as m\n"
        "out = {}\n"
        f"for d in {VERSION_DISTS!r}:\n"
        "    try: out[d] = m.version(d)\n"
        "    except m.PackageNotFoundError: pass\n"
        "import sys; out['python'] = sys.version.split()[0]\n"
        "print(json.dumps(out))\n"
    )
    return run_json([env.python, "-c", code], 60)


def machine() -> dict[str, str]:
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        memory = f"{int(mem) / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        memory = "unknown"
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return {
        "cpu": model,
        "cpus": str(cpus),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def has_async(name: str) -> bool:
    return CLIENTS[name].acall is not Client.acall


def figures_for(name: str, wanted: list[str]) -> list[str]:
    return [f for f in wanted if f != "c" or has_async(name)]


def load_raw(path: Path) -> Results:
    """Results from the raw JSON a run wrote (to re-render the Markdown)."""
    data = json.loads(path.read_text())
    data["envs"] = {name: Env(**env) for name, env in data["envs"].items()}
    return Results(**data)
