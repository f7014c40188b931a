"""The README stays a short entry point, and the docs name every error class where it sits.

The error tree of `docs/reliability-and-errors.md` is compared with the classes of
`friendli_core.errors`: every class is listed under its parent, and nothing else is listed.
"""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from friendli_core import errors

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
ERRORS_PAGE = ROOT / "docs" / "reliability-and-errors.md"
README_MAX_BYTES = 12 * 1024
_LINK = re.compile(r"\]\((?!https?://|#)(?P<target>[^)#\s]+)(?:#[^)]*)?\)")
_TREE_LINE = re.compile(r"^(?P<prefix>(?:[│ ] {3})*)(?:[├└]── )?(?P<name>[A-Za-z]+)")


def core_error_tree() -> dict[str, str | None]:
    """Every error class of `friendli_core.errors` -> the name of its parent error (or None)."""
    tree: dict[str, str | None] = {}
    for name, cls in vars(errors).items():
        if not (inspect.isclass(cls) and issubclass(cls, errors.FriendliError)):
            continue
        if cls.__module__ != errors.__name__:
            continue
        parents = [b for b in cls.__bases__ if issubclass(b, errors.FriendliError)]
        tree[name] = parents[0].__name__ if parents else None
    return tree


def documented_error_tree(markdown: str) -> dict[str, str | None]:
    """The tree drawn in the ```text block that starts with `FriendliError`: name -> parent."""
    start = markdown.index("```text\nFriendliError\n") + len("```text\n")
    block = markdown[start : markdown.index("```", start)]
    tree: dict[str, str | None] = {}
    stack: list[str] = []
    for line in block.splitlines():
        match = _TREE_LINE.match(line)
        assert match, f"not a line of the error tree: {line!r}"
        depth = len(match["prefix"]) // 4 + (1 if line[len(match["prefix"]) :][:1] in "├└" else 0)
        del stack[depth:]
        tree[match["name"]] = stack[-1] if stack else None
        stack.append(match["name"])
    return tree


def test_docs_list_every_error_class_under_its_parent() -> None:
    code = core_error_tree()
    documented = documented_error_tree(ERRORS_PAGE.read_text(encoding="utf-8"))
    missing = sorted(set(code) - set(documented))
    assert not missing, f"{ERRORS_PAGE.name}: the error tree lacks {missing}"
    unknown = sorted(set(documented) - set(code))
    assert not unknown, f"{ERRORS_PAGE.name}: the error tree lists {unknown}, not in the code"
    misplaced = {n: (documented[n], p) for n, p in code.items() if documented[n] != p}
    assert not misplaced, f"{ERRORS_PAGE.name}: (documented parent, real parent) {misplaced}"


def test_error_tree_parser_reads_nesting() -> None:
    sample = (
        "```text\nFriendliError\n├── A\n│   └── B\n│       └── C\n└── D\n    ├── E\n"
        "    └── F\n```\n"
    )
    assert documented_error_tree(sample) == {
        "FriendliError": None,
        "A": "FriendliError",
        "B": "A",
        "C": "B",
        "D": "FriendliError",
        "E": "D",
        "F": "D",
    }


def test_readme_is_short_and_its_links_resolve() -> None:
    text = README.read_text(encoding="utf-8")
    size = len(text.encode())
    assert size <= README_MAX_BYTES, (
        f"README.md is {size} bytes; keep it under {README_MAX_BYTES} and move reference "
        "material to docs/"
    )
    targets = [m["target"] for m in _LINK.finditer(text)]
    assert "docs/index.md" in targets, "README.md must link to the documentation (docs/index.md)"
    broken = [t for t in targets if not (ROOT / t).exists()]
    assert not broken, f"README.md links to missing files: {broken}"


def test_docs_site_builds_strictly(tmp_path: Path) -> None:
    """`make docs` as a test: a page missing from the nav, a broken link or anchor, or a
    docstring mkdocstrings cannot read fails the build."""
    mkdocs = Path(sys.executable).parent / "mkdocs"
    if not mkdocs.exists():
        pytest.skip("mkdocs is not installed in this venv (extra `docs`; `make install` adds it)")
    done = subprocess.run(  # noqa: S603 - this venv's mkdocs on our own config
        [str(mkdocs), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert (tmp_path / "site" / "reference" / "errors" / "index.html").exists()


def test_install_lines_name_real_extras_both_published_and_from_a_clone() -> None:
    extras = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    )
    for page in (README, ROOT / "docs" / "index.md"):
        text = page.read_text(encoding="utf-8")
        published = re.findall(r'pip install "friendli-integrations\[([^\]]+)\]"', text)
        from_clone = re.findall(r'pip install -e "\.\[([^\]]+)\]"', text)
        assert published, f'{page.name}: no `pip install "friendli-integrations[...]"` line'
        assert from_clone, f'{page.name}: no install from a clone (`pip install -e ".[...]"`)'
        named = {extra for group in published + from_clone for extra in group.split(",")}
        assert named <= extras, f"{page.name}: unknown extras {sorted(named - extras)}"
