"""pydantic hook: copies of a validated instance instead of a validation per streamed token.

See `friendli_core._upstream_hooks` for why it exists and what it relies on.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel

__all__ = ["Prototype"]

_M = TypeVar("_M", bound=BaseModel)
_setattr = object.__setattr__
# the instance slots `BaseModel.__copy__` fills, and `make` fills the same way; a test checks
# that pydantic's models still have exactly these
PYDANTIC_SLOTS = (
    "__dict__",
    "__pydantic_fields_set__",
    "__pydantic_extra__",
    "__pydantic_private__",
)


class Prototype(Generic[_M]):
    """Copies of one validated instance with some fields replaced (no validation per copy).

    A LangChain stream turns every token into an `AIMessageChunk` and a `ChatGenerationChunk`,
    a LlamaIndex stream into a `ChatMessage` and a `ChatResponse`; only a string changes from
    one to the next. The template is validated once (so the framework's validators and
    defaults run as for any other construction); each copy is what pydantic's `__copy__`
    makes (a new `__dict__`, fields-set, extras and private attributes), done inline, with the
    replaced fields written into its `__dict__` as `model_copy(update=...)` does, except that
    the fields-set stays the template's, so the copy equals what validation would have
    produced. Every list or dict field that is not replaced is copied too, so no two instances
    share a mutable value. (Calling `__copy__` itself costs more than 5 % of a LangChain
    stream's time per token: `benchmarks/README.md`.)

    Callers use it only for the shapes it is known to be exact for, and test that (a copy
    equals the validated construction, field for field, including the fields-set).
    """

    __slots__ = ("_cls", "_containers", "_extra", "_fields", "_fields_set", "_private", "_values")

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
        copied = template.__copy__()  # pydantic's own copy: what every `make` repeats
        self._cls = type(template)
        self._fields = frozenset(replace)
        # all of them, replaced ones too: `update` then keeps the fields in the template's order
        # (the order validation gives, which repr and JSON dumps follow)
        self._values = copied.__dict__
        self._fields_set = frozenset(copied.model_fields_set)
        self._extra = copied.model_extra
        self._private = copied.__pydantic_private__
        self._containers = tuple(
            name
            for name, value in self._values.items()
            if isinstance(value, list | dict) and name not in self._fields
        )

    def make(self, **fields: Any) -> _M:
        """A copy of the template with `fields` replaced; they are trusted, not validated."""
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
