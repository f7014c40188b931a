"""Re-execute every notebook against the local server and save it with its outputs.

`make notebooks` runs this. Each notebook runs top to bottom in a fresh `python3` kernel (this
venv's interpreter) with every `FRIENDLI_*` variable removed, so it takes its local-server
path, and with a startup file that lets it connect to the loopback interface only. The outputs
are then scrubbed of what would make every run's diff noisy or leak the machine: the absolute
path of the repository, temporary directories, the home directory, the local server's
ephemeral port and object addresses; the log lines of Ray's C++ core (a timestamp and random
ids each) are dropped from stderr, and consecutive prints to one stream are kept as one output
(how the kernel cuts them into messages depends on timing). Cell timings are not recorded.
Timing figures and the plots of notebooks 06 and 07 still change from run to run: they are
measurements.

The tests (`tests/docs/test_notebooks.py`) re-execute the notebooks with the same kernel set-up
and check that the committed ones were saved by this script: executed, with outputs, scrubbed.

Usage: ``python -m scripts.run_notebooks [NOTEBOOK ...]`` (default: every notebook).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
KERNEL_NAME = "python3"
CELL_TIMEOUT = 60
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1"]

# Runs in the kernel before the notebook (an IPython startup file): the same rule as the
# pytest-socket `--allow-hosts` option of the test run, applied inside the kernel process.
KERNEL_GUARD = f"""\
import pytest_socket as _pytest_socket

_pytest_socket.socket_allow_hosts({LOOPBACK_HOSTS!r})
del _pytest_socket
"""


def kernel_env(ipython_dir: Path) -> dict[str, str]:
    """This process's environment without Friendli settings, with the guarded IPython dir."""
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-loopback-only.py").write_text(KERNEL_GUARD)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("FRIENDLI_") and key != "MPLBACKEND"  # inline plots, as in Jupyter
    }
    env["IPYTHONDIR"] = str(ipython_dir)
    # bytecode caching, as a user's pip install has: notebook 07 starts Ray, whose processes
    # would otherwise compile Ray on every start (see tests/scale/conftest.py)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(
        Path(tempfile.gettempdir()) / "friendli-integrations-ray-pycache"
    )
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # debugpy's frozen-modules warning
    return env


def _replacements() -> list[tuple[re.Pattern[str], str]]:
    temp = re.escape(str(Path(tempfile.gettempdir()).resolve()))
    return [
        (re.compile(re.escape(str(ROOT))), "<repo>"),
        (re.compile(rf"(?:/private)?{temp}/[^\s'\"/]+"), "<tmp>"),
        (re.compile(re.escape(str(Path.home())) + r"(?=/)"), "~"),
        (re.compile(r"\b(127\.0\.0\.1|localhost):\d{5}\b"), r"\1:<port>"),
        (re.compile(r"\bat 0x[0-9a-f]{6,}\b"), "at 0x…"),
    ]


def scrub_text(text: str) -> str:
    """`text` without machine- or run-specific paths, ports and addresses."""
    for pattern, replacement in _replacements():
        text = pattern.sub(replacement, text)
    return text


# a log line of Ray's C++ core: "[2026-12-04 23:39:04,788 E 23990 23990] core_worker.cc:..."
_RAY_CORE_LOG = re.compile(r"^\[\d{4}-\d\d-\d\d [\d:,]+ [DIWEF] \d+ \d+\] .*\n?", re.MULTILINE)


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, list):
        return [_scrub_value(item) for item in value]
    return value


def scrub(nb: Any) -> Any:
    """Scrub the outputs of every code cell of `nb`, in place; return `nb`."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        outputs = []
        for output in cell.outputs:
            if output.get("name") == "stderr":
                output["text"] = _RAY_CORE_LOG.sub("", "".join(output["text"]))
                if not output["text"]:
                    continue
            for key in ("text", "traceback"):
                if key in output:
                    output[key] = _scrub_value(output[key])
            for mime, data in output.get("data", {}).items():
                if mime.startswith("text/"):
                    output["data"][mime] = _scrub_value(data)
            previous = outputs[-1] if outputs else None
            if previous and previous.get("name") and previous.get("name") == output.get("name"):
                # one stream output per run of prints, however the kernel's messages were cut
                previous["text"] = "".join(previous["text"]) + "".join(output["text"])
            else:
                outputs.append(output)
        cell.outputs = outputs
    return nb


def run_notebook(path: Path, work: Path) -> None:
    """Execute the notebook at `path` from scratch and save it, scrubbed, in place."""
    import nbformat  # noqa: PLC0415 - dev tools, imported only when notebooks are run
    from nbclient import NotebookClient  # noqa: PLC0415

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT,
        record_timing=False,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    client.execute(env=kernel_env(work / path.stem / "ipython"))
    nbformat.write(scrub(nb), path)


def main(argv: list[str]) -> int:
    """Run the notebooks named in `argv` (all when none)."""
    paths = [Path(arg) for arg in argv] or sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    with tempfile.TemporaryDirectory() as work:
        for path in paths:
            print(f"running {path.name}", flush=True)  # noqa: T201 - a command-line script
            run_notebook(path, Path(work))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
