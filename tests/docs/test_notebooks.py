"""Execute every example notebook in `notebooks/` and keep the committed files clean.

Each notebook runs top to bottom in a fresh `python3` kernel (jupyter_client launches the
kernelspec's "python" as `sys.executable`, i.e. this venv's interpreter; a test checks it), with
every `FRIENDLI_*` variable removed so the notebooks take their local-server path. The pytest
process talks to the kernel over ZeroMQ on 127.0.0.1 only (libzmq sockets are not Python sockets,
so pytest-socket's `--allow-hosts` restriction does not get in the way). The kernel is a separate
process that pytest-socket does not reach, so an IPython startup file installs the same
restriction inside it: a notebook that tries to reach anything but the loopback interface fails.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL_NAME = "python3"
NOTEBOOK_TIMEOUT = 120.0
"""Seconds for a whole notebook, kernel start-up included."""
CELL_TIMEOUT = 60
MAX_OUTPUT_BYTES = 300_000
"""Outputs of an executed notebook (as JSON) must stay below this: small, readable examples."""
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1"]

# Runs in the kernel before the notebook (an IPython startup file): the same rule as the
# pytest-socket `--allow-hosts` option of the test run, applied inside the kernel process.
KERNEL_GUARD = f"""\
import pytest_socket as _pytest_socket

_pytest_socket.socket_allow_hosts({LOOPBACK_HOSTS!r})
del _pytest_socket
"""

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _kernel_env(ipython_dir: Path) -> dict[str, str]:
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


def _error_report(nb: NotebookNode, name: str) -> str:
    """The failing cell of an executed notebook: its index, source and traceback."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                trace = _ANSI.sub("", "\n".join(output.get("traceback", [])))
                return (
                    f"{name}: cell {index} failed with {output['ename']}: {output['evalue']}\n"
                    f"--- cell {index} source ---\n{cell.source}\n--- traceback ---\n{trace}"
                )
    return f"{name}: execution failed (no cell recorded an error)"


def execute_notebook(
    nb: NotebookNode, name: str, tmp_path: Path, *, timeout: float = NOTEBOOK_TIMEOUT
) -> NotebookNode:
    """Execute `nb` in place in a fresh kernel; fail the test with the failing cell's error.

    `timeout` bounds the whole notebook, kernel start-up included: each cell may use what is
    left of it (at most `CELL_TIMEOUT`). Timeouts go through nbclient's own cell timeout, so the
    kernel is always shut down.
    """
    deadline = time.monotonic() + timeout
    current = {"index": -1}

    def cell_timeout(cell: NotebookNode) -> int:
        return max(1, min(CELL_TIMEOUT, math.ceil(deadline - time.monotonic())))

    def on_cell_start(cell: NotebookNode, cell_index: int) -> None:
        current["index"] = cell_index

    client = NotebookClient(
        nb,
        km=AsyncKernelManager(kernel_name=KERNEL_NAME, ip="127.0.0.1", transport="tcp"),
        kernel_name=KERNEL_NAME,
        timeout_func=cell_timeout,
        startup_timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
        on_cell_start=on_cell_start,
    )
    env = _kernel_env(tmp_path / "ipython")
    # A private event loop: asyncio.run would reset the current loop of pytest-asyncio.
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(client.async_execute(env=env))
    except CellTimeoutError:
        index = current["index"]
        pytest.fail(
            f"{name}: timed out in cell {index} (limits: {timeout:g} s for the notebook, "
            f"{CELL_TIMEOUT} s per cell):\n{nb.cells[index].source}",
            pytrace=False,
        )
    except CellExecutionError:
        pytest.fail(_error_report(nb, name), pytrace=False)
    except DeadKernelError as exc:
        pytest.fail(f"{name}: the kernel died in cell {current['index']}: {exc}", pytrace=False)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
    return nb


def _code_notebook(*sources: str) -> NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


def _stdout(cell: NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")


def test_notebooks_exist() -> None:
    assert NOTEBOOKS, f"no notebooks found in {NOTEBOOK_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    execute_notebook(nb, path.name, tmp_path)
    size = len(json.dumps([cell.get("outputs", []) for cell in nb.cells]))
    assert size < MAX_OUTPUT_BYTES, f"{path.name}: outputs are {size} bytes; keep them small"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_clean(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == KERNEL_NAME, (
        f"{path.name}: kernelspec must be {KERNEL_NAME!r}"
    )
    dirty = [
        index
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, (
        f"{path.name}: code cells {dirty} have outputs or execution counts; commit notebooks "
        "with outputs cleared (Jupyter: Edit > Clear Outputs of All Cells, then save)"
    )


def test_kernel_is_this_venv_and_reaches_loopback_only(tmp_path: Path) -> None:
    nb = _code_notebook(
        "import os, sys\nprint(sys.prefix)\nprint(sorted(k for k in os.environ if k.startswith('FRIENDLI_')))",
        # a loopback connection works (a listening socket of the kernel itself)
        "import socket\n"
        "listener = socket.create_server(('127.0.0.1', 0))\n"
        "socket.create_connection(listener.getsockname(), timeout=5).close()\n"
        "print('loopback ok')",
        # anything else is refused before a packet is sent (192.0.2.1 is TEST-NET-1)
        "try:\n"
        "    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__)",
    )
    execute_notebook(nb, "kernel-check", tmp_path, timeout=60)
    prefix, friendli_vars = _stdout(nb.cells[0]).splitlines()
    assert Path(prefix).resolve() == Path(sys.prefix).resolve()
    assert friendli_vars == "[]"
    assert _stdout(nb.cells[1]).strip() == "loopback ok"
    assert _stdout(nb.cells[2]).strip() == "SocketConnectBlockedError"


def test_failing_cell_is_reported(tmp_path: Path) -> None:
    nb = _code_notebook("x = 1", "raise ValueError(f'boom {x}')", "print('never')")
    with pytest.raises(pytest.fail.Exception) as info:
        execute_notebook(nb, "failing", tmp_path, timeout=60)
    message = str(info.value)
    assert "failing: cell 1 failed with ValueError: boom 1" in message
    assert "raise ValueError" in message


def test_notebook_timeout_is_reported(tmp_path: Path) -> None:
    nb = _code_notebook("import time", "time.sleep(60)")
    with pytest.raises(pytest.fail.Exception, match=r"kernel-timeout: timed out in cell [01]"):
        execute_notebook(nb, "kernel-timeout", tmp_path, timeout=5)
