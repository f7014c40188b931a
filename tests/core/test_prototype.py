"""`Prototype`: copies of a validated pydantic instance equal validation and share nothing."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, Field, model_validator

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
