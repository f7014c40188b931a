"""Lazy public names of a package (PEP 562), the one way every package here exports.

A package imports its cheap modules eagerly (`from module import *`, named by their
`__all__`) and lists only the names of costly modules, each once, with the module that
defines it. `lazy_names` returns the package's `__getattr__` and `__dir__`: a lazy name is
imported on first access and then kept in the package's namespace.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, namespace: dict[str, Any], lazy: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for `package`, whose costly names `lazy` maps to modules."""

    def __getattr__(name: str) -> Any:  # noqa: N807 - the module hook's name
        module = lazy.get(name)
        if module is None:
            msg = f"module {package!r} has no attribute {name!r}"
            raise AttributeError(msg)
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:  # noqa: N807 - the module hook's name
        return sorted({*namespace, *lazy})

    return __getattr__, __dir__
