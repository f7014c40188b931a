"""Import rules: the sans-IO modules import no httpx/asyncio; the core imports no framework."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "friendli_core"
PURE = [
    "_adapters",
    "_fold",
    "_protocol",
    "_embeddings",
    "_embedding_types",
    "_replies",
    "_upstream_hooks",
    "_upstream_hooks.pydantic_copy",
    "_httpx_fields",
    "_sse",
    "_streaming",
    "_retry",
    "_validate",
    "_fields",
    "_names",
    "_adapter_checks",
    "errors",
    "types",
    "config",
    "_version",
    "catalog",
    "_model_info",
    "reasoning",
]
FORBIDDEN = (
    "httpx",
    "httpx_sse",
    "asyncio",
    "anyio",
    "trio",
    "langchain",
    "langchain_core",
    "llama_index",
)
RUNTIME = [
    "__init__",
    "_base",
    "_client",
    "_streams",
    "_upstream_hooks.httpx_client",
    "_lifecycle",
    "kit",
    *PURE,
]


def _runtime_imports(path: Path) -> set[str]:
    """Modules imported at run time (imports under `if TYPE_CHECKING:` are skipped)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _path(module: str) -> Path:
    path = PACKAGE.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _top(name: str) -> str:
    return name.split(".", maxsplit=1)[0]


def test_the_import_scanner_sees_imports() -> None:
    imports = _runtime_imports(PACKAGE / "_client.py")
    assert "httpx" in imports
    assert "asyncio" in imports
    assert "httpx" not in _runtime_imports(PACKAGE / "config.py")  # TYPE_CHECKING only


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_no_io_library(module: str) -> None:
    imports = _runtime_imports(_path(module))
    bad = sorted(name for name in imports if _top(name) in FORBIDDEN)
    assert not bad, f"friendli_core.{module} imports {bad}"
    internal = {
        name.removeprefix("friendli_core.") for name in imports if name.startswith("friendli_core.")
    }
    assert internal <= set(PURE), f"{module} imports non-pure core modules {internal - set(PURE)}"


@pytest.mark.parametrize("module", RUNTIME)
def test_runtime_core_imports_no_framework_or_testing(module: str) -> None:
    imports = _runtime_imports(_path(module))
    bad = sorted(
        name
        for name in imports
        if _top(name)
        in {
            "langchain",
            "langchain_core",
            "llama_index",
            "langchain_friendli",
            "llama_index_friendli",
        }
        or name.startswith("friendli_core.testing")
    )
    assert not bad, f"friendli_core.{module} imports {bad}"


def _run(code: str) -> None:
    result = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_pure_modules_load_without_httpx_in_a_fresh_interpreter() -> None:
    """Load the pure modules without running friendli_core/__init__ (which imports the clients)."""
    imports = "; ".join(f"import friendli_core.{m}" for m in PURE)
    _run(
        "import sys, types\n"
        f"pkg = types.ModuleType('friendli_core'); pkg.__path__ = [{str(PACKAGE)!r}]\n"
        "sys.modules['friendli_core'] = pkg\n"
        f"{imports}\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'httpx_sse', 'asyncio'))\n"
        "assert not loaded, loaded\n"
        "assert 'friendli_core._client' not in sys.modules\n"
    )


def test_importing_friendli_core_loads_no_framework() -> None:
    _run(
        "import sys\n"
        "import friendli_core\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('langchain', 'langchain_core', 'llama_index', 'langchain_friendli', 'llama_index_friendli'))\n"
        "assert not bad, bad\n"
        "assert not any(m.startswith('friendli_core.testing') for m in sys.modules)\n"
    )
