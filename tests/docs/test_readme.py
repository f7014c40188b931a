"""The Python examples of the README and of every page in `docs/` run; the README lists every
notebook.

Contract, per page (README.md and each `docs/**/*.md`): every fenced code block whose info
string is exactly `python` is run, in order, in one shared namespace per page (later blocks may
use names from earlier ones of the same page). Blocks tagged `python no-run`, or any other
language, are skipped; a `python no-run` block starts with a comment saying why it cannot run.
The blocks of a page run in a subprocess (this venv's interpreter, cwd = repository root) with
`FRIENDLI_TOKEN` and `FRIENDLI_BASE_URL` pointing at the local server of the `friendli_server`
fixture and no other `FRIENDLI_*` variable, and may only connect to the loopback interface.
Top-level `await` is allowed in a block.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from friendli_core.testing import LocalServer

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.rglob("*.md"))]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PAGE_TIMEOUT = 120.0
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1"]

_OPEN_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")

# Runs the blocks given as JSON on stdin. Each block is compiled with its page's line numbers
# (so tracebacks point into the page); the line of the block being run is written to the
# progress file, so a timeout can name it too.
_RUNNER = """\
import ast, asyncio, inspect, json, sys, traceback
import pytest_socket

pytest_socket.socket_allow_hosts(json.loads(sys.argv[3]))
blocks = json.load(sys.stdin)
namespace = {"__name__": "__main__"}
for block in blocks:
    with open(sys.argv[2], "w") as progress:
        progress.write(str(block["line"]))
    source = "\\n" * (block["line"] - 1) + block["code"]
    try:
        code = compile(source, sys.argv[1], "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        result = eval(code, namespace)
        if code.co_flags & inspect.CO_COROUTINE:
            asyncio.run(result)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            traceback.print_exc()
            sys.exit(1)
    except BaseException:
        traceback.print_exc()
        sys.exit(1)
"""


@dataclass(frozen=True)
class Block:
    """A fenced code block: the page's line of its first code line, and its code."""

    line: int
    code: str


def python_blocks(markdown: str, info_string: str = "python") -> list[Block]:
    """Return the fenced code blocks whose info string is exactly `info_string`, in order.

    Fences are ``` or ~~~ (three or more); a block closes at a fence of the same character at
    least as long, with nothing after it, or at the end of the document. The opening fence's
    indentation is removed from the code lines (fences inside list items).
    """
    lines = markdown.splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _OPEN_FENCE.match(lines[index])
        index += 1
        if opening is None:
            continue
        fence, info = opening["fence"], opening["info"].strip()
        if fence[0] == "`" and "`" in info:
            continue  # not a fence: an inline code span
        indent = len(opening["indent"])
        closing = re.compile(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        first = index
        while index < len(lines) and not closing.match(lines[index]):
            index += 1
        if info == info_string:
            code = [_dedent(line, indent) for line in lines[first:index]]
            blocks.append(Block(line=first + 1, code="\n".join(code) + "\n"))
        index += 1
    return blocks


def _dedent(line: str, indent: int) -> str:
    stripped = len(line) - len(line.lstrip(" "))
    return line[min(indent, stripped) :]


def _env(server: LocalServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRIENDLI_")}
    env["FRIENDLI_TOKEN"] = server.token
    env["FRIENDLI_BASE_URL"] = server.serverless_url
    env["MPLBACKEND"] = "Agg"
    return env


def _run_blocks(
    blocks: list[Block], env: dict[str, str], tmp_path: Path, page: Path = README
) -> None:
    """Run the blocks in one subprocess; fail naming the page and the block's line."""
    progress = tmp_path / "block"
    payload = json.dumps([asdict(block) for block in blocks])
    name = page.relative_to(ROOT)
    command = [sys.executable, "-c", _RUNNER, str(page), str(progress)]
    command.append(json.dumps(LOOPBACK_HOSTS))
    try:
        result = subprocess.run(  # noqa: S603 - our own interpreter and runner
            command,
            input=payload,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=PAGE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        line = progress.read_text() if progress.exists() else "?"
        pytest.fail(
            f"{name}: the python block at line {line} did not finish within "
            f"{PAGE_TIMEOUT:g} s (all blocks share that limit)",
            pytrace=False,
        )
    if result.returncode != 0:
        line = progress.read_text() if progress.exists() else "?"
        block = next((b for b in blocks if str(b.line) == line), None)
        code = block.code if block else ""
        pytest.fail(
            f"{name}: the python block at line {line} failed "
            f"(exit status {result.returncode}).\n--- block ---\n{code}"
            f"--- stderr ---\n{result.stderr[-6000:]}\n--- stdout (tail) ---\n"
            f"{result.stdout[-2000:]}",
            pytrace=False,
        )


def _page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


def _pages_with_code() -> list[Path]:
    return [page for page in PAGES if python_blocks(page.read_text(encoding="utf-8"))]


def test_readme_has_runnable_blocks() -> None:
    assert python_blocks(README.read_text(encoding="utf-8")), (
        "README.md has no ```python code block: its examples must be runnable (tag an example "
        "that cannot run offline as ```python no-run, with the reason)"
    )


@pytest.mark.parametrize("page", _pages_with_code(), ids=_page_id)
def test_page_python_blocks_run(page: Path, friendli_server: LocalServer, tmp_path: Path) -> None:
    blocks = python_blocks(page.read_text(encoding="utf-8"))
    friendli_server.clear_faults()
    _run_blocks(blocks, _env(friendli_server), tmp_path, page)


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_no_run_blocks_say_why(page: Path) -> None:
    for block in python_blocks(page.read_text(encoding="utf-8"), "python no-run"):
        assert block.code.startswith("#"), (
            f"{_page_id(page)}, line {block.line}: a ```python no-run block starts with a "
            "comment saying why it cannot run in the documentation tests"
        )


def test_docs_pages_are_found() -> None:
    assert len(PAGES) > 1, f"no Markdown pages found under {DOCS}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_listed_in_readme(notebook: Path) -> None:
    assert notebook.name in README.read_text(encoding="utf-8"), (
        f"README.md does not mention notebooks/{notebook.name}; add it to the notebook list"
    )


# -- the contract itself, on a synthetic README ------------------------------------------------

_SAMPLE = """\
# Title

```python
x = 1
```

```python no-run
raise RuntimeError("not run")
```

```bash
echo skipped
```

- item

  ~~~python
  y = x + 1
  ~~~

````python
s = '''
```
'''
````

```Python
raise RuntimeError("info string must be exactly python")
```

```python``` opens no block (an inline code span).
"""


def test_block_extraction_contract() -> None:
    blocks = python_blocks(_SAMPLE)
    assert [b.line for b in blocks] == [4, 18, 22]
    assert blocks[0].code == "x = 1\n"
    assert blocks[1].code == "y = x + 1\n"
    assert blocks[2].code == "s = '''\n```\n'''\n"


def test_blocks_share_a_namespace_and_failures_name_the_line(
    friendli_server: LocalServer, tmp_path: Path
) -> None:
    ok = [Block(1, "import os\nvalue = os.environ['FRIENDLI_TOKEN']\n"), Block(5, "assert value\n")]
    _run_blocks(ok, _env(friendli_server), tmp_path)
    awaiting = [Block(1, "import asyncio\n"), Block(3, "await asyncio.sleep(0)\n")]
    _run_blocks(awaiting, _env(friendli_server), tmp_path)

    failing = [Block(1, "x = 1\n"), Block(7, "\n\ny = x / 0\n")]
    with pytest.raises(pytest.fail.Exception) as info:
        _run_blocks(failing, _env(friendli_server), tmp_path)
    message = str(info.value)
    assert "python block at line 7 failed" in message
    assert 'README.md", line 9' in message  # traceback lines are README lines
    assert "ZeroDivisionError" in message

    page = DOCS / "endpoints.md"
    with pytest.raises(pytest.fail.Exception) as info:
        _run_blocks(failing, _env(friendli_server), tmp_path, page)
    message = str(info.value)
    assert "docs/endpoints.md: the python block at line 7 failed" in message
    assert 'endpoints.md", line 9' in message  # traceback lines are the page's lines


def test_blocks_reach_loopback_only(friendli_server: LocalServer, tmp_path: Path) -> None:
    blocked = [Block(1, "import socket\nsocket.create_connection(('192.0.2.1', 80), timeout=1)\n")]
    with pytest.raises(pytest.fail.Exception, match="SocketConnectBlockedError"):
        _run_blocks(blocked, _env(friendli_server), tmp_path)
