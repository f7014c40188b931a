import itertools
import math

from friendli_core.testing._gen import Limited, alternatives, filler, logprob_of, pad_to
from friendli_core.testing._tokens import pieces


def run(text: str, stop: list[str], max_tokens: int | None) -> tuple[str, str | None, int]:
    limited = Limited(pieces(text), stop, max_tokens)
    out = "".join(limited)
    return out, limited.finish_reason, limited.count


def test_no_limits_yields_everything_with_stop_reason() -> None:
    assert run("Hello there, friend.", [], None) == ("Hello there, friend.", "stop", 6)


def test_stop_string_truncates_and_is_excluded() -> None:
    assert run("Hello there, friend.", ["friend"], None)[:2] == ("Hello there, ", "stop")
    assert run("Hello there, friend.", ["ere"], None)[:2] == ("Hello th", "stop")
    assert run("Hello there, friend.", ["zzz", ","], None)[:2] == ("Hello there", "stop")
    assert run("Hello there", ["Hello"], None)[:2] == ("", "stop")


def test_stop_string_spanning_pieces() -> None:
    assert run("alpha beta gamma", ["a be"], None)[:2] == ("alph", "stop")


def test_max_tokens_truncates_with_length() -> None:
    assert run("one two three four", [], 2) == ("one two", "length", 2)
    assert run("one two", [], 2) == ("one two", "stop", 2)
    assert run("one two three", [" three"], 2) == ("one two", "stop", 2)


def test_max_tokens_and_stop_together() -> None:
    out, reason, count = run("one two three four", ["four"], 3)
    assert (out, reason, count) == ("one two three", "length", 3)


def test_lazy_source_is_not_consumed_beyond_need() -> None:
    consumed = []

    def source():
        for i in itertools.count():
            consumed.append(i)
            yield f" w{i}"

    limited = Limited(source(), [], 5)
    assert len(list(limited)) == 5
    assert limited.finish_reason == "length"
    assert len(consumed) <= 6


def test_pad_to_and_filler() -> None:
    padded = list(pad_to(iter(["a"]), 5, seed=1))
    assert len(padded) == 5
    assert padded[0] == "a"
    assert list(pad_to(iter(["a", "b"]), 1, seed=1)) == ["a", "b"]
    assert list(itertools.islice(filler(3), 10)) == list(itertools.islice(filler(3), 10))


def test_logprobs_are_deterministic_and_plausible() -> None:
    lp = logprob_of(1, 0, "Hi")
    assert lp == logprob_of(1, 0, "Hi")
    assert -1.6 < lp < 0
    alts = alternatives(1, 0, "Hi", 5)
    assert alts[0] == ("Hi", lp)
    assert len({t for t, _ in alts}) == 5
    assert sum(math.exp(v) for _, v in alts) <= 1.0 + 1e-6
    assert alternatives(1, 0, "Hi", 0) == []
