"""Settings for the whole suite.

Hypothesis runs without its per-example deadline: the deadline is a wall-clock limit (200 ms by
default), and on a shared 2-core CI machine an example that builds an httpx client can take
longer without anything being wrong. Speed is measured in benchmarks/, not asserted in tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    from friendli_core.testing import LocalServer

settings.register_profile("friendli", deadline=None)
settings.load_profile("friendli")


# folder of tests/ -> the marker every test in it gets
_FOLDER_MARKERS = {
    "real_model": "real_model",
    "reliability": "reliability",
    "docs": "end_to_end",
    "scale": "end_to_end",
    "benchmarks": "end_to_end",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of the folders in `_FOLDER_MARKERS` with its lane's marker.

    The lanes deselect by marker; a new file that forgot its `pytestmark` would run in the
    unit lanes without the llama.cpp model, or slow them with fault, load or end-to-end tests.
    """
    for item in items:
        parts = item.path.parts
        if "tests" not in parts:
            continue
        for folder, marker in _FOLDER_MARKERS.items():
            if folder in parts[parts.index("tests") :]:
                item.add_marker(getattr(pytest.mark, marker))


@pytest.fixture(scope="module")
def strict_openai_server() -> Iterator[LocalServer]:
    """A local server whose `/v1/...` paths play a strict OpenAI-compatible server."""
    from friendli_core.testing import LocalServer

    with LocalServer(openai_strict=True) as server:
        yield server
