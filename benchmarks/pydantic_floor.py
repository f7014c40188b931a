"""What any pydantic-based client pays before its own models: figure (d)'s pydantic baseline.

Importing pydantic, defining one model and validating once loads what the first model of any
library loads (`pydantic.main`, `pydantic.fields` and `pydantic.types`, the schema generator,
the plugin loader, which reads the installed packages' entry points). Timing `friendli_core`
on top of this module separates the core's own import cost from pydantic's.
"""

from pydantic import BaseModel

__all__ = ["One"]


class One(BaseModel):
    """A one-field model."""

    value: int


One.model_validate({"value": 1})
