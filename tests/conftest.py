"""Settings for the whole suite.

Hypothesis runs without its per-example deadline: the deadline is a wall-clock limit (200 ms by
default), and on a shared 2-core CI machine an example that builds an httpx client can take
longer without anything being wrong. Speed is measured in benchmarks/, not asserted in tests.
"""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("friendli", deadline=None)
settings.load_profile("friendli")
