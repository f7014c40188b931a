"""Configuration and shared mutable state of one local server (pure; thread-safe).

Reasoning models: a model is a reasoning model if it is in ``reasoning_models`` when that set is
given; when it is ``None`` (the default), any model whose lower-cased name contains ``reason``,
``r1`` or ``thinking`` is one (e.g. ``my-org/Model-R1``, ``local-reasoning``).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

from friendli_core.testing._cache import PromptCache
from friendli_core.testing._catalog import ModelRegistry
from friendli_core.testing._faults import Faults, parse_faults
from friendli_core.testing._log import RequestLog

__all__ = ["DEFAULT_MODELS", "FaultQueue", "ServerConfig", "ServerState"]

DEFAULT_MODELS = ("friendli-local-model", "friendli-local-reasoning")
_REASONING_MARKERS = ("reason", "r1", "thinking")


@dataclass(frozen=True)
class ServerConfig:
    """Options of a local server.

    Attributes:
        tokens: accepted bearer tokens on serverless/dedicated; ``None`` accepts any non-empty one.
        container_auth: also require a valid bearer token on the container paths (``/v1/...``).
        openai_strict: the container paths play a strict OpenAI-compatible server: a chat,
            completions or embeddings body with a field OpenAI's API lacks (Friendli's
            ``top_k``, ``min_p``, ...) is refused with 400, as OpenAI refuses it.
        reasoning_models: names of reasoning models; ``None`` uses the name heuristic above.
        models: the catalog served by ``GET /serverless/v1/models`` and ``GET /v1/models``.
        default_model: the model echoed when a container request names none.
        latency: seconds to wait before answering every request.
        chunk_delay: seconds to wait between stream chunks.
    """

    tokens: frozenset[str] | None = None
    container_auth: bool = False
    openai_strict: bool = False
    reasoning_models: frozenset[str] | None = None
    models: tuple[str, ...] = DEFAULT_MODELS
    default_model: str = DEFAULT_MODELS[0]
    latency: float = 0.0
    chunk_delay: float = 0.0

    def is_reasoning(self, model: str | None) -> bool:
        """Return whether ``model`` is configured (or named) as a reasoning model."""
        if model is None:
            return False
        if self.reasoning_models is not None:
            return model in self.reasoning_models
        lowered = model.lower()
        return any(marker in lowered for marker in _REASONING_MARKERS)

    def token_ok(self, token: str | None) -> bool:
        """Return whether a bearer token is accepted."""
        if not token:
            return False
        return self.tokens is None or token in self.tokens


@dataclass
class _Queued:
    faults: Faults
    left: int


class FaultQueue:
    """Faults queued on the server for the next requests (``LocalServer.inject_fault``)."""

    def __init__(self) -> None:
        """Create an empty queue."""
        self._lock = threading.Lock()
        self._items: deque[_Queued] = deque()

    def push(self, spec: str, times: int) -> None:
        """Queue ``spec`` (validated now) for the next ``times`` requests."""
        faults = parse_faults(spec)
        if times < 1:
            msg = "times must be at least 1"
            raise ValueError(msg)
        with self._lock:
            self._items.append(_Queued(faults, times))

    def take(self) -> Faults | None:
        """Consume one use of the oldest queued fault, if any."""
        with self._lock:
            if not self._items:
                return None
            entry = self._items[0]
            entry.left -= 1
            if entry.left <= 0:
                self._items.popleft()
            return entry.faults

    def clear(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        """Return the number of pending fault uses."""
        with self._lock:
            return sum(entry.left for entry in self._items)


@dataclass
class ServerState:
    """Everything the app shares with the server handle."""

    config: ServerConfig
    log: RequestLog = field(default_factory=RequestLog)
    faults: FaultQueue = field(default_factory=FaultQueue)
    closing: threading.Event = field(default_factory=threading.Event)
    registry: ModelRegistry = field(default_factory=ModelRegistry)
    prompt_cache: PromptCache = field(default_factory=PromptCache)
