"""Build many instances of one pydantic model shape without re-validating each.

A LangChain stream turns every token into an `AIMessageChunk` and a `ChatGenerationChunk`.
Validating both costs more per token than parsing the chunk off the wire, although only a
string changes from one to the next. (LlamaIndex's response models validate faster than a
copy is made, so the LlamaIndex adapter does not use this.) `Prototype` validates one
instance once (so the framework's validators and defaults are run exactly as for any other
construction) and then makes shallow copies of it with some fields replaced: pydantic's own
`__copy__` (which carries the fields-set, extras and private attributes over) plus a
`__dict__` update, as `BaseModel.model_copy(update=...)` does, but keeping the template's
fields-set so that the copy equals what validation would have produced. Every list or dict
field of the template is copied too, so no two instances share a mutable default.

Callers use it only for the shapes it is known to be exact for, and test that (a copy equals
the validated construction, field for field, including the fields-set), so an upgrade of the
framework that adds a validator with an effect here fails the tests instead of going unseen.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel

__all__ = ["Prototype"]

_M = TypeVar("_M", bound=BaseModel)


class Prototype(Generic[_M]):
    """Copies of one validated instance with some fields replaced (no validation per copy)."""

    __slots__ = ("_containers", "_copy", "_fields")

    def __init__(self, template: _M, *, replace: frozenset[str] | set[str]) -> None:
        """Remember the template.

        Args:
            template: A validated instance built with the same explicitly set fields as the
                instances to make.
            replace: The fields the caller sets in each copy (they are not copied from the
                template; checked here to be fields of the model).

        Raises:
            ValueError: `replace` names something that is not a field of the template's model.
        """
        unknown = set(replace) - set(type(template).model_fields)
        if unknown:
            msg = f"{type(template).__name__} has no fields {sorted(unknown)}."
            raise ValueError(msg)
        self._copy = template.__copy__
        self._fields = frozenset(replace)
        self._containers = tuple(
            name
            for name, value in template.__dict__.items()
            if isinstance(value, list | dict) and name not in self._fields
        )

    def make(self, **fields: Any) -> _M:
        """A copy of the template with `fields` replaced; they are trusted, not validated."""
        obj = self._copy()
        values = obj.__dict__
        for name in self._containers:
            values[name] = values[name].copy()
        values.update(fields)
        return obj

    @property
    def fields(self) -> frozenset[str]:
        """The fields each `make` call replaces."""
        return self._fields
