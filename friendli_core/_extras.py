"""Optional dependencies: a missing one is named with the extra that installs it.

The adapters check their framework when imported; the local server, its CLI, `FriendliStage`
and the batch progress bar check theirs when first used, so that importing them (the pytest
plugin is imported on every pytest run) never needs an extra. The check looks the module up
without importing it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping

__all__ = ["EXTRAS", "MissingExtraError", "installed", "require"]

EXTRAS: Mapping[str, str] = {
    "langchain_core": "langchain",
    "llama_index.core": "llama-index",
    "starlette": "testing",
    "uvicorn": "testing",
    "jsonschema": "testing",
    "ray": "scale",
    "tqdm": "batch",
}
"""Each optional module, and the extra of `pyproject.toml` that installs it."""


class MissingExtraError(ModuleNotFoundError):
    """An optional dependency is not installed; the message names the extra to install."""


def installed(module: str) -> bool:
    """Whether `module` can be imported (found on the path), without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a missing parent package, or a module without a spec
        return False


def require(feature: str, *modules: str) -> None:
    """Raise `MissingExtraError` naming the extra when a module of `modules` is missing.

    Args:
        feature: What needs them, as the message names it (`langchain_friendli`).
        *modules: Keys of `EXTRAS`.
    """
    for module in modules:
        if not installed(module):
            extra = EXTRAS[module]
            msg = (
                f"{feature} needs {module!r}, which is not installed. Install the {extra!r} "
                f'extra: pip install "friendli-integrations[{extra}]"'
            )
            raise MissingExtraError(msg, name=module)
