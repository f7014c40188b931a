"""`SSEDecoder`: any split of any byte stream gives the events of the whole stream.

The reference below parses the whole body at once by the WHATWG event-stream rules (decode
UTF-8 with replacement, split lines at CRLF / LF / CR, dispatch on blank lines). The decoder
sees the same bytes cut into reads anywhere, including inside a CRLF pair or a multi-byte
character, and must give the same events; its fast path for a read that is one whole `data:`
event must agree with the general path whatever came before.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from friendli_core._sse import SSEDecoder


def reference(body: bytes) -> list[tuple[str, str]]:
    """The events of a whole stream (an event without its blank line is dropped)."""
    text = body.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    events: list[tuple[str, str]] = []
    event, data = "", []
    for line in text.split("\n")[:-1]:  # the last piece has no line end yet
        if not line:
            if data or event:
                events.append((event, "\n".join(data)))
            event, data = "", []
            continue
        name, colon, value = line.partition(":")
        value = value[1:] if value[:1] == " " else value
        if not name and colon:
            continue  # a comment
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
    return events


def feed_all(reads: list[bytes]) -> list[tuple[str, str]]:
    decoder = SSEDecoder()
    return [event for read in reads for event in decoder.feed(read)]


def split(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(body), *(min(c, len(body)) for c in cuts)})
    return [body[a:b] for a, b in itertools.pairwise(points)]


_PIECES = st.sampled_from(
    [
        *(b"data: ", b"data:", b"data", b"event: error\n", b"event:\n", b": keep-alive\n"),
        *(b"id: 7\n", b"retry: 10\n", b"\n", b"\r\n", b"\r", b"\n\n", b"x", b'{"a":1}'),
        *(b"\xc3\xa9", b"\xc3", b"\xa9", b"\xe2\x9c\x93", b"\xff", b"\xf0\x9f\x98"),
        b'data: {"choices":[]}\n\n',
        b"data: na\xc3\xafve \xe2\x9c\x93\n\n",
        b"data: [DONE]\n\n",
    ]
)
_BODIES = st.lists(_PIECES | st.binary(max_size=8), max_size=40).map(b"".join)


@given(body=_BODIES, cuts=st.lists(st.integers(0, 400), max_size=12))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_split_gives_the_events_of_the_whole(body: bytes, cuts: list[int]) -> None:
    assert feed_all(split(body, cuts)) == reference(body)


@given(pieces=st.lists(_PIECES, min_size=1, max_size=30))
@settings(max_examples=300, deadline=None)
def test_reads_on_piece_boundaries_give_the_events_of_the_whole(pieces: list[bytes]) -> None:
    """Reads that each end where a piece ends: many are whole events (the fast path)."""
    assert feed_all(pieces) == reference(b"".join(pieces))


def test_a_whole_event_read_is_one_event() -> None:
    assert feed_all([b'data: {"a":1}\n\n', b"data: [DONE]\n\n"]) == [
        ("", '{"a":1}'),
        ("", "[DONE]"),
    ]


def test_a_whole_event_read_after_buffered_input_joins_it() -> None:
    """What came before (a data line, an event name, half a line, a CR, half a character) is
    part of the event the next read completes: the fast path must not skip it."""
    assert feed_all([b"data: a\n", b"data: b\n\n"]) == [("", "a\nb")]
    assert feed_all([b"event: error\n", b"data: b\n\n"]) == [("error", "b")]
    assert feed_all([b"da", b"data: b\n\n"]) == []  # the line "dadata: b" is no field
    assert feed_all([b"data: a\r", b"data: b\n\n"]) == [("", "a\nb")]
    assert feed_all([b"data: \xc3", b"\n\ndata: b\n\n"]) == [("", "\ufffd"), ("", "b")]
    assert feed_all([b"data: a\n\n\xc3", b"data: b\n\n"]) == [("", "a")]  # "\ufffddata: b"


def test_a_whole_event_read_with_invalid_utf8_is_replaced() -> None:
    assert feed_all([b"data: a\xffb\n\n"]) == [("", "a\ufffdb")]


def test_a_field_name_without_colon_has_an_empty_value() -> None:
    """WHATWG: a line with no colon is a field with an empty value; `data` adds an empty line."""
    assert feed_all([b"data\n\n"]) == [("", "")]
    assert feed_all([b"data\ndata: x\n\n"]) == [("", "\nx")]
    assert feed_all([b"event\ndata: x\n\n"]) == [("", "x")]
