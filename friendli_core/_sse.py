r"""Server-sent events framing (sans-IO): bytes in, `(event, data)` pairs out.

Follows the WHATWG event-stream rules that matter for a client: lines end in CRLF, LF or CR
(also when split across network reads); `data:` lines accumulate and are joined with `\n`;
one space after the colon is dropped; `event:` names the event (empty means "message");
comment lines (`:`) and other fields (`id:`, `retry:`) are ignored; a blank line dispatches;
an event left without its blank line when the stream ends is discarded. UTF-8 is decoded
incrementally (a character split across reads is kept whole; invalid bytes become U+FFFD).

This replaces `httpx-sse` in the hot path: `benchmarks/sse_decoders.py` measures both on the
same bytes (see `benchmarks/RESULTS.md`).
"""

from __future__ import annotations

import codecs

__all__ = ["SSEDecoder", "is_event_stream"]


def is_event_stream(content_type: str) -> bool:
    """Whether a Content-Type header announces an event stream."""
    return "text/event-stream" in content_type.partition(";")[0].lower()


class SSEDecoder:
    """Incremental event-stream decoder; feed it network reads in order."""

    __slots__ = ("_cr", "_data", "_event", "_line", "_pending", "_text")

    def __init__(self) -> None:
        """Start with no buffered input."""
        self._text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = False  # the UTF-8 decoder may hold part of a character
        self._line = ""  # an incomplete last line
        self._cr = False  # the last read ended in CR (its LF may come next)
        self._event = ""
        self._data: list[str] = []

    def feed(self, raw: bytes) -> list[tuple[str, str]]:
        """Decode one read; return the events it completed, in order."""
        if (
            raw[:6] == b"data: "
            and raw.find(b"\n") == len(raw) - 2
            and raw[-1:] == b"\n"
            and raw.find(b"\r") < 0
            and not (self._line or self._data or self._event or self._cr or self._pending)
        ):
            # The common read: one whole `data:` event (servers flush per event) with nothing
            # buffered before it. Decoded whole, it gives what the general path gives.
            return [("", raw[6:-2].decode("utf-8", "replace"))]
        return self._feed(raw)

    def _feed(self, raw: bytes) -> list[tuple[str, str]]:
        text = self._text.decode(raw)
        # a read that ends in an ASCII byte leaves no partial character behind
        self._pending = bool(raw) and raw[-1] >= 0x80 and bool(self._text.getstate()[0])  # noqa: PLR2004
        if not text:  # e.g. only part of a multi-byte character so far
            return []
        if self._cr or "\r" in text:
            text = self._normalize(text)
        if self._line:
            text = self._line + text
        lines = text.split("\n")
        self._line = lines.pop()
        events: list[tuple[str, str]] = []
        for line in lines:
            if not line:
                if self._data or self._event:
                    events.append((self._event, "\n".join(self._data)))
                    self._event = ""
                    self._data = []
            elif line.startswith("data:"):
                self._data.append(line[6:] if line[5:6] == " " else line[5:])
            elif line[0] != ":":
                name, _, value = line.partition(":")
                if name == "event":
                    self._event = value[1:] if value[:1] == " " else value
                elif name == "data":  # the line `data` (no colon) is an empty data line
                    self._data.append("")
        return events

    def _normalize(self, text: str) -> str:
        if self._cr:  # the previous read ended in CR, already taken as a line end
            self._cr = False
            text = text.removeprefix("\n")
        if text.endswith("\r"):
            self._cr = True
        return text.replace("\r\n", "\n").replace("\r", "\n")
