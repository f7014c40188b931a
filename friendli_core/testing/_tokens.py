"""Deterministic, reversible word-piece tokenizer of the local emulator (pure).

Text is split into word-ish pieces (optional leading whitespace + a run of word characters, or a
single punctuation mark, or a whitespace run); every piece longer than 6 UTF-8 bytes is cut into
chunks of at most 6 bytes, on character boundaries. A piece's token id encodes its bytes
reversibly: ``id = (len(piece_bytes) << 48) | int.from_bytes(piece_bytes, "big")``. Ids are
therefore stable across processes and machines (no ``hash()``), and ``detokenize`` inverts
``tokenize`` exactly. Ids outside that scheme (e.g. ``128000`` from the spec examples) decode to
the placeholder ``<|id|>``.

Chat prompts are rendered with ``render_chat`` before counting, so ``usage.prompt_tokens`` equals
``len(tokenize(render_chat(messages, tools)))``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "count_tokens",
    "detokenize",
    "digest",
    "message_text",
    "pieces",
    "render_chat",
    "token_id",
    "tokenize",
]

_SPLIT = re.compile(r"\s*\w+|\s*[^\w\s]|\s+")
_MAX_BYTES = 6
_SHIFT = 48


def digest(*parts: object) -> int:
    """Return a stable 64-bit integer hash of ``parts`` (blake2b of their JSON form)."""
    data = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def _chunks(word: str) -> Iterable[str]:
    current = ""
    size = 0
    for char in word:
        width = len(char.encode())
        if current and size + width > _MAX_BYTES:
            yield current
            current, size = "", 0
        current += char
        size += width
    if current:
        yield current


def pieces(text: str) -> list[str]:
    """Split ``text`` into tokens; ``"".join(pieces(text)) == text``."""
    out: list[str] = []
    for match in _SPLIT.finditer(text):
        out.extend(_chunks(match.group()))
    return out


def token_id(piece: str) -> int:
    """Return the reversible id of one piece (at most 4 UTF-8 bytes)."""
    data = piece.encode()
    return (len(data) << _SHIFT) | int.from_bytes(data, "big")


def tokenize(text: str) -> list[int]:
    """Return the token ids of ``text``."""
    return [token_id(p) for p in pieces(text)]


def _decode_one(token: int) -> bytes:
    size = token >> _SHIFT
    value = token & ((1 << _SHIFT) - 1)
    if 1 <= size <= _MAX_BYTES and value < (1 << (8 * size)):
        return value.to_bytes(size, "big")
    return f"<|{token}|>".encode()


def detokenize(tokens: Sequence[int]) -> str:
    """Return the text of ``tokens`` (the exact inverse of ``tokenize``)."""
    return b"".join(_decode_one(t) for t in tokens).decode(errors="replace")


def count_tokens(text: str) -> int:
    """Return ``len(tokenize(text))`` without building the id list."""
    return len(pieces(text))


def message_text(content: Any) -> str:
    """Return the text of a message ``content`` (string, null, or a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, Mapping))
    return ""


def render_chat(messages: Sequence[Mapping[str, Any]], tools: Sequence[Any] | None) -> str:
    """Render a conversation (and its tool list) as the prompt text that usage counts."""
    lines = []
    if tools:
        lines.append(f"<|tools|>\n{json.dumps(list(tools), sort_keys=True)}\n")
    for message in messages:
        text = message_text(message.get("content"))
        for call in message.get("tool_calls") or ():
            function = call.get("function", {})
            text += f"\n{function.get('name', '')}({function.get('arguments', '')})"
        lines.append(f"<|{message.get('role', '')}|>\n{text}\n")
    lines.append("<|assistant|>\n")
    return "".join(lines)
