"""Fault specifications of the local emulator (pure).

Grammar (items separated by ``,``; whitespace around items ignored; numbers are seconds)::

    spec   := item ("," item)*
    item   := "status:" CODE [":" MESSAGE]   respond CODE (400-599) with an error body;
                                              429 also sends Retry-After / retry-after-ms
            | "retry_after:" SECONDS          send Retry-After / retry-after-ms with the error
                                              status (a 429 sends 1 s when not given)
            | "delay:" SECONDS                wait before sending the response headers
            | "hang"                          never respond (until the client gives up)
            | "disconnect"                    close the TCP connection without any response
            | "disconnect_after:" K           stream: close the connection after K chunks
            | "malformed" [":" K]             stream: after K chunks (default 1) send an
                                              event whose data is not JSON, then continue
            | "error_event" [":" K]           stream: after K chunks (default 1) send
                                              ``event: error`` + error JSON (code from a
                                              ``status:`` item, else 500), then end
            | "no_done"                       stream: end without ``data: [DONE]``
            | "slow:" SECONDS                 stream: wait between chunks
            | "long:" N                       reply with exactly N generated tokens (lazily)

Examples: ``status:503``, ``status:429,retry_after:0.05``, ``delay:0.2,status:500:boom``,
``slow:0.01,long:2000``, ``disconnect_after:3``.

Sources of a request's faults (merged in this order, later items win for the same kind):
the server queue (``LocalServer.inject_fault(spec, times=N)``, consumed by the next N requests),
the ``X-Local-Fault`` request header, and a model-name prefix ``fault:<spec>/<real-model>`` (the
prefix is stripped before the model is echoed; the spec itself cannot contain ``/``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

__all__ = ["FaultError", "Faults", "parse_faults", "split_model"]

_MIN_STATUS = 400
_MAX_STATUS = 599
_MODEL_PREFIX = "fault:"


class FaultError(ValueError):
    """The fault specification does not follow the grammar."""


@dataclass(frozen=True)
class Faults:
    """Parsed fault settings for one request."""

    status: int | None = None
    message: str | None = None
    retry_after: float | None = None
    delay: float = 0.0
    hang: bool = False
    disconnect: bool = False
    disconnect_after: int | None = None
    malformed_after: int | None = None
    error_after: int | None = None
    no_done: bool = False
    slow: float = 0.0
    long: int | None = None

    def merge(self, other: Faults) -> Faults:
        """Return ``self`` overridden by every non-default field of ``other``."""
        changes = {
            name: getattr(other, name)
            for name in self.__dataclass_fields__
            if getattr(other, name) != getattr(Faults(), name)
        }
        return replace(self, **changes)


def _seconds(value: str, item: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        msg = f"fault {item!r}: expected a non-negative number of seconds"
        raise FaultError(msg)
    return seconds


def _count(value: str, item: str, default: int | None = None) -> int:
    if not value and default is not None:
        return default
    if not value.isdigit():
        msg = f"fault {item!r}: expected a non-negative integer"
        raise FaultError(msg)
    return int(value)


def _status(arg: str, item: str) -> dict[str, object]:
    code, _, message = arg.partition(":")
    status = _count(code.strip(), item)
    if not _MIN_STATUS <= status <= _MAX_STATUS:
        msg = f"fault {item!r}: status must be between {_MIN_STATUS} and {_MAX_STATUS}"
        raise FaultError(msg)
    return {"status": status, "message": message or None}


def _item(item: str) -> dict[str, object]:
    kind, _, arg = item.partition(":")
    kind = kind.strip()
    arg = arg if kind == "status" else arg.strip()
    flags = {"hang": "hang", "disconnect": "disconnect", "no_done": "no_done"}
    if kind in flags and not arg:
        return {flags[kind]: True}
    table: dict[str, Callable[[], dict[str, object]]] = {
        "status": lambda: _status(arg, item),
        "retry_after": lambda: {"retry_after": _seconds(arg, item)},
        "delay": lambda: {"delay": _seconds(arg, item)},
        "slow": lambda: {"slow": _seconds(arg, item)},
        "disconnect_after": lambda: {"disconnect_after": _count(arg, item)},
        "malformed": lambda: {"malformed_after": _count(arg, item, 1)},
        "error_event": lambda: {"error_after": _count(arg, item, 1)},
        "long": lambda: {"long": _count(arg, item)},
    }
    if kind not in table:
        msg = f"unknown fault {item!r}; see friendli_core.testing._faults for the grammar"
        raise FaultError(msg)
    return table[kind]()


def parse_faults(spec: str) -> Faults:
    """Parse a fault specification (see the module docstring); raise ``FaultError`` if invalid."""
    values: dict[str, object] = {}
    for raw in spec.split(","):
        item = raw.strip()
        if item:
            values.update(_item(item))
    return Faults(**values)  # type: ignore[arg-type]


def split_model(model: str | None) -> tuple[str | None, str]:
    """Split ``fault:<spec>/<model>`` into ``(model, spec)``; other models give ``(model, "")``."""
    if model is None or not model.startswith(_MODEL_PREFIX):
        return model, ""
    spec, slash, rest = model.removeprefix(_MODEL_PREFIX).partition("/")
    if not slash:
        msg = f"model {model!r}: expected 'fault:<spec>/<model>'"
        raise FaultError(msg)
    return rest, spec
