import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from friendli_core.testing._regex import RegexError, generate, parse

PATTERNS = [
    "(yes|no)",
    r"\d{3}-\d{4}",
    r"[A-Z][a-z]+ [^0-9]{2,5}",
    r"(?:ab|cd)*e+?",
    r"\w+@\w+\.com",
    r"[\d.-]+",
    r"\x41\u00e9.",
    "a{2,}b{,3}",
    "x{y",
    r"[^\n]{3}",
    "[]a]",
    r"(?P<word>[a-c]{1,2})(,(?P<more>[a-c]))?",
    r"\s\S\W\D",
    r"[a\-z]+",
    r"(red|green|blue) (car|bike)s?",
    r"\{\"k\": \d+\}",
]


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("seed", range(8))
def test_generated_strings_fully_match(pattern: str, seed: int) -> None:
    assert re.fullmatch(pattern, generate(pattern, seed)), (pattern, generate(pattern, seed))


def test_generation_is_deterministic_per_seed() -> None:
    assert generate(r"[a-z]{5,9}", 3) == generate(r"[a-z]{5,9}", 3)
    assert len({generate(r"[a-z]{5,9}", s) for s in range(20)}) > 1


@pytest.mark.parametrize(
    "pattern",
    [
        "^abc",
        "abc$",
        "(?=a)b",
        "(?!a)b",
        "(?<=a)b",
        "(a)\\1",
        r"\bword",
        r"\p{L}",
        r"\N{DASH}",
        "(?i)abc",
        "(ab",
        "ab)",
        "[ab",
        "*a",
        "a{3,1}",
        "[z-a]",
    ],
)
def test_unsupported_or_malformed_patterns_raise(pattern: str) -> None:
    with pytest.raises(RegexError):
        parse(pattern)


@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                "b",
                r"\d",
                "[xyz]",
                "(c|dd)",
                "e?",
                "f*",
                "g+",
                "h{2}",
                "(?:ij){1,3}",
                r"\.",
                " ",
            ]
        ),
        min_size=1,
        max_size=8,
    ),
    st.integers(0, 1000),
)
def test_random_compositions_fully_match(parts: list[str], seed: int) -> None:
    pattern = "".join(parts)
    assert re.fullmatch(pattern, generate(pattern, seed))
