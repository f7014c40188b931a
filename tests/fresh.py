"""Run Python code in a fresh interpreter (for import-time behaviour, which a test process that
has already imported everything cannot show)."""

from __future__ import annotations

import subprocess
import sys

__all__ = ["python_lines"]


def python_lines(code: str) -> list[str]:
    """Run `code` with this interpreter in a new process; return its stdout lines."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.splitlines()
