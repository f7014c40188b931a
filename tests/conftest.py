"""Settings for the whole suite.

Hypothesis runs without its per-example deadline: the deadline is a wall-clock limit (200 ms by
default), and on a shared 2-core CI machine an example that builds an httpx client can take
longer without anything being wrong. Speed is measured in benchmarks/, not asserted in tests.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

settings.register_profile("friendli", deadline=None)
settings.load_profile("friendli")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of tests/real_model and tests/reliability with its lane's marker.

    The unit lanes deselect those markers; a new file that forgot its `pytestmark` would run
    there without the llama.cpp model, or slow the lane with fault and load tests.
    """
    for item in items:
        parts = item.path.parts
        for folder in ("real_model", "reliability"):
            if folder in parts and "tests" in parts:
                item.add_marker(getattr(pytest.mark, folder))
