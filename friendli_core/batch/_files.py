"""The batch files on disk: checked before anything is sent, and error lines dropped for a retry.

`check_paths` says which of INPUT and OUTPUT is missing, unreadable or unwritable, and refuses an
OUTPUT that is the INPUT file (also through a symlink): the run would read its own results as
requests done. `check_output` refuses an OUTPUT that is another file (an input, notes) before
a resume cuts its last line or drops its error lines. `drop_error_lines` rewrites OUTPUT
without its error lines (`--retry-failed`), through a temporary file in the same directory and
`os.replace`, so a crash leaves either the old file or the new one, never a part of either.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from friendli_core.batch._format import BatchInputError, output_line, read_output

__all__ = ["check_output", "check_paths", "drop_error_lines", "is_error_line"]


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


def check_output(output_path: Path) -> None:
    """Refuse an OUTPUT that is not a batch output file, before a resume changes it.

    Its complete lines must be batch output lines; a last line without its newline must be one
    cut short (a kill -9 during a write), which the resume drops: never a line of another file.

    Raises:
        BatchInputError: Naming the line that is not a batch output line.
    """
    tail = b""

    def complete() -> Iterator[bytes]:
        nonlocal tail
        for raw in _lines(output_path):
            if raw.endswith(b"\n"):
                yield raw
            else:
                tail = raw

    read_output(complete())
    if tail.strip() and not _cut_short(tail):
        _refuse(
            f"The last line of OUTPUT {output_path} is not a batch output line; is it the right "
            "file?"
        )


def _cut_short(tail: bytes) -> bool:
    """Whether a last line without a newline can be a batch output line cut short."""
    if not tail.lstrip().startswith(b"{"):
        return False
    try:
        obj = json.loads(tail)
    except ValueError:
        return True  # a JSON object cut short
    return output_line(obj)


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
