r"""Generate a string that fully matches a regular expression (pure).

Supports the subset Friendli's ``response_format: {"type": "regex"}`` accepts: literals and
escaped metacharacters, ``.``, classes ``[...]``/``[^...]`` with ranges, ``\d \w \s`` (ASCII)
and ``\D \W \S`` outside classes, ``\n \t \r \f \v \xHH \uHHHH``, groups ``(...)``,
``(?:...)`` and ``(?P<name>...)``, alternation ``|`` and the quantifiers ``? * + {m} {m,} {m,n}``
(with optional lazy/possessive suffix). Anchors, lookarounds, back-references, inline flags,
conditionals and ``\N \p \P`` raise ``RegexError`` (Friendli rejects most of them too).

Generation is deterministic for a given ``seed``: alternatives and repetition counts are drawn
from ``random.Random(seed)``, unbounded repetitions add at most 3 copies over the minimum.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["RegexError", "generate", "parse"]

_Range = tuple[int, int]
_DIGIT: list[_Range] = [(48, 57)]
_WORD: list[_Range] = [(97, 122), (65, 90), (48, 57), (95, 95)]
_SPACE: list[_Range] = [(32, 32), (9, 10), (13, 13)]
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v"}
_UNSUPPORTED_ESCAPES = set("AzZbBNpPG123456789")
_MAX_EXTRA = 3
_SURROGATES = (0xD800, 0xDFFF)


class RegexError(ValueError):
    """The pattern is malformed or outside the supported subset."""


@dataclass(frozen=True)
class Lit:
    """A literal string."""

    text: str


@dataclass(frozen=True)
class CharSet:
    """A character class: codepoint ranges, possibly negated."""

    ranges: tuple[_Range, ...]
    negated: bool = False


@dataclass(frozen=True)
class Seq:
    """A concatenation."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Alt:
    """An alternation."""

    options: tuple[Node, ...]


@dataclass(frozen=True)
class Rep:
    """A repetition ``{low, high}`` (``high`` None = unbounded)."""

    node: Node
    low: int
    high: int | None


Node = Lit | CharSet | Seq | Alt | Rep


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.src = pattern
        self.pos = 0

    def peek(self) -> str:
        return self.src[self.pos] if self.pos < len(self.src) else ""

    def take(self) -> str:
        char = self.peek()
        if not char:
            self.fail("unexpected end of pattern")
        self.pos += 1
        return char

    def fail(self, why: str) -> None:
        msg = f"regex {self.src!r} at position {self.pos}: {why}"
        raise RegexError(msg)

    def parse_alt(self) -> Node:
        options = [self.parse_seq()]
        while self.peek() == "|":
            self.pos += 1
            options.append(self.parse_seq())
        return options[0] if len(options) == 1 else Alt(tuple(options))

    def parse_seq(self) -> Node:
        items: list[Node] = []
        while self.peek() not in ("", "|", ")"):
            items.append(self.parse_quantified(self.parse_atom()))
        return items[0] if len(items) == 1 else Seq(tuple(items))

    def parse_atom(self) -> Node:
        char = self.take()
        if char == "(":
            return self.parse_group()
        if char == "[":
            return self.parse_class()
        if char == ".":
            return CharSet(((10, 10),), negated=True)
        if char == "\\":
            return self.parse_escape(in_class=False)
        if char in "^$":
            self.fail(f"anchor {char!r} is not supported")
        if char in "*+?":
            self.fail(f"nothing to repeat before {char!r}")
        return Lit(char)

    def parse_group(self) -> Node:
        if self.src.startswith("?:", self.pos):
            self.pos += 2
        elif self.src.startswith("?P<", self.pos):
            end = self.src.find(">", self.pos)
            if end < 0:
                self.fail("unterminated group name")
            self.pos = end + 1
        elif self.peek() == "?":
            self.fail("lookarounds, flags and conditionals are not supported")
        node = self.parse_alt()
        if self.take() != ")":
            self.fail("missing ')'")
        return node

    def parse_escape(self, *, in_class: bool) -> Node:
        char = self.take()
        shorthand = {"d": _DIGIT, "w": _WORD, "s": _SPACE}
        if char.lower() in shorthand:
            if char.isupper():
                if in_class:
                    self.fail(f"\\{char} inside a class is not supported")
                return CharSet(tuple(shorthand[char.lower()]), negated=True)
            return CharSet(tuple(shorthand[char]))
        if char in _UNSUPPORTED_ESCAPES:
            self.fail(f"escape \\{char} is not supported")
        if char in _SIMPLE_ESCAPES:
            return Lit(_SIMPLE_ESCAPES[char])
        if char in "xu":
            width = 2 if char == "x" else 4
            digits = self.src[self.pos : self.pos + width]
            try:
                value = int(digits, 16)
            except ValueError:
                self.fail(f"bad \\{char} escape")
                raise  # pragma: no cover - fail() always raises
            self.pos += width
            return Lit(chr(value))
        return Lit(char)

    def class_member(self) -> list[_Range]:
        char = self.take()
        if char == "\\":
            node = self.parse_escape(in_class=True)
            if isinstance(node, CharSet):
                return list(node.ranges)
            assert isinstance(node, Lit)  # noqa: S101 - escapes give a literal or a set
            char = node.text
        if self.peek() == "-" and self.src[self.pos + 1 : self.pos + 2] not in ("]", ""):
            self.pos += 1
            end = self.take()
            if end == "\\":
                end_node = self.parse_escape(in_class=True)
                if not isinstance(end_node, Lit):
                    self.fail("a class range cannot end in a shorthand")
                end = end_node.text if isinstance(end_node, Lit) else end
            if ord(end) < ord(char):
                self.fail("bad character range")
            return [(ord(char), ord(end))]
        return [(ord(char), ord(char))]

    def parse_class(self) -> Node:
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        ranges: list[_Range] = []
        first = True
        while self.peek() != "]" or first:
            if not self.peek():
                self.fail("unterminated character class")
            if self.peek() == "[" and self.src.startswith("[:", self.pos):
                self.fail("POSIX classes are not supported")
            ranges.extend(self.class_member())
            first = False
        self.pos += 1
        return CharSet(tuple(ranges), negated=negated)

    def parse_count(self) -> tuple[int, int | None] | None:
        close = self.src.find("}", self.pos)
        body = self.src[self.pos + 1 : close] if close > 0 else ""
        low, comma, high = body.partition(",")
        if not (low.isdigit() or (comma and low == "")) or (high and not high.isdigit()):
            return None
        self.pos = close + 1
        if not comma:
            return int(low), int(low)
        return int(low or 0), int(high) if high else None

    def parse_quantified(self, node: Node) -> Node:
        while True:
            char = self.peek()
            bounds: tuple[int, int | None] | None
            if char in ("?", "*", "+"):
                self.pos += 1
                bounds = {"?": (0, 1), "*": (0, None), "+": (1, None)}[char]
            elif char == "{":
                bounds = self.parse_count()
                if bounds is None:
                    return node
            else:
                return node
            if bounds[1] is not None and bounds[1] < bounds[0]:
                self.fail("bad repetition bounds")
            if self.peek() in ("?", "+"):
                self.pos += 1
            node = Rep(node, bounds[0], bounds[1])


def parse(pattern: str) -> Node:
    """Parse ``pattern`` into a node tree; raise ``RegexError`` outside the subset."""
    parser = _Parser(pattern)
    node = parser.parse_alt()
    if parser.pos != len(pattern):
        parser.fail("unbalanced ')'")
    return node


def _pick(charset: CharSet, rng: random.Random) -> str:
    if not charset.negated:
        low, high = rng.choice(charset.ranges)
        code = rng.randint(low, high)
        return chr(low if _SURROGATES[0] <= code <= _SURROGATES[1] else code)
    banned = charset.ranges
    for start in (97, 48, 32, 0xA1):
        for code in range(start, start + 0x2000):
            if not any(lo <= code <= hi for lo, hi in banned) and chr(code).isprintable():
                return chr(code)
    msg = "character class matches nothing the generator can produce"
    raise RegexError(msg)


def _emit(node: Node, rng: random.Random, out: list[str]) -> None:
    if isinstance(node, Lit):
        out.append(node.text)
    elif isinstance(node, CharSet):
        out.append(_pick(node, rng))
    elif isinstance(node, Seq):
        for item in node.items:
            _emit(item, rng, out)
    elif isinstance(node, Alt):
        _emit(rng.choice(node.options), rng, out)
    else:
        span = _MAX_EXTRA if node.high is None else min(node.high - node.low, _MAX_EXTRA)
        for _ in range(node.low + rng.randint(0, span)):
            _emit(node.node, rng, out)


def generate(pattern: str, seed: int = 0) -> str:
    """Return a string ``s`` with ``re.fullmatch(pattern, s)`` (deterministic per seed)."""
    out: list[str] = []
    _emit(parse(pattern), random.Random(seed), out)  # noqa: S311 - not for security
    return "".join(out)
