"""Integration tests run against the local Friendli-compatible server (`friendli_core.testing`).

The standard image and audio tests download their inputs with `httpx.get` from the internet;
here `offline_media` serves them a PNG or WAV generated in the test instead, so they run offline.
"""

from __future__ import annotations

import io
import struct
import wave
import zlib

import httpx
import pytest


def make_png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small solid-colour PNG, built with the standard library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def make_wav(seconds: float = 0.1, rate: int = 8000) -> bytes:
    """A short silent mono 16-bit WAV, built with the standard library."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


@pytest.fixture
def offline_media(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `httpx.get` of an image/.wav URL return generated media; other URLs fail loudly."""
    media = {(".png", ".jpg", ".jpeg"): make_png(), (".wav",): make_wav()}

    def fake_get(url: str, *args: object, **kwargs: object) -> httpx.Response:
        for suffixes, content in media.items():
            if str(url).lower().endswith(suffixes):
                return httpx.Response(200, content=content, request=httpx.Request("GET", url))
        msg = f"offline test: refusing to download {url}"
        raise AssertionError(msg)

    monkeypatch.setattr(httpx, "get", fake_get)
    # langchain-tests asks downloaders to identify themselves; nothing is downloaded here.
    monkeypatch.setenv("LANGCHAIN_TESTS_USER_AGENT", "friendli-integrations offline tests")
