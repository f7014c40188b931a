"""Which process generation this is: a counter that `os.fork` advances in the child.

A forked child inherits its parent's open sockets. An HTTP connection pool used on both sides
of a fork interleaves their requests and replies on the same keep-alive connection, so every
pool remembers the generation it was created in, and a child never sends through a pool of its
parent's (it builds its own). `os.register_at_fork` runs in the child of every `os.fork`,
which is what multiprocessing's fork start method, gunicorn, Celery prefork and the like call.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

__all__ = ["adopt_inherited", "after_fork_in_child", "fork_generation", "generation"]

generation = 0
"""The number of forks between the first process and this one (read it as `_forks.generation`:
the clients compare it once per request, the one fork check of the package)."""
_inherited: list[Any] = []
_hooks: list[Callable[[], None]] = []


def fork_generation() -> int:
    """The number of forks between the first process and this one."""
    return generation


def after_fork_in_child(hook: Callable[[], None]) -> None:
    """Run `hook` in the child of every later fork (before any of the child's own code)."""
    _hooks.append(hook)


def adopt_inherited(resource: Any) -> None:
    """Keep a pool inherited from the parent alive, unused, for the life of this process.

    Closing it in the child could end the parent's sessions (an async TLS close sends
    close_notify on the shared socket); keeping it costs a little memory, once per fork.
    """
    _inherited.append(resource)


def _after_fork_in_child() -> None:
    global generation  # noqa: PLW0603 - one process-wide counter is the point
    generation += 1
    for hook in _hooks:
        hook()


if hasattr(os, "register_at_fork"):  # not on Windows, which cannot fork
    os.register_at_fork(after_in_child=_after_fork_in_child)
