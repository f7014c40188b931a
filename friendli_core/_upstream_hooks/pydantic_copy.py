"""pydantic hook: copies of a validated instance instead of a validation per streamed token.

See `friendli_core._upstream_hooks` for why it exists and what it relies on.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel

__all__ = ["Prototype"]

_M = TypeVar("_M", bound=BaseModel)


class Prototype(Generic[_M]):
    """Copies of one validated instance with some fields replaced (no validation per copy).

    A LangChain stream turns every token into an `AIMessageChunk` and a `ChatGenerationChunk`,
    a LlamaIndex stream into a `ChatMessage` and a `ChatResponse`; only a string changes from
    one to the next. The template is validated once (so the framework's validators and
    defaults run as for any other construction); each copy is the template's `__copy__` (new
    `__dict__`, same fields-set, extras and private attributes) with the replaced fields
    written into its `__dict__`, which is what `model_copy(update=...)` does, except that the
    fields-set stays the template's, so the copy equals what validation would have produced.
    Every list or dict field that is not replaced is copied too, so no two instances share a
    mutable value.

    Callers use it only for the shapes it is known to be exact for, and test that (a copy
    equals the validated construction, field for field, including the fields-set).
    """

    __slots__ = ("_containers", "_fields", "_template")

    def __init__(self, template: _M, *, replace: frozenset[str] | set[str]) -> None:
        """Remember the template.

        Args:
            template: A validated instance built with the same explicitly set fields as the
                instances to make.
            replace: The fields the caller sets in each copy (checked here to be fields of the
                model).

        Raises:
            ValueError: `replace` names something that is not a field of the template's model.
        """
        unknown = set(replace) - set(type(template).model_fields)
        if unknown:
            msg = f"{type(template).__name__} has no fields {sorted(unknown)}."
            raise ValueError(msg)
        self._template = template
        self._fields = frozenset(replace)
        self._containers = tuple(
            name
            for name, value in template.__dict__.items()
            if isinstance(value, list | dict) and name not in self._fields
        )

    def make(self, **fields: Any) -> _M:
        """A copy of the template with `fields` replaced; they are trusted, not validated."""
        obj = self._template.__copy__()
        values = obj.__dict__
        for name in self._containers:
            values[name] = values[name].copy()
        values.update(fields)
        return obj

    @property
    def fields(self) -> frozenset[str]:
        """The fields each `make` call replaces."""
        return self._fields
