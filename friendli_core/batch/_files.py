"""The batch files on disk: checked before anything is sent, and error lines dropped for a retry.

`check_paths` says which of INPUT and OUTPUT is missing, unreadable or unwritable, and refuses an
OUTPUT that is the INPUT file (also through a symlink): the run would read its own results as
requests done. `drop_error_lines` rewrites OUTPUT without its error lines (`--retry-failed`),
through a temporary file in the same directory and `os.replace`, so a crash leaves either the old
file or the new one, never a part of either.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from friendli_core.batch._format import BatchInputError

__all__ = ["check_paths", "drop_error_lines", "is_error_line"]


def check_paths(input_path: Path, output_path: Path) -> None:
    """Refuse files the run cannot use, naming which one and why; nothing is sent.

    Raises:
        BatchInputError: INPUT is missing, not a file or unreadable; OUTPUT is INPUT, a
            directory, unwritable, or in a directory that does not exist or is unwritable.
    """
    if not input_path.exists():
        _refuse(f"INPUT {input_path} does not exist.")
    if not input_path.is_file():
        _refuse(f"INPUT {input_path} is not a file.")
    if not os.access(input_path, os.R_OK):
        _refuse(f"INPUT {input_path} cannot be read (permission denied).")
    if output_path.exists():
        if output_path.is_dir():
            _refuse(f"OUTPUT {output_path} is a directory; name a file to write the results to.")
        if output_path.samefile(input_path):
            _refuse(
                f"OUTPUT {output_path} is the INPUT file{_through_link(output_path, input_path)}: "
                "results go to a file of their own, e.g. "
                f"{input_path.with_name(input_path.stem + '.results.jsonl')}."
            )
        if not os.access(output_path, os.W_OK):
            _refuse(f"OUTPUT {output_path} cannot be written (permission denied).")
        return
    folder = output_path.absolute().parent
    if not folder.is_dir():
        _refuse(f"OUTPUT {output_path} cannot be created: the directory {folder} does not exist.")
    if not os.access(folder, os.W_OK | os.X_OK):
        _refuse(f"OUTPUT {output_path} cannot be created: {folder} is not writable.")


def _through_link(output_path: Path, input_path: Path) -> str:
    links = [p for p in (output_path, input_path) if p.is_symlink()]
    return f" (through the symlink {links[0]})" if links else ""


def _refuse(message: str) -> None:
    raise BatchInputError(message + " Nothing was sent.")


def is_error_line(raw: bytes) -> bool:
    """Whether an output line records an error (its `error` is set)."""
    try:
        line = json.loads(raw)
    except ValueError:
        return False
    return isinstance(line, dict) and line.get("error") is not None


def drop_error_lines(output_path: Path) -> int:
    """Rewrite OUTPUT without its error lines, crash-safely; return how many were dropped."""
    if not output_path.exists():
        return 0
    dropped = 0
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{output_path.name}.", suffix=".tmp", dir=output_path.absolute().parent
    )
    try:
        with os.fdopen(descriptor, "wb") as kept:
            for raw in _lines(output_path):
                if is_error_line(raw):
                    dropped += 1
                else:
                    kept.write(raw)
            kept.flush()
            os.fsync(kept.fileno())
        shutil.copymode(output_path, temporary)
        Path(temporary).replace(output_path)  # os.replace: atomic on one file system
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise
    return dropped


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        yield from file
