"""Every model the documentation names is in the packaged catalog snapshot.

Read: README.md, examples/, notebooks/ (cell sources), docs/ (when present) and every string of
the three packages (their docstrings and messages). A model is named by a model argument or key
(`model="..."`, `model_name="..."`, `"model": "..."`) or by a quoted model code
(`"org/Name-1.2"`: an organisation, a slash, a name with a digit).

A name that stands for the reader's own is a placeholder, marked so that it reads as one (see
CONTRIBUTING.md, "Naming models in documentation"): written in angle brackets
(`"<dedicated-endpoint-id>"`), or starting with `my-` (`"my-endpoint-id"`, `"my-org/unlisted"`).
The local server's own models (`friendli_core.testing.DEFAULT_MODELS`) are not Friendli's and
are accepted as they are.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from friendli_core.catalog import known_model
from friendli_core.testing import DEFAULT_MODELS

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("friendli_core", "langchain_friendli", "llama_index_friendli")
DOCS = ("examples", "notebooks", "docs")

_ARGUMENT = re.compile(
    r"""(?:\b(?:model|model_name)\s*=\s*|["'](?:model|model_name)["']\s*:\s*)(["'])([^"'\s,]+)\1"""
)
_CODE = re.compile(r"""[`"']([A-Za-z][\w-]*/[A-Za-z][\w.-]*\d[\w.-]*)[`"']""")


def named_models(text: str) -> set[str]:
    """The model names `text` gives (see the module)."""
    found = {m.group(2) for m in _ARGUMENT.finditer(text)}
    found |= {m.group(1) for m in _CODE.finditer(text)}
    return {name for name in found if name != "..."}


def is_placeholder(name: str) -> bool:
    """Whether `name` is marked as a placeholder or is a local-server model."""
    return (
        (name.startswith("<") and name.endswith(">"))
        or name.startswith("my-")
        or (name in DEFAULT_MODELS)
    )


def _strings(path: Path) -> Iterator[str]:
    """The text of a documentation file, or the string constants of a Python module."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        for cell in json.loads(text)["cells"]:
            yield "".join(cell["source"])
    elif path.suffix == ".py" and path.parts[len(ROOT.parts)] in PACKAGES:
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield node.value
    else:
        yield text


def documentation() -> list[Path]:
    files = [ROOT / "README.md"]
    for folder in (*DOCS, *PACKAGES):
        for suffix in ("*.py", "*.md", "*.ipynb"):
            files += sorted((ROOT / folder).rglob(suffix))
    return [f for f in files if ".ipynb_checkpoints" not in f.parts]


def test_named_models_are_in_the_snapshot() -> None:
    missing = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in documentation()
        for text in _strings(path)
        for name in named_models(text)
        if not is_placeholder(name) and known_model(name) is None
    }
    assert sorted(missing) == [], (
        "these models are not in friendli_core/_data/catalog.json: name a current model, or "
        "mark a placeholder as CONTRIBUTING.md says"
    )


def test_the_default_model_is_named_and_checked() -> None:
    names = {name for text in _strings(ROOT / "README.md") for name in named_models(text)}
    assert "deepseek-ai/DeepSeek-V3.2" in names
    assert known_model("deepseek-ai/DeepSeek-V3.2") is not None


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ('ChatFriendli(model="acme/Gone-1")', {"acme/Gone-1"}),
        ("FriendliLLM(model_name='retired-8b')", {"retired-8b"}),
        ('{"model": "acme/x", "n": 1}', {"acme/x"}),
        ('os.environ.get("FRIENDLI_MODEL", "acme/Old-3B")', {"acme/Old-3B"}),
        ("codes are case-sensitive, e.g. 'acme/GLM-9'", {"acme/GLM-9"}),
        ('"image/png", "text/event-stream", model=\'...\'', set()),
        ('print("model =", sent.body["model"])', set()),
    ],
)
def test_names_are_found_where_the_documentation_gives_them(text: str, names: set[str]) -> None:
    assert named_models(text) == names


@pytest.mark.parametrize(
    ("name", "placeholder"),
    [
        ("<dedicated-endpoint-id>", True),
        ("my-endpoint-id:my-adapter", True),
        ("my-org/small-8k", True),
        (DEFAULT_MODELS[0], True),
        ("local-embeddings", False),
        ("deepseek-r1", False),
    ],
)
def test_placeholders_are_marked(name: str, *, placeholder: bool) -> None:
    assert is_placeholder(name) is placeholder
