"""A local, deterministic Friendli-compatible HTTP server for tests (extra ``[testing]``).

Serves, on 127.0.0.1 by default:

* ``POST /serverless/v1/...``, ``/dedicated/v1/...`` and (container) ``/v1/...``:
  ``chat/completions``, ``completions``, ``tokenize``, ``detokenize`` (and ``chat/render`` on
  serverless/dedicated);
* ``GET /serverless/v1/models`` (Friendli catalog) and ``GET /v1/models`` (OpenAI-style list,
  so ``openai.OpenAI(base_url=server.container_url)`` works).

Behaviour in short (details in the module docstrings):

* auth: serverless/dedicated need ``Authorization: Bearer <token>`` (``tokens=None`` accepts any
  non-empty token), else 401; the container paths need none unless ``container_auth=True``;
* ``openai_strict=True`` (``--openai-strict``): the container paths play a strict
  OpenAI-compatible server and refuse, with 400, a body field OpenAI's API lacks (Friendli's
  ``top_k``, ``min_p``, ...), the client's ``endpoint="openai-compatible"`` counterpart;
* errors: ``{"message", "error": {"message", "type", "code"}}``; invalid JSON and documented
  constraint violations are 400, request-schema violations (vendored OpenAPI, ``_openapi``) 422;
  every response has an ``x-request-id`` header;
* the model (``_model``): rule-based and deterministic (same request → same bytes; ids and
  ``created`` derive from a SHA-256 of the request, ``_wire``); tools, ``response_format``, ReAct
  text mode, reasoning (a request's ``chat_template_kwargs.enable_thinking`` when given, else
  models in ``reasoning_models``, by default names containing ``reason``, ``r1`` or
  ``thinking``), logprobs, ``n``, ``seed``, ``stop``, ``max_tokens``, ``min_tokens``;
* tokens (``_tokens``): reversible word pieces, ids stable across processes;
* faults (``_faults``, never on by default): ``LocalServer.inject_fault(spec, times=N)``, the
  ``X-Local-Fault: <spec>`` header, or the model ``fault:<spec>/<model>``; e.g. ``status:503``,
  ``status:429,retry_after:0.1``, ``delay:1``, ``hang``, ``disconnect``, ``disconnect_after:3``,
  ``malformed:2``, ``error_event:2``, ``no_done``, ``slow:0.05``, ``long:100000``.

Entry points: ``LocalServer`` (context manager; ``.url``, ``.serverless_url``,
``.dedicated_url``, ``.container_url``, ``.token``, ``.requests``, ``inject_fault``),
``run()``, ``python -m friendli_core.testing`` / ``friendli-local-server``, and the pytest
plugin ``friendli_core.testing.pytest_plugin`` (fixtures ``friendli_server``,
``friendli_requests``). Importing this package does not import starlette or uvicorn
(``LocalServer.start`` does).
"""

from __future__ import annotations

from friendli_core.testing._faults import FaultError, Faults, parse_faults
from friendli_core.testing._log import RecordedRequest, RequestLog
from friendli_core.testing._server import LOCAL_TOKEN, LocalServer
from friendli_core.testing._state import DEFAULT_MODELS, ServerConfig

__all__ = [
    "DEFAULT_MODELS",
    "LOCAL_TOKEN",
    "FaultError",
    "Faults",
    "LocalServer",
    "RecordedRequest",
    "RequestLog",
    "ServerConfig",
    "parse_faults",
    "run",
]


def run(host: str = "127.0.0.1", port: int = 8000, **options: object) -> None:
    """Run a server in the foreground until Ctrl-C (what the CLI does).

    Args:
        host: the interface to bind.
        port: the TCP port (0 picks a free one).
        **options: keyword options of ``LocalServer``.
    """
    from friendli_core.testing.__main__ import serve  # noqa: PLC0415 - avoid an import cycle

    serve(LocalServer(host, port, **options))  # type: ignore[arg-type]
