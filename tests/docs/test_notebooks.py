"""Execute every example notebook in `notebooks/`; the committed ones carry their outputs.

The committed notebooks are saved by `make notebooks` (`scripts/run_notebooks.py`): executed top
to bottom, with outputs, scrubbed of paths, ports and secrets. The tests check that, and execute
each notebook again with the same kernel set-up (`kernel_env`). Each notebook runs top to
bottom in a fresh `python3` kernel (jupyter_client launches the
kernelspec's "python" as `sys.executable`, i.e. this venv's interpreter; a test checks it), with
every `FRIENDLI_*` variable removed so the notebooks take their local-server path. The pytest
process talks to the kernel over ZeroMQ on 127.0.0.1 only (libzmq sockets are not Python sockets,
so pytest-socket's `--allow-hosts` restriction does not get in the way). The kernel is a separate
process that pytest-socket does not reach, so an IPython startup file installs the same
restriction inside it: a notebook that tries to reach anything but the loopback interface fails.
"""

from __future__ import annotations

import asyncio
import copy
import json
import math
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbformat import NotebookNode

from friendli_core.testing import LOCAL_TOKEN
from scripts.run_notebooks import CELL_TIMEOUT, KERNEL_NAME, NOTEBOOK_DIR, kernel_env, scrub

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
NOTEBOOK_TIMEOUT = 120.0
"""Seconds for a whole notebook, kernel start-up included."""
MAX_OUTPUT_BYTES = 300_000
"""Outputs of an executed notebook (as JSON) must stay below this: small, readable examples."""

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


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
    env = kernel_env(tmp_path / "ipython")
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
def test_notebook_is_committed_with_its_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == KERNEL_NAME, (
        f"{path.name}: kernelspec must be {KERNEL_NAME!r}"
    )
    rerun = f"run `make notebooks` to save {path.name} executed, with its outputs"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    counts = [cell.execution_count for cell in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts} are not one run from top to bottom; {rerun}"
    )
    assert any(cell.outputs for cell in code), f"{path.name}: no cell has an output; {rerun}"
    errors = [
        i
        for i, cell in enumerate(nb.cells)
        for o in cell.get("outputs", [])
        if o.output_type == "error"
    ]
    assert not errors, f"{path.name}: cells {errors} saved an error; {rerun}"
    assert scrub(copy.deepcopy(nb)) == nb, (
        f"{path.name}: outputs hold paths, ports or timings that `make notebooks` scrubs; {rerun}"
    )
    outputs = json.dumps([cell.get("outputs", []) for cell in nb.cells])
    assert LOCAL_TOKEN not in outputs, f"{path.name}: an output shows the local server's token"
    assert not re.search(r"flp_[A-Za-z0-9]{8,}", outputs), f"{path.name}: an output shows a token"


def test_scrub_removes_paths_ports_and_ray_core_logs_and_joins_prints() -> None:
    from scripts.run_notebooks import ROOT

    nb = _code_notebook("print()")
    nb.cells[0].metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
    nb.cells[0].outputs = [
        nbformat.v4.new_output(
            "stream",
            name="stdout",
            text=f"{ROOT}/notebooks/x.ipynb http://127.0.0.1:41234/v1 http://localhost:8000/v1\n",
        ),
        nbformat.v4.new_output("stream", name="stdout", text="second print\n"),
        nbformat.v4.new_output(
            "stream",
            name="stderr",
            text="[2026-12-04 23:39:04,788 E 23990 23990] core_worker.cc:2465: Actor ...\n",
        ),
        nbformat.v4.new_output(
            "execute_result", data={"text/plain": "<object at 0x7f3a2b1c9d80>"}, execution_count=1
        ),
    ]
    cell = scrub(nb).cells[0]
    assert "execution" not in cell.metadata
    assert [o.get("name") for o in cell.outputs] == ["stdout", None]
    assert cell.outputs[0].text == (
        "<repo>/notebooks/x.ipynb http://127.0.0.1:<port>/v1 http://localhost:8000/v1\n"
        "second print\n"
    )
    assert cell.outputs[1].data["text/plain"] == "<object at 0x…>"
    assert scrub(copy.deepcopy(nb)) == nb  # idempotent: a scrubbed notebook passes the check


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


def _closure(name: str, extras: set[str]) -> set[str]:
    """Normalized names of `name` and of everything it requires with `extras`, recursively."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: set[tuple[str, str]] = set()
    found: set[str] = set()
    todo = [(canonicalize_name(name), extra) for extra in {"", *extras}]
    while todo:
        dist, extra = todo.pop()
        if (dist, extra) in seen:
            continue
        seen.add((dist, extra))
        found.add(dist)
        try:
            requires = metadata.requires(dist) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": extra}):
                wanted = canonicalize_name(req.name)
                todo += [(wanted, e) for e in {"", *req.extras}]
    return found


def test_notebook_imports_come_with_the_notebooks_extra() -> None:
    """`pip install "friendli-integrations[notebooks]"` runs notebooks 01-06; 07's Ray Data
    part also needs the `scale` extra, which it names."""
    import ast
    from importlib import metadata

    from packaging.utils import canonicalize_name

    providers = metadata.packages_distributions()
    ours = {"friendli_core", "langchain_friendli", "llama_index_friendli"}
    for path in NOTEBOOKS:
        extras = {"notebooks", "scale"} if "07" in path.stem else {"notebooks"}
        available = _closure("friendli-integrations", extras)
        nb = nbformat.read(path, as_version=4)
        modules = set()
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Import):
                    modules |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    modules.add(node.module.split(".")[0])
        third_party = {m for m in modules - ours if m not in sys.stdlib_module_names}
        missing = {
            m: providers.get(m)
            for m in third_party
            if not {canonicalize_name(d) for d in providers.get(m, [])} & available
        }
        assert not missing, f"{path.name} imports {missing}, not installed by extras {extras}"


# notebooks whose point is a plot: logprobs (04), retries over time (06), a batch run's
# throughput and concurrency window under 429s (07)
PLOTTING = ["04_logprobs", "06_endpoints_and_settings", "07_scale_out"]


@pytest.mark.parametrize("stem", PLOTTING)
def test_plotting_notebook_is_committed_with_its_plot(stem: str) -> None:
    nb = nbformat.read(NOTEBOOK_DIR / f"{stem}.ipynb", as_version=4)
    images = [
        output
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    assert images, f"{stem}.ipynb has no plot in its outputs; run `make notebooks`"
