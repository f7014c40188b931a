"""Command line: ``friendli-local-server`` / ``python -m friendli_core.testing``.

Example::

    friendli-local-server --host 127.0.0.1 --port 8000 --token flp_local_test_token

It prints the base URLs it serves and stops cleanly on Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence

from friendli_core._extras import MissingExtraError
from friendli_core.testing._server import LocalServer

__all__ = ["main", "serve"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="friendli-local-server",
        description="Run the local deterministic Friendli-compatible test server.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8000, help="port; 0 picks a free one (default 8000)"
    )
    parser.add_argument(
        "--token",
        action="append",
        dest="tokens",
        help="accepted bearer token (repeatable); default: accept any non-empty token",
    )
    parser.add_argument(
        "--container-auth", action="store_true", help="require the token on /v1/... too"
    )
    parser.add_argument(
        "--openai-strict",
        action="store_true",
        help="on /v1/..., refuse body fields OpenAI's API lacks (a strict OpenAI server)",
    )
    parser.add_argument(
        "--reasoning-model",
        action="append",
        dest="reasoning_models",
        help="a reasoning model name (repeatable); default: names containing reason/r1/thinking",
    )
    parser.add_argument(
        "--model", action="append", dest="models", help="catalog model (repeatable)"
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before every response")
    parser.add_argument(
        "--chunk-delay", type=float, default=0.0, help="seconds between stream chunks"
    )
    parser.add_argument("--log-level", default="info", help="uvicorn log level (default info)")
    return parser


def serve(server: LocalServer, stop: threading.Event | None = None) -> None:
    """Start ``server``, print its URLs, and block until Ctrl-C (or ``stop`` is set)."""
    server.start()
    print(f"Friendli local server running on {server.url}")
    print(f"  serverless: {server.serverless_url}")
    print(f"  dedicated:  {server.dedicated_url}")
    strict = " (strict: OpenAI's fields only)" if server.config.openai_strict else ""
    print(f"  container:  {server.container_url}  (also the OpenAI-compatible base URL){strict}")
    print("Press Ctrl-C to stop.", flush=True)
    event = stop or threading.Event()
    try:
        while not event.wait(0.5):
            pass
    except KeyboardInterrupt:
        print("Stopping.", flush=True)
    finally:
        server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server from command-line arguments; return the exit status."""
    args = _parser().parse_args(argv)
    options: dict[str, object] = {}
    if args.models:
        options["models"] = args.models
    server = LocalServer(
        args.host,
        args.port,
        tokens=args.tokens,
        container_auth=args.container_auth,
        openai_strict=args.openai_strict,
        reasoning_models=args.reasoning_models,
        latency=args.latency,
        chunk_delay=args.chunk_delay,
        log_level=args.log_level,
        **options,  # type: ignore[arg-type]
    )
    try:
        serve(server)
    except MissingExtraError as missing:
        print(f"friendli-local-server: {missing}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
