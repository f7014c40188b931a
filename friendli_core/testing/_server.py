"""``LocalServer``: the local Friendli-compatible server running in a background thread.

Starlette and uvicorn are imported only inside ``start()``, so importing this module (and the
pytest plugin) never needs the ``testing`` extra.
"""

from __future__ import annotations

import copy
import socket
import threading
import time
from collections.abc import Iterable
from types import TracebackType
from typing import Any, Self

from friendli_core._extras import require
from friendli_core.testing._access import LOGGER
from friendli_core.testing._log import RequestLog
from friendli_core.testing._state import DEFAULT_MODELS, ServerConfig, ServerState

__all__ = ["LOCAL_TOKEN", "TESTING_MODULES", "LocalServer"]

TESTING_MODULES = ("starlette", "uvicorn", "jsonschema")
"""What the server imports from the `testing` extra."""

LOCAL_TOKEN = "flp_local_test_token"  # noqa: S105 - a public test token, not a secret
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0


def _log_config(uvicorn_config: dict[str, Any], level: str) -> dict[str, Any]:
    """Uvicorn's logging config, with the request log lines (`_access`) on its console."""
    config = copy.deepcopy(uvicorn_config)
    config["loggers"][LOGGER] = {
        "handlers": ["default"],
        "level": level.upper(),
        "propagate": False,
    }
    return config


class LocalServer:
    """A local Friendli-compatible HTTP server (see ``friendli_core.testing``).

    Use as a context manager, or call ``start()``/``stop()``. ``port=0`` picks a free port.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        tokens: Iterable[str] | None = None,
        container_auth: bool = False,
        openai_strict: bool = False,
        reasoning_models: Iterable[str] | None = None,
        models: Iterable[str] = DEFAULT_MODELS,
        latency: float = 0.0,
        chunk_delay: float = 0.0,
        log_level: str = "warning",
    ) -> None:
        """Configure the server; nothing listens before ``start()``.

        Args:
            host: the interface to bind.
            port: the TCP port; 0 picks a free one.
            tokens: accepted bearer tokens (serverless/dedicated); ``None`` accepts any non-empty.
            container_auth: require a valid token on the container paths too.
            openai_strict: the container paths refuse fields OpenAI's API lacks (a strict
                OpenAI-compatible server, such as a hosted one).
            reasoning_models: reasoning model names; ``None`` uses the name heuristic
                (``reason``, ``r1``, ``thinking``).
            models: the model catalog.
            latency: seconds to wait before every response.
            chunk_delay: seconds to wait between stream chunks.
            log_level: uvicorn's log level.
        """
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        config = ServerConfig(
            tokens=frozenset(tokens) if tokens is not None else None,
            container_auth=container_auth,
            openai_strict=openai_strict,
            reasoning_models=frozenset(reasoning_models) if reasoning_models is not None else None,
            models=tuple(models),
            latency=latency,
            chunk_delay=chunk_delay,
        )
        self._state = ServerState(config)
        self._log_level = log_level
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def config(self) -> ServerConfig:
        """Return the server configuration."""
        return self._state.config

    @property
    def port(self) -> int:
        """Return the bound port (raise ``RuntimeError`` before ``start()``)."""
        if self._port is None:
            msg = "the server is not started"
            raise RuntimeError(msg)
        return self._port

    @property
    def url(self) -> str:
        """Return the root URL, e.g. ``http://127.0.0.1:8000``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def serverless_url(self) -> str:
        """Return ``{url}/serverless/v1``."""
        return f"{self.url}/serverless/v1"

    @property
    def dedicated_url(self) -> str:
        """Return ``{url}/dedicated/v1``."""
        return f"{self.url}/dedicated/v1"

    @property
    def container_url(self) -> str:
        """Return ``{url}/v1`` (also the base URL for OpenAI-compatible clients)."""
        return f"{self.url}/v1"

    @property
    def token(self) -> str:
        """Return a token the server accepts (``LOCAL_TOKEN`` unless other tokens are set)."""
        tokens = self.config.tokens
        if tokens is None or LOCAL_TOKEN in tokens:
            return LOCAL_TOKEN
        return min(tokens)

    @property
    def requests(self) -> RequestLog:
        """Return the thread-safe log of received requests."""
        return self._state.log

    @property
    def running(self) -> bool:
        """Return whether the server thread is serving."""
        return self._thread is not None and self._thread.is_alive()

    def inject_fault(self, spec: str, times: int = 1) -> None:
        """Queue a fault (grammar in ``friendli_core.testing._faults``) for the next requests."""
        self._state.faults.push(spec, times)

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        self._state.faults.clear()

    def register_model(self, model_id: str, **fields: Any) -> None:
        """Add (or replace) a catalog entry, e.g. ``register_model("tiny", context_length=512)``.

        The entry is listed by ``GET /models`` (fields not given are filled as in
        ``friendli_core.testing._catalog``) and its ``context_length`` is enforced on chat.
        """
        self._state.registry.add({**fields, "id": model_id})

    def unregister_model(self, model_id: str) -> None:
        """Remove a model added by ``register_model``."""
        self._state.registry.remove(model_id)

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose
        # proto is TCP, and without it every keep-alive response waits ~40 ms (Nagle + delayed ACK).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        sock.set_inheritable(True)
        return sock

    def start(self) -> Self:
        """Start serving in a daemon thread; return ``self`` once the socket accepts."""
        if self.running:
            return self
        require("the local server", *TESTING_MODULES)
        import uvicorn  # noqa: PLC0415 - the testing extra is imported lazily

        from friendli_core.testing._app import create_app  # noqa: PLC0415
        from friendli_core.testing._proto import TrackingH11Protocol  # noqa: PLC0415

        self._state.closing.clear()
        sock = self._bind()
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(
            create_app(self._state),
            http=TrackingH11Protocol,
            lifespan="off",
            log_config=_log_config(uvicorn.config.LOGGING_CONFIG, self._log_level),
            log_level=self._log_level,
            access_log=False,
            backlog=4096,
            timeout_graceful_shutdown=2,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="friendli-local-server", daemon=True
        )
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                msg = "the local server failed to start"
                raise RuntimeError(msg)
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Stop serving (hanging requests are dropped) and wait for the thread to end."""
        if self._server is None or self._thread is None:
            return
        self._state.closing.set()
        self._server.should_exit = True
        self._thread.join(_STOP_TIMEOUT)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        """Start the server."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        self.stop()

    def __repr__(self) -> str:
        """Return a representation without secrets."""
        where = self.url if self._port is not None else "not started"
        return f"LocalServer({where})"
