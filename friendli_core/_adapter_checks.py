"""`ConstructorChecks`: what the LangChain and LlamaIndex classes check when they are built.

A pydantic mixin of both adapters' connection settings: an argument the class does not take is
refused with a suggestion (`_names`), as a `ValidationError`; a `base_url` that ends in an API
path is refused (`config.check_base_url`), before any request.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from friendli_core._names import BODY_FIELDS_HINT, refuse_unknown_fields
from friendli_core.config import check_base_url

__all__ = ["ConstructorChecks"]


class ConstructorChecks(BaseModel):
    """Constructor checks shared by the adapters' classes (a mixin).

    Its subclasses declare `base_url`.
    """

    model_config = ConfigDict(defer_build=True)

    _BODY_HINT: ClassVar[str] = BODY_FIELDS_HINT
    """What to say to a `model_kwargs=` argument: how the class takes further request fields."""
    _ALSO_TAKES: ClassVar[tuple[str, ...]] = ()
    """Arguments taken besides the fields and their aliases."""

    @field_validator("base_url", check_fields=False)
    @classmethod
    def _check_base_url(cls, url: str | None) -> str | None:
        """A base URL ending in an API path is refused here, not at the first request."""
        return None if url is None else check_base_url(url)

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown(cls, data: Any) -> Any:
        """A typo or another client's argument name: a `ValidationError` naming ours."""
        refuse_unknown_fields(cls, data, body=cls._BODY_HINT, also=cls._ALSO_TAKES)
        return data
