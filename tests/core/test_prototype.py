"""`Prototype`: copies of a validated pydantic instance equal validation and share nothing."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from friendli_core._prototype import Prototype


class Inner(BaseModel):
    value: int = 0


class Shape(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: str
    tags: list[str] = Field(default_factory=list)
    meta: dict[str, int] = Field(default_factory=dict)
    inner: Inner = Field(default_factory=Inner)
    length: int = 0

    @model_validator(mode="after")
    def _length(self) -> Shape:
        self.length = len(self.text)
        return self


def test_copy_equals_validation_including_fields_set() -> None:
    proto = Prototype(Shape(text=""), replace={"text", "length"})
    made = proto.make(text="abc", length=3)
    expected = Shape(text="abc")
    assert made == expected
    assert list(made.__dict__) == list(expected.__dict__)  # the order repr and dumps follow
    assert repr(made) == repr(expected)
    assert made.model_fields_set == expected.model_fields_set
    assert made.__pydantic_extra__ == expected.__pydantic_extra__ == {}
    assert proto.fields == {"text", "length"}


def test_copies_own_their_containers() -> None:
    proto = Prototype(Shape(text="", tags=["t"], meta={"m": 1}), replace={"text"})
    first = proto.make(text="a")
    first.tags.append("x")
    first.meta["y"] = 2
    second = proto.make(text="b")
    assert second.tags == ["t"]
    assert second.meta == {"m": 1}
    assert first.tags is not second.tags


def test_replaced_fields_are_taken_as_given() -> None:
    """No validation per copy: that is the point, so callers pass only trusted values."""
    proto = Prototype(Shape(text=""), replace={"text"})
    assert proto.make(text="abc").length == 0  # the validator does not run again


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValueError, match=r"Shape has no fields \['nope'\]"):
        Prototype(Shape(text=""), replace={"text", "nope"})


class WithPrivate(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: str
    _cache: dict[str, int] = PrivateAttr(default_factory=dict)


def test_copies_own_fields_set_extras_and_private_attributes() -> None:
    """What `BaseModel.__copy__` gives each copy, `make` gives too: nothing is shared."""
    template = WithPrivate(text="", note="n")
    template._cache["k"] = 1
    proto = Prototype(template, replace={"text"})
    first, second = proto.make(text="a"), proto.make(text="b")
    assert first.__pydantic_extra__ == {"note": "n"}
    assert first._cache == {"k": 1}
    first.__pydantic_extra__["more"] = 1  # type: ignore[index]
    first._cache = {"j": 2}  # shallow, as `__copy__`: the private mapping is the copy's own
    first.text = "changed"
    first.model_fields_set.add("other")
    assert second.__pydantic_extra__ == {"note": "n"}
    assert second._cache == {"k": 1}
    assert second.model_fields_set == template.model_fields_set == {"text", "note"}
    assert template.__pydantic_extra__ == {"note": "n"}
    expected = WithPrivate(text="b", note="n")
    expected._cache["k"] = 1
    assert second == expected


def test_copy_matches_pydantic_copy() -> None:
    template = Shape(text="", tags=["t"])
    made = Prototype(template, replace={"text"}).make(text="")
    copied = template.__copy__()
    for name in ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__"):
        assert getattr(made, name) == getattr(copied, name)
    assert made.__pydantic_private__ == copied.__pydantic_private__
