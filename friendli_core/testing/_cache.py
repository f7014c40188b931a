"""The local server's prompt cache: prefix reuse across requests (pure; thread-safe).

Like the automatic prompt caching of hosted APIs, a prompt is cached in blocks of
``BLOCK_TOKENS`` tokens once it has at least ``MIN_TOKENS``, and a later prompt of the same
model reads from the cache the longest run of leading blocks an earlier prompt already sent
(each block keyed by a hash of everything up to its end, so only true prefixes match). The
last prompt token is always computed, so at most ``prompt_tokens - 1`` tokens are read; every
full block is stored.
``usage.prompt_tokens_details.cached_tokens`` reports what was read. The cache keeps the
``CAPACITY`` most recently used blocks and is driven by requests only (no per-test switch):
the same long prompt sent twice reads its blocks the second time.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

__all__ = ["BLOCK_TOKENS", "CAPACITY", "MIN_TOKENS", "PromptCache"]

BLOCK_TOKENS = 128
"""Tokens per cached block (reads are whole blocks)."""
MIN_TOKENS = 1024
"""Shorter prompts are neither cached nor read from the cache."""
CAPACITY = 65_536
"""Blocks kept, least recently used dropped first."""


class PromptCache:
    """Cached prompt blocks of every model served."""

    def __init__(self) -> None:
        """Start empty."""
        self._lock = threading.Lock()
        self._blocks: OrderedDict[bytes, None] = OrderedDict()

    @staticmethod
    def _keys(model: str | None, pieces: list[str]) -> list[bytes]:
        """One key per full block of the prompt."""
        chain = hashlib.blake2b((model or "").encode(), digest_size=16)
        keys = []
        for start in range(0, len(pieces) // BLOCK_TOKENS * BLOCK_TOKENS, BLOCK_TOKENS):
            chain.update("\x00".join(pieces[start : start + BLOCK_TOKENS]).encode())
            chain.update(b"\x01")
            keys.append(chain.copy().digest())
        return keys

    def read_and_store(self, model: str | None, pieces: list[str]) -> int:
        """The cached tokens of this prompt's prefix; its blocks are cached for later ones."""
        if len(pieces) < MIN_TOKENS:
            return 0
        keys = self._keys(model, pieces)
        with self._lock:
            hits = 0
            for key in keys[: (len(pieces) - 1) // BLOCK_TOKENS]:
                if key not in self._blocks:
                    break
                hits += 1
            for key in keys:
                self._blocks[key] = None
                self._blocks.move_to_end(key)
            while len(self._blocks) > CAPACITY:
                self._blocks.popitem(last=False)
        return hits * BLOCK_TOKENS

    def clear(self) -> None:
        """Forget every cached block."""
        with self._lock:
            self._blocks.clear()
