"""Run Python code in a fresh interpreter (for import-time behaviour, which a test process that
has already imported everything cannot show)."""

from __future__ import annotations

import subprocess
import sys

__all__ = ["python_lines", "run_hiding"]


def python_lines(code: str) -> list[str]:
    """Run `code` with this interpreter in a new process; return its stdout lines."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.splitlines()


# Prepended to the code of `run_hiding`: a meta-path finder that reports the hidden top-level
# packages as not installed, whatever this environment holds.
_HIDE = """
import sys
class _Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {hidden!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, _Hide())
"""


def run_hiding(hidden: tuple[str, ...], code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `code` (or, with `args`, `python -c code args...`) in a new interpreter in which the
    top-level packages `hidden` cannot be imported; return the finished process (any status)."""
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", _HIDE.format(hidden=frozenset(hidden)) + code, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
