"""Deterministic text embeddings for the local server: a hashed bag of words and n-grams.

Each word (lower-cased) and each character trigram of it adds a signed weight to one of `DIM`
buckets picked by a keyed hash (blake2b: the same in every process, unlike `hash`); the vector
is normalised to length 1. So the same text always gets the same vector, texts sharing words
(or word stems) are measurably closer than unrelated ones, and retrieval over a few chunks
finds the one that shares the question's words. Very common words weigh less, as in tf-idf.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct

__all__ = ["DIM", "embed_text", "encode_base64"]

DIM = 256
_WORD = re.compile(r"\w+")
_COMMON = frozenset(
    """a an and are as at be by did do does for from has have he her his how i in is it its me my
    not of on or our she that the their them they this to was we were what when where which who
    why will with you your""".split()  # noqa: SIM905 - a word list reads better as text
)
_WORD_WEIGHT = 1.0
_COMMON_WEIGHT = 0.1
_GRAM_WEIGHT = 0.35


def _bucket(feature: str) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
    number = int.from_bytes(digest, "little")
    return number % DIM, 1.0 if number >> 63 else -1.0


def _features(text: str) -> list[tuple[str, float]]:
    features: list[tuple[str, float]] = []
    for word in _WORD.findall(text.lower()):
        common = word in _COMMON
        features.append((f"w:{word}", _COMMON_WEIGHT if common else _WORD_WEIGHT))
        if common:
            continue
        padded = f"<{word}>"
        features.extend((f"g:{padded[i : i + 3]}", _GRAM_WEIGHT) for i in range(len(padded) - 2))
    # A text without words (empty, punctuation) still gets a unit vector of its own.
    return features or [(f"t:{text}", 1.0)]


def embed_text(text: str) -> list[float]:
    """The unit vector of `text` (`DIM` floats)."""
    vector = [0.0] * DIM
    for feature, weight in _features(text):
        index, sign = _bucket(feature)
        vector[index] += sign * weight
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector]


def encode_base64(vector: list[float]) -> str:
    """`vector` as base64 of little-endian float32 values (OpenAI's `encoding_format`)."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
