"""pydantic hook: copies of a validated instance instead of a validation per streamed token.

See `friendli_core._upstream_hooks` for why it exists and what it relies on.
"""

from __future__ import annotations

from collections.abc import Callable
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

    __slots__ = ("_fields", "make")

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
        self._fields = frozenset(replace)
        # pydantic's own copy of the template: what every `make` repeats
        self.make: Callable[..., _M] = _maker(template.__copy__(), self._fields)
        """`make(**fields)`: a copy of the template with `fields` (each replaced field, by
        keyword) written in; they are trusted, not validated."""

    @property
    def fields(self) -> frozenset[str]:
        """The fields each `make` call replaces."""
        return self._fields


def _maker(copied: _M, replaced: frozenset[str]) -> Callable[..., _M]:
    """The `make` of one template (`copied`: pydantic's own copy of it).

    Its source is generated, as `dataclasses` generates `__init__`: one keyword-only parameter
    per replaced field, each written into the copy's `__dict__` by name, and each list or dict
    field that is not replaced copied by name. A `**fields` dict merged into the copy would
    cost more per streamed token than the rest of the copy.
    """
    values = copied.__dict__  # every field, replaced ones too: copies keep the template's order
    names = sorted(replaced)  # model fields: identifiers, so safe to write as parameters
    containers = [n for n, v in values.items() if isinstance(v, list | dict) and n not in replaced]
    extra, private = copied.model_extra, copied.__pydantic_private__
    # None in the usual template: nothing to copy (`{}` is still copied)
    new_extra = "None" if extra is None else "extra.copy()"
    new_private = "None" if private is None else "private.copy()"
    lines = [
        f"def make(*, {', '.join(names)}):",
        "    own = values.copy()",
        *(f"    own[{n!r}] = own[{n!r}].copy()" for n in containers),
        *(f"    own[{n!r}] = {n}" for n in names),
        "    obj = new(cls)",
        "    setattr_(obj, '__dict__', own)",
        "    setattr_(obj, '__pydantic_fields_set__', set(fields_set))",
        f"    setattr_(obj, '__pydantic_extra__', {new_extra})",
        f"    setattr_(obj, '__pydantic_private__', {new_private})",
        "    return obj",
    ]
    scope: dict[str, Any] = {
        "values": values,
        "new": type(copied).__new__,
        "cls": type(copied),
        "setattr_": _setattr,
        "fields_set": frozenset(copied.model_fields_set),
        "extra": extra,
        "private": private,
    }
    exec("\n".join(lines), scope)  # noqa: S102 - our own source, from the model's field names
    make: Callable[..., _M] = scope["make"]
    return make
