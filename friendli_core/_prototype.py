"""Build many instances of one pydantic model shape without re-validating each.

A LangChain stream turns every token into an `AIMessageChunk` and a `ChatGenerationChunk`, a
LlamaIndex stream into a `ChatMessage` and a `ChatResponse`. Validating them costs more per
token than parsing the chunk off the wire, although only a string changes from one to the
next. `Prototype` validates one instance once (so the framework's validators and defaults are
run exactly as for any other construction) and then makes shallow copies of it with some
fields replaced: what pydantic's `__copy__` does (a new `__dict__`, fields-set, extras and
private attributes), done inline, plus a `__dict__` update, as `BaseModel.model_copy(update=...)`
does, but keeping the template's fields-set so that the copy equals what validation would have
produced. Every list or dict field of the template is copied too, so no two instances share a
mutable default.

Callers use it only for the shapes it is known to be exact for, and test that (a copy equals
the validated construction, field for field, including the fields-set), so an upgrade of the
framework that adds a validator with an effect here fails the tests instead of going unseen.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

__all__ = ["Prototype"]

_M = TypeVar("_M", bound=BaseModel)
_setattr = object.__setattr__


class Prototype(Generic[_M]):
    """Copies of one validated instance with some fields replaced (no validation per copy)."""

    __slots__ = ("_cls", "_containers", "_extra", "_fields", "_fields_set", "_private", "_values")

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
        self._cls = type(template)
        self._fields = frozenset(replace)
        # all of them, replaced ones too: `update` then keeps the fields in the template's order
        # (the order validation gives, which repr and JSON dumps follow)
        self._values = dict(template.__dict__)
        self._fields_set = frozenset(template.__pydantic_fields_set__)
        self._extra = template.__pydantic_extra__
        private = getattr(template, "__pydantic_private__", None)
        self._private = (
            None
            if private is None
            else {k: v for k, v in private.items() if v is not PydanticUndefined}
        )
        self._containers = tuple(
            name
            for name, value in self._values.items()
            if isinstance(value, list | dict) and name not in self._fields
        )

    def make(self, **fields: Any) -> _M:
        """A copy of the template with `fields` replaced; they are trusted, not validated.

        The copy is what `BaseModel.__copy__` makes (a new `__dict__`, fields-set, extras and
        private attributes), done inline: through `copy.copy` it costs more than validation.
        """
        obj = self._cls.__new__(self._cls)
        values = self._values.copy()
        for name in self._containers:
            values[name] = values[name].copy()
        values.update(fields)
        _setattr(obj, "__dict__", values)
        _setattr(obj, "__pydantic_fields_set__", set(self._fields_set))
        extra, private = self._extra, self._private
        _setattr(obj, "__pydantic_extra__", None if extra is None else extra.copy())
        _setattr(obj, "__pydantic_private__", None if private is None else private.copy())
        return obj

    @property
    def fields(self) -> frozenset[str]:
        """The fields each `make` call replaces."""
        return self._fields
