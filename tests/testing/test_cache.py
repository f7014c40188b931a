"""The local server's prompt cache: prefix reuse across requests, reported as cached_tokens."""

from __future__ import annotations

import uuid

from friendli_core.testing import LocalServer
from friendli_core.testing._cache import BLOCK_TOKENS, CAPACITY, MIN_TOKENS, PromptCache
from friendli_core.testing._tokens import count_tokens, pieces, render_chat
from tests.testing.helpers import chat_body, post, stream_chunks


def _words(count: int, tag: str) -> list[str]:
    return [f" {tag}{i}" for i in range(count)]


def test_short_prompts_are_never_cached() -> None:
    cache = PromptCache()
    prompt = _words(MIN_TOKENS - 1, "w")
    assert cache.read_and_store("m", prompt) == 0
    assert cache.read_and_store("m", prompt) == 0


def test_a_repeated_prompt_reads_its_full_blocks_but_the_last_token() -> None:
    cache = PromptCache()
    prompt = _words(MIN_TOKENS + BLOCK_TOKENS, "w")  # the last block's last token is computed
    assert cache.read_and_store("m", prompt) == 0
    assert cache.read_and_store("m", prompt) == MIN_TOKENS
    assert cache.read_and_store("m", [*prompt, " more"]) == MIN_TOKENS + BLOCK_TOKENS


def test_only_the_shared_prefix_of_the_same_model_is_read() -> None:
    cache = PromptCache()
    shared = _words(3 * BLOCK_TOKENS + 5, "s")
    cache.read_and_store("m", shared + _words(MIN_TOKENS, "a"))
    assert cache.read_and_store("m", shared + _words(MIN_TOKENS, "b")) == 3 * BLOCK_TOKENS
    assert cache.read_and_store("other", shared + _words(MIN_TOKENS, "b")) == 0
    # A different first block breaks the chain even when later blocks are equal.
    changed = [" x", *shared[1:], *_words(MIN_TOKENS, "a")]
    assert cache.read_and_store("m", changed) == 0


def test_the_cache_forgets_the_least_recently_used_blocks() -> None:
    cache = PromptCache()
    first = _words(MIN_TOKENS + 1, "first")
    cache.read_and_store("m", first)
    blocks = MIN_TOKENS // BLOCK_TOKENS
    for n in range(CAPACITY // blocks):
        cache.read_and_store("m", _words(MIN_TOKENS + 1, f"fill{n}-"))
    assert cache.read_and_store("m", first) == 0
    cache.clear()
    assert cache.read_and_store("m", first) == 0


def test_usage_reports_cached_tokens_for_a_repeated_long_prompt(
    friendli_server: LocalServer,
) -> None:
    text = "".join(_words(MIN_TOKENS, uuid.uuid4().hex[:6]))
    body = chat_body("serverless", text, max_tokens=5)
    prompt = count_tokens(render_chat(body["messages"], None))
    first = post(friendli_server, "serverless", "chat/completions", body).json()["usage"]
    assert first["prompt_tokens_details"] == {"cached_tokens": 0}
    second = post(friendli_server, "serverless", "chat/completions", body).json()["usage"]
    assert second["prompt_tokens"] == prompt
    assert second["prompt_tokens_details"]["cached_tokens"] == (prompt - 1) // BLOCK_TOKENS * (
        BLOCK_TOKENS
    )
    streamed = {**body, "stream": True, "stream_options": {"include_usage": True}}
    chunks = stream_chunks(
        post(friendli_server, "serverless", "chat/completions", streamed).content
    )
    assert chunks[-1]["usage"] == second
    assert len(pieces(text)) >= MIN_TOKENS
