"""Package version: the single source, read by hatchling at build time (`[tool.hatch.version]`).

A constant rather than `importlib.metadata.version(...)`, which would slow the import down.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
