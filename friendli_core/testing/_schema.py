"""Synthesise JSON values from a JSON Schema and the prompt (pure).

Rules (driven by the schema and the prompt text, never by a test's literal wording):

* integers/numbers take the numbers of the prompt in order, clamped into
  ``minimum``/``maximum``/``exclusiveMinimum``/``exclusiveMaximum`` (rounded to ``multipleOf``);
  without one left, 0 (clamped);
* strings take the quoted substrings (``'...'``/``"..."``) in order, then capitalised names
  (e.g. ``Paris``), then a topic word of the prompt, then the property name; ``format``
  (date-time, date, time, uuid, email, uri) and ``pattern`` are honoured, as are
  ``minLength``/``maxLength``;
* ``enum`` takes the value mentioned in the prompt, else the first; ``const`` its value;
  booleans are true only if the prompt says "true"/"yes";
* arrays of numbers (strings) take all remaining numbers (quoted strings); otherwise
  ``minItems`` items; ``maxItems`` is respected;
* objects get exactly their declared ``properties`` (plus undeclared ``required`` names);
* ``$ref`` (``#/$defs/...``, ``#/definitions/...``) resolves against the root schema;
  ``anyOf``/``oneOf`` use the first non-null branch; ``allOf`` is merged.

If the prompt contains ``name(...)`` for the tool being called, only the text inside the
parentheses is used as the source (``Hints.for_call``).
"""

from __future__ import annotations

import math
import re
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from friendli_core.testing._regex import RegexError, generate
from friendli_core.testing._tokens import digest

__all__ = ["STOPWORDS", "Hints", "synthesize", "topic_words"]

_STOPWORD_TEXT = (
    "a an and are as at be but by can could do does for from get give how i if in is it its me "
    "my of on or please set show so tell than that the their them then there these this to use "
    "using value was what when where which who why will with would you your call tool function "
    "about make find"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w])")
_QUOTED = re.compile(r"\"([^\"]+)\"|'([^']+)'|`([^`]+)`")
_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][a-zA-Z]+\b")
_FORMATS = {
    "date-time": "2025-01-01T00:00:00Z",
    "date": "2025-01-01",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com/",
}
_MAX_DEPTH = 12


def topic_words(text: str) -> list[str]:
    """Return the non-stopword words of ``text``, longest first (ties keep text order)."""
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z0-9_-]*", text) if w.lower() not in STOPWORDS]
    return sorted(dict.fromkeys(words), key=len, reverse=True)


@dataclass
class Hints:
    """Values harvested from the prompt, consumed in order while synthesising."""

    text: str
    numbers: deque[float] = field(default_factory=deque)
    quoted: deque[str] = field(default_factory=deque)
    names: deque[str] = field(default_factory=deque)

    @classmethod
    def from_text(cls, text: str) -> Hints:
        """Harvest numbers, quoted strings and capitalised names from ``text``."""
        unquoted = _QUOTED.sub(" ", text)
        quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]
        names = [n for n in _NAME.findall(unquoted) if n.lower() not in STOPWORDS]
        return cls(
            text=text,
            numbers=deque(float(n) for n in _NUMBER.findall(unquoted)),
            quoted=deque(quoted),
            names=deque(dict.fromkeys(names)),
        )

    @classmethod
    def for_call(cls, text: str, name: str) -> Hints:
        """Hints from the arguments of ``name(...)`` in ``text`` if present, else all of it."""
        match = re.search(rf"\b{re.escape(name)}\s*\(([^()]*)\)", text)
        return cls.from_text(match.group(1) if match else text)


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    seen = 0
    while isinstance(schema.get("$ref"), str) and seen < _MAX_DEPTH:
        node: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node.get(part.replace("~1", "/").replace("~0", "~"), {}) if part else node
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**node, **rest}
        seen += 1
    return schema


def _merge_all_of(schema: Mapping[str, Any], root: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    for part in schema.get("allOf", ()):
        sub = _resolve(part, root)
        merged["properties"] = {**merged.get("properties", {}), **sub.get("properties", {})}
        merged["required"] = [*merged.get("required", []), *sub.get("required", [])]
        merged.update({k: v for k, v in sub.items() if k not in ("properties", "required")})
    return merged


def _type_of(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _number(schema: Mapping[str, Any], hints: Hints, *, integer: bool) -> float | int:
    raw = hints.numbers.popleft() if hints.numbers else 0.0
    low = float(schema.get("minimum", -math.inf))
    high = float(schema.get("maximum", math.inf))
    step = 1 if integer else 0.5
    if "exclusiveMinimum" in schema:
        low = max(low, schema["exclusiveMinimum"] + step)
    if "exclusiveMaximum" in schema:
        high = min(high, schema["exclusiveMaximum"] - step)
    value = min(max(raw, low), high)
    multiple = schema.get("multipleOf")
    if isinstance(multiple, int | float) and multiple > 0:
        value = math.ceil(value / multiple) * multiple
        if value > high:
            value -= multiple
    if integer:
        rounded = round(value)
        if low > high or (math.isinf(low) and math.isinf(high)):
            return rounded
        lowest = math.ceil(low) if math.isfinite(low) else rounded
        highest = math.floor(high) if math.isfinite(high) else rounded
        return int(min(max(rounded, lowest), highest))
    return float(value)


def _mentioned(options: list[Any], text: str) -> Any:
    lowered = text.lower()
    for option in options:
        if isinstance(option, str) and re.search(rf"\b{re.escape(option.lower())}\b", lowered):
            return option
    return options[0]


def _string(schema: Mapping[str, Any], hints: Hints, name: str) -> str:
    fmt = schema.get("format")
    if fmt == "uuid":
        return str(uuid.UUID(int=digest(hints.text, name) << 64 | digest(name)))
    if fmt in _FORMATS:
        return _FORMATS[fmt]
    if isinstance(schema.get("pattern"), str):
        pattern = schema["pattern"].removeprefix("^").removesuffix("$")
        try:
            return generate(pattern, digest(name))
        except RegexError:
            pass
    if hints.quoted:
        value = hints.quoted.popleft()
    elif hints.names:
        value = hints.names.popleft()
    else:
        words = topic_words(hints.text)
        value = words[0] if words else name or "value"
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    value = value.ljust(low, "x")
    return value[:high] if isinstance(high, int) else value


def _array(
    schema: Mapping[str, Any], hints: Hints, root: Mapping[str, Any], depth: int
) -> list[Any]:
    items = _resolve(schema.get("items") or {}, root)
    kind = _type_of(items) if not _union(items) and "enum" not in items else "other"
    count = schema.get("minItems", 0)
    if kind in ("number", "integer"):
        count = max(count, len(hints.numbers))
    elif kind == "string" and "format" not in items and "pattern" not in items:
        count = max(count, len(hints.quoted))
    if isinstance(schema.get("maxItems"), int):
        count = min(count, schema["maxItems"])
    return [_value(items, hints, root, "item", depth + 1) for _ in range(count)]


def _object(
    schema: Mapping[str, Any], hints: Hints, root: Mapping[str, Any], depth: int
) -> dict[str, Any]:
    props: Mapping[str, Any] = schema.get("properties") or {}
    names = list(props) + [r for r in schema.get("required", []) if r not in props]
    return {n: _value(props.get(n, {}), hints, root, n, depth + 1) for n in names}


def _union(schema: Mapping[str, Any]) -> list[Any] | None:
    options = schema.get("anyOf") or schema.get("oneOf")
    return options if isinstance(options, list) and options else None


def _value(schema: Any, hints: Hints, root: Mapping[str, Any], name: str, depth: int) -> Any:
    if not isinstance(schema, Mapping):
        return True if schema is True else None
    schema = _resolve(schema, root)
    if "allOf" in schema:
        schema = _merge_all_of(schema, root)
    options = _union(schema)
    if options is not None:
        resolved = [_resolve(o, root) for o in options]
        branch = next((o for o in resolved if o.get("type") != "null"), resolved[0])
        return _value({**branch}, hints, root, name, depth)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return _mentioned(schema["enum"], hints.text)
    kind = _type_of(schema)
    if depth > _MAX_DEPTH and kind in ("object", "array"):
        kind = "null" if "null" in (schema.get("type") or []) else kind
    result: Any
    if kind == "integer":
        result = _number(schema, hints, integer=True)
    elif kind == "number":
        result = _number(schema, hints, integer=False)
    elif kind == "boolean":
        result = re.search(r"\b(true|yes)\b", hints.text, re.IGNORECASE) is not None
    elif kind == "array":
        result = _array(schema, hints, root, depth)
    elif kind == "object":
        result = _object(schema, hints, root, depth)
    elif kind == "null":
        result = None
    else:
        result = _string(schema, hints, name)
    return result


def synthesize(schema: Mapping[str, Any], hints: Hints, name: str = "value") -> Any:
    """Return a value valid against ``schema``, filled from ``hints`` (consumed in order)."""
    return _value(schema, hints, schema, name, 0)
