"""The layers: adapters build on `friendli_core.kit`, the core knows no adapter, no circles.

* The adapters import no private core module (`friendli_core._*`): what they need is public,
  in `friendli_core.kit` or the public modules (`errors`, `types`, `config`, `catalog`).
* The core below the kit imports nothing of the kit and names no adapter in its code.
* No import circle among the repository's modules outside `benchmarks/` (imports under
  `TYPE_CHECKING` and inside functions count: they are edges a reader follows too).
Read from the source (no import), so a test fails on the line that breaks a rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = ("langchain_friendli", "llama_index_friendli")
# The kit and the private modules that only it exposes.
KIT = {"friendli_core.kit", "friendli_core._adapters", "friendli_core._lifecycle"}
KIT |= {"friendli_core._httpx_fields"}
# Built on the core and the adapters' models, not below the kit. (`Friendli`, the LangChain
# LLM, is left out of the names: it is also the product's name in messages.)
ABOVE_KIT = ("friendli_core.scale",)
ADAPTER_NAMES = {
    *ADAPTERS,
    "ChatFriendli",
    "FriendliEmbeddings",
    "FriendliLLM",
    "FriendliEmbedding",
}
NO_CIRCLES = ("friendli_core", *ADAPTERS, "scripts", "tests", "examples")


def _modules(*packages: str) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path) -> set[str]:
    """Every module `name` imports, anywhere in its source (absolute names)."""
    found: set[str] = set()
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                kept = package[: len(package) - node.level + 1]
                base = ".".join([*kept, *([node.module] if node.module else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the repository modules it imports (a name resolves to its longest module)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imports(name, path):
            target = imported
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                targets.add(target)
        graph[name] = targets
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return circles


def test_the_scanner_finds_a_circle() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("name", sorted(_modules(*ADAPTERS)))
def test_adapters_import_no_private_core_module(name: str) -> None:
    path = _modules(*ADAPTERS)[name]
    private = sorted(
        m
        for m in _imports(name, path)
        if m.startswith("friendli_core._") and not m.startswith("friendli_core.__")
    )
    assert private == [], f"{name} imports {private}: use friendli_core.kit or a public module"


def _below_kit() -> dict[str, Path]:
    return {
        name: path
        for name, path in _modules("friendli_core").items()
        if name not in KIT and not name.startswith(ABOVE_KIT)
    }


@pytest.mark.parametrize("name", sorted(_below_kit()))
def test_the_core_below_the_kit_imports_nothing_of_it(name: str) -> None:
    imported = _imports(name, _below_kit()[name]) & KIT
    assert imported == set(), f"{name} imports {sorted(imported)}"


def _code_names(path: Path) -> set[str]:
    """Identifiers and string constants of a module's code (its docstrings left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.update(node.name.split("."))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            names.update(node.value.replace(".", " ").replace('"', " ").split())
    return names


@pytest.mark.parametrize("name", sorted(_below_kit()))
def test_the_core_below_the_kit_names_no_adapter(name: str) -> None:
    named = _code_names(_below_kit()[name]) & ADAPTER_NAMES
    assert named == set(), f"{name} names {sorted(named)}: adapter knowledge goes in the kit"


def test_the_rule_scanners_see_what_they_look_for(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Works with ChatFriendli."""\n'
        "def f():\n    from friendli_core._lifecycle import x\n    return 'FriendliLLM'\n",
        encoding="utf-8",
    )
    assert "friendli_core._lifecycle" in _imports("pkg.sample", sample)
    assert _code_names(sample) & ADAPTER_NAMES == {"FriendliLLM"}


def test_no_import_circle_outside_benchmarks() -> None:
    assert _circles(_edges(_modules(*NO_CIRCLES))) == []
