"""The public surface of friendli_core is pinned: adding or removing a name is a decision."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

import friendli_core

# The adapter packages need their framework, which the lowest-core lane does not install.
PACKAGES = (
    "friendli_core",
    pytest.param(
        "langchain_friendli",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("langchain_core") is None, reason="langchain not installed"
        ),
    ),
    pytest.param(
        "llama_index_friendli",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("llama_index") is None, reason="llama-index not installed"
        ),
    ),
)


def _star_imports(package: types.ModuleType) -> tuple[set[str], set[str]]:
    """The modules the package's `__init__` star-imports: now, and for type checkers only."""
    tree = ast.parse(Path(str(package.__file__)).read_text(encoding="utf-8"))
    now: set[str] = set()
    typing_only: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                if not (isinstance(child, ast.ImportFrom) and child.module):
                    continue
                if child.names[0].name == "*":
                    typing_only.add(child.module)
                else:  # names one by one: each is a lazy name of that module
                    for alias in child.names:
                        assert package._LAZY.get(alias.name) == child.module, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.names[0].name == "*":
            now.add(node.module)
    return now, typing_only


def _modules_of(package: types.ModuleType) -> dict[str, types.ModuleType]:
    """The modules a package's public names come from: its eager ones and its lazy ones."""
    now, typing_only = _star_imports(package)
    assert typing_only <= set(package._LAZY.values()), "type checkers see other lazy modules"
    return {name: importlib.import_module(name) for name in now | typing_only}


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_the_union_of_its_modules_all(name: str) -> None:
    """No third list: `__all__` is what the package's modules declare public, once each."""
    package = importlib.import_module(name)
    declared: set[str] = set()
    for module in _modules_of(package).values():
        declared |= set(module.__all__)
    assert len(package.__all__) == len(set(package.__all__)), name
    # names taken one by one from a public module (the catalog's two), listed in its __all__
    declared |= {n for n, m in package._LAZY.items() if n in importlib.import_module(m).__all__}
    extra = set(package.__all__) - declared - {"__version__"}  # the adapters show the core's
    assert extra == set(), extra
    missing = declared - set(package.__all__)
    assert missing == set(), f"{name} does not export {sorted(missing)}"
    for public in package.__all__:
        value = getattr(package, public)
        origin = package._LAZY.get(public)
        if origin is not None:
            assert value is getattr(importlib.import_module(origin), public), public


@pytest.mark.parametrize("name", PACKAGES)
def test_lazy_names_are_their_modules_all(name: str) -> None:
    """Each lazy module's public names are all lazy, and in that module (no drift)."""
    package = importlib.import_module(name)
    by_module: dict[str, set[str]] = {}
    for public, module in package._LAZY.items():
        by_module.setdefault(module, set()).add(public)
    eager = {n for n in package.__all__ if n not in package._LAZY}
    _, typing_only = _star_imports(package)
    for module, names in by_module.items():
        public = set(importlib.import_module(module).__all__)
        if module in typing_only:
            elsewhere = {n for n in package.__all__ if package._LAZY.get(n, module) != module}
            assert names == public - eager - elsewhere, module
        else:  # a name loaded from a cheaper module than the one type checkers read
            assert names <= public, module


def test_the_core_exports_its_clients_and_errors() -> None:
    for name in ("FriendliClient", "AsyncFriendliClient", "ClientConfig", "FriendliError"):
        assert name in friendli_core.__all__


def test_every_exported_name_resolves() -> None:
    for name in friendli_core.__all__:
        assert getattr(friendli_core, name) is not None, name


def test_no_public_name_outside_all() -> None:
    public = {
        name
        for name, value in vars(friendli_core).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public <= set(friendli_core.__all__), public - set(friendli_core.__all__)


def test_version_is_the_installed_distribution_version() -> None:
    """`_version.py` is the single source: hatchling builds the distribution's version from it."""
    from importlib.metadata import version

    assert friendli_core.__version__ == version("friendli-integrations")


def test_submodule_all_names_exist() -> None:
    from friendli_core import (
        _client,
        _protocol,
        _retry,
        _streaming,
        _validate,
        config,
        errors,
        kit,
    )
    from friendli_core import (
        types as t,
    )

    for module in (_client, _protocol, _retry, _streaming, _validate, config, errors, t, kit):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_import_is_lazy_until_a_name_is_used() -> None:
    code = (
        "import sys, friendli_core\n"
        "assert not {'httpx', 'pydantic'} & set(sys.modules), sorted(sys.modules)\n"
        "client = friendli_core.FriendliClient(token='t')\n"
        "assert 'httpx' in sys.modules and 'asyncio' not in sys.modules\n"
        "assert friendli_core.ChatCompletion.model_validate({'choices': []}).choices == []\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)  # noqa: S603


# The clients send with httpx and need pydantic only to parse replies (`_replies`): importing
# them must not load it; the first client does. Each check runs in a fresh interpreter.
_REPLY_SIDE = {"pydantic", "pydantic_core", "friendli_core.types", "friendli_core._replies"}


def _loaded_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(  # noqa: S603 - the running interpreter, our own snippet
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return set(json.loads(done.stdout))


@pytest.mark.parametrize(
    "statement",
    [
        "from friendli_core import FriendliClient, AsyncFriendliClient",
        "from friendli_core import ClientConfig, RetryPolicy, FriendliError, APIStatusError",
    ],
)
def test_importing_the_clients_does_not_load_pydantic(statement: str) -> None:
    loaded = _loaded_after(statement)
    assert not loaded & _REPLY_SIDE, sorted(loaded & _REPLY_SIDE)


@pytest.mark.parametrize("client", ["FriendliClient", "AsyncFriendliClient"])
def test_the_first_client_loads_the_reply_side(client: str) -> None:
    loaded = _loaded_after(f"from friendli_core import {client}\n{client}(token='flp_x')")
    assert loaded >= _REPLY_SIDE
