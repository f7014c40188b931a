"""`ConstructorChecks`: what the LangChain and LlamaIndex classes check when they are built.

A pydantic mixin of both adapters' connection settings: an argument the class does not take is
refused with a suggestion (`_names`), as a `ValidationError`; a `base_url` that ends in an API
path is refused (`config.check_base_url`), before any request.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from friendli_core._names import BODY_FIELDS_HINT, model_arguments, unknown_fields
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

    def __init__(self, /, **data: Any) -> None:
        """Refuse an unknown argument first, in an error that holds no argument's value.

        The validator below would too, but pydantic keeps a model validator's whole input in
        `ValidationError.errors()`: the token among it.
        """
        message = unknown_fields(type(self), data, body=self._BODY_HINT, also=self._ALSO_TAKES)
        if message:
            unknown = sorted(set(data) - model_arguments(type(self), self._ALSO_TAKES))
            error = InitErrorDetails(
                type=PydanticCustomError("unknown_argument", message), loc=(), input=unknown
            )
            raise ValidationError.from_exception_data(type(self).__name__, [error], hide_input=True)
        super().__init__(**data)

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown(cls, data: Any) -> Any:
        """A typo or another client's argument name: a `ValidationError` naming ours."""
        message = unknown_fields(cls, data, body=cls._BODY_HINT, also=cls._ALSO_TAKES)
        if message:
            raise ValueError(message)  # from model_validate; pydantic makes it a ValidationError
        return data
