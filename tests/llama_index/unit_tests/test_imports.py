"""Public surface of `llama_index_friendli` and the purity of its converter modules."""

from __future__ import annotations

import ast
from pathlib import Path

from llama_index.core.base.llms.base import BaseLLM
from llama_index.core.llms.function_calling import FunctionCallingLLM

import llama_index_friendli
from llama_index_friendli import FriendliLLM
from tests.fresh import python_lines

PACKAGE = Path(llama_index_friendli.__file__).parent


def test_all() -> None:
    assert llama_index_friendli.__all__ == [
        "FriendliCostHandler",
        "FriendliEmbedding",
        "FriendliLLM",
    ]
    assert llama_index_friendli.FriendliLLM is FriendliLLM


def test_class_hierarchy_and_name() -> None:
    assert FunctionCallingLLM in FriendliLLM.__mro__
    assert BaseLLM in FriendliLLM.__mro__
    assert FriendliLLM.class_name() == "FriendliLLM"


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_pure_modules_do_no_io() -> None:
    for name in ("_convert.py", "_messages.py", "_structured.py"):
        assert not _imported_roots(PACKAGE / name) & {"httpx", "asyncio", "socket"}, name


def test_every_module_has_explicit_all() -> None:
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        names = [
            t.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            for t in node.targets
            if isinstance(t, ast.Name)
        ]
        assert "__all__" in names, path.name


def test_import_loads_no_httpx_until_the_first_client() -> None:
    """httpx and the core clients load when the first client is built, not at import."""
    code = (
        "import sys\n"
        "from llama_index_friendli import FriendliLLM\n"
        "lazy = ['httpx', 'friendli_core._client']\n"
        "print([m for m in lazy if m in sys.modules])\n"
        "llm = FriendliLLM(model='m', api_key='t')\n"
        "llm._sync_client()\n"
        "print([m for m in lazy if m in sys.modules])\n"
    )
    out = python_lines(code)
    assert out[:2] == ["[]", "['httpx', 'friendli_core._client']"]


def test_llm_import_does_not_load_the_embeddings() -> None:
    """`FriendliEmbedding` is imported on first use, like LangChain's `FriendliEmbeddings`."""
    code = (
        "import sys\n"
        "from llama_index_friendli import FriendliLLM\n"
        "lazy = ['llama_index_friendli.embeddings', 'friendli_core._embeddings']\n"
        "print([m for m in lazy if m in sys.modules])\n"
        "from llama_index_friendli import FriendliEmbedding\n"
        "print(FriendliEmbedding.__module__, 'FriendliEmbedding' in dir(sys.modules['llama_index_friendli']))\n"
        "import llama_index_friendli\n"
        "try:\n"
        "    llama_index_friendli.Nope\n"
        "except AttributeError as error:\n"
        "    print(error)\n"
    )
    out = python_lines(code)
    assert out[0] == "[]"
    assert out[1] == "llama_index_friendli.embeddings True"
    assert out[2] == "module 'llama_index_friendli' has no attribute 'Nope'"
