"""Streams through the sync and async clients: iteration, close, reconnects and errors."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from friendli_core import (
    APIConnectionError,
    APIStreamError,
    ChatCompletion,
    ChatCompletionChunk,
    Completion,
    CompletionStreamAccumulator,
    FriendliClient,
    IncompleteStreamError,
    InternalServerError,
    RateLimitError,
    fold_chat_stream,
    fold_completion_stream,
)
from friendli_core._streaming import ChatStreamParser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CHAT = {"model": "deepseek-ai/DeepSeek-V3.2", "messages": [{"role": "user", "content": "Hi"}]}
COMPLETION = {"model": "deepseek-ai/DeepSeek-V3.2", "prompt": "This"}
CHAT_PAIRS = ["chat_basic", "chat_n2", "chat_tools", "chat_reasoning", "chat_logprobs"]


def _chunk(**fields: object) -> str:
    base: dict[str, object] = {"id": "c1", "object": "chat.completion.chunk", "created": 1}
    return json.dumps({**base, **fields})


# --------------------------------------------------------------------------- through the clients


async def _drain(mode: str, stream, into: list) -> None:
    """Iterate a stream into `into` chunk by chunk, so chunks before an error are kept."""
    if mode == "sync":
        into.extend(stream)  # list.extend keeps the items appended before an exception
    else:
        async for chunk in stream:
            into.append(chunk)  # noqa: PERF401 - a comprehension would drop them on error


def _handler(kit, body: bytes, **kw: object):
    return kit.Recorder([kit.sse_response(body, **kw)])


@pytest.mark.parametrize("name", CHAT_PAIRS)
async def test_fold_of_stream_equals_non_streaming_response(kit, mode: str, name: str) -> None:
    """Accumulator equivalence on recorded pairs (n>1, parallel tools, reasoning, logprobs)."""
    recorder = _handler(kit, kit.fixture_bytes(f"core_{name}.sse"))
    harness = kit.make_harness(mode, recorder)
    chunks = await harness.stream("stream_chat", **CHAT)
    expected = ChatCompletion.model_validate(kit.fixture_json(f"core_{name}.json"))
    assert fold_chat_stream(chunks).model_dump() == expected.model_dump()
    assert len(recorder.requests) == 1
    await harness.close()


async def test_stream_chunks_in_order_with_usage_chunk_last(kit, mode: str) -> None:
    harness = kit.make_harness(mode, _handler(kit, kit.fixture_bytes("core_chat_basic.sse")))
    chunks = await harness.stream("stream_chat", **CHAT)
    # 5 data events; 3 keep-alive comments and [DONE] yield nothing
    assert len(chunks) == 5
    assert [c.choices[0].delta.content for c in chunks[:3]] == [
        "Hello",
        " there",
        ", how may I help?",
    ]
    assert chunks[3].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.prompt_tokens_details.cached_tokens == 0


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
async def test_any_sse_line_ending(kit, mode: str, line_end: str) -> None:
    text = kit.fixture_bytes("core_chat_reasoning.sse").decode().replace("\r\n", "\n")
    body = text.replace("\n", line_end).encode()
    harness = kit.make_harness(mode, _handler(kit, body))
    result = fold_chat_stream(await harness.stream("stream_chat", **CHAT))
    assert result.choices[0].message.reasoning_content == "The user greets me. I should greet back."
    assert result.choices[0].message.content == "Hi! Nice to meet you."


@pytest.mark.parametrize("coding", ["gzip", "deflate", "identity", " Identity "])
async def test_content_coded_streams_are_decoded(kit, mode: str, coding: str) -> None:
    """A compressed event stream is decoded before framing; an identity one is read raw."""
    raw = kit.fixture_bytes("core_chat_logprobs.sse")
    if coding == "gzip":
        raw = gzip.compress(raw)
    elif coding == "deflate":
        raw = zlib.compress(raw)
    pieces = [raw[i : i + 7] for i in range(0, len(raw), 7)]

    def handler(_: httpx.Request) -> httpx.Response:
        response = kit.sse_response(pieces)
        response.headers["content-encoding"] = coding
        return response

    harness = kit.make_harness(mode, handler)
    result = fold_chat_stream(await harness.stream("stream_chat", **CHAT))
    assert result.choices[0].message.content == "Héllo 世界 👋"


async def test_byte_at_a_time_delivery(kit, mode: str) -> None:
    """Every byte boundary at once, including inside multibyte UTF-8 characters."""
    raw = kit.fixture_bytes("core_chat_logprobs.sse")
    pieces = [raw[i : i + 1] for i in range(len(raw))]
    harness = kit.make_harness(mode, _handler(kit, pieces))
    result = fold_chat_stream(await harness.stream("stream_chat", **CHAT))
    assert result.choices[0].message.content == "Héllo 世界 👋"
    expected = ChatCompletion.model_validate(kit.fixture_json("core_chat_logprobs.json"))
    assert result.model_dump() == expected.model_dump()


async def test_split_inside_every_multibyte_character(kit, mode: str) -> None:
    raw = kit.fixture_bytes("core_chat_logprobs.sse")
    inside = [i for i in range(1, len(raw)) if raw[i] & 0xC0 == 0x80]  # UTF-8 continuation bytes
    assert len(inside) >= 20  # é, 世界 and 👋, in content and in logprob tokens
    for at in inside:
        harness = kit.make_harness(mode, _handler(kit, [raw[:at], raw[at:]]))
        result = fold_chat_stream(await harness.stream("stream_chat", **CHAT))
        assert result.choices[0].message.content == "Héllo 世界 👋", at
        lp = result.choices[0].logprobs
        assert lp is not None
        assert lp.content is not None
        assert [c.token for c in lp.content] == ["Héllo", " 世界", " 👋"], at


def _sync_chunks(pieces: list[bytes]) -> list[dict[str, object]]:
    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=iter(pieces)
        )

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with FriendliClient(token="flp_x", http_client=http) as client:
        return [c.model_dump() for c in client.stream_chat(**CHAT)]


_RAW = (FIXTURES / "core_chat_logprobs.sse").read_bytes()
_WHOLE = _sync_chunks([_RAW])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cuts=st.lists(st.integers(min_value=1, max_value=len(_RAW) - 1), max_size=25))
def test_arbitrary_chunking_gives_the_same_chunks(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    pieces = [_RAW[a:b] for a, b in zip([0, *points], [*points, len(_RAW)], strict=True)]
    assert _sync_chunks(pieces) == _WHOLE


async def test_error_event_mid_stream_raises_typed_error_and_is_not_retried(kit, mode: str) -> None:
    recorder = _handler(kit, kit.fixture_bytes("core_chat_error_event.sse"))
    harness = kit.make_harness(mode, recorder)
    stream = await harness.call("stream_chat", **CHAT)
    seen: list[ChatCompletionChunk] = []
    with pytest.raises(InternalServerError) as info:
        await _drain(mode, stream, seen)
    assert [c.choices[0].delta.content for c in seen] == ["Partial"]
    assert info.value.status_code == 503
    assert info.value.api_message == "The server is overloaded"
    assert len(recorder.requests) == 1  # a broken stream after the first chunk is never retried
    assert harness.sleeps == []


async def test_error_json_mid_stream_raises_rate_limit(kit, mode: str) -> None:
    harness = kit.make_harness(mode, _handler(kit, kit.fixture_bytes("core_chat_error_json.sse")))
    with pytest.raises(RateLimitError) as info:
        await harness.stream("stream_chat", **CHAT)
    assert info.value.api_message == "Rate limit reached for tokens"


@pytest.mark.parametrize("name", ["core_chat_truncated.sse", "core_chat_no_finish.sse"])
async def test_stream_that_ends_early_is_incomplete(kit, mode: str, name: str) -> None:
    harness = kit.make_harness(mode, _handler(kit, kit.fixture_bytes(name)))
    with pytest.raises(IncompleteStreamError):
        await harness.stream("stream_chat", **CHAT)


async def test_empty_choice_chunks_in_the_middle_are_harmless(kit, mode: str) -> None:
    text = kit.fixture_bytes("core_chat_basic.sse").decode()
    empty = 'data: {"id":"x","object":"chat.completion.chunk","created":1,"choices":[]}\n\n'
    first_event_end = text.index("\n\n", text.index("data:")) + 2
    body = (text[:first_event_end] + empty + text[first_event_end:]).encode()
    harness = kit.make_harness(mode, _handler(kit, body))
    chunks = await harness.stream("stream_chat", **CHAT)
    assert any(c.choices == [] and c.usage is None for c in chunks)
    folded = fold_chat_stream(chunks)
    assert folded.choices[0].message.content == "Hello there, how may I help?"
    assert folded.id == "chatcmpl-4b71d12c86d94e719c7e3984a7bb7941"  # first id wins


async def test_completions_stream_folds_to_the_non_streaming_text(kit, mode: str) -> None:
    harness = kit.make_harness(mode, _handler(kit, kit.fixture_bytes("core_completions_basic.sse")))
    chunks = await harness.stream("stream_completions", **COMPLETION)
    folded = fold_completion_stream(chunks)
    expected = Completion.model_validate(kit.fixture_json("core_completions_basic.json"))
    # the spec's chunks carry `created` and no `seed`; the plain response the reverse
    for got, want in zip(folded.choices, expected.choices, strict=True):
        assert (got.index, got.text, got.tokens, got.finish_reason, got.logprobs) == (
            want.index,
            want.text,
            want.tokens,
            want.finish_reason,
            want.logprobs,
        )
    assert (folded.id, folded.model, folded.usage) == (expected.id, expected.model, expected.usage)


async def test_completions_stream_n2_with_logprobs(kit, mode: str) -> None:
    harness = kit.make_harness(
        mode, _handler(kit, kit.fixture_bytes("core_completions_logprobs.sse"))
    )
    folded = fold_completion_stream(await harness.stream("stream_completions", **COMPLETION))
    expected = Completion.model_validate(kit.fixture_json("core_completions_logprobs.json"))
    assert [c.model_dump(exclude={"seed"}) for c in folded.choices] == [
        c.model_dump(exclude={"seed"}) for c in expected.choices
    ]


async def test_legacy_completions_stream(kit, mode: str) -> None:
    harness = kit.make_harness(
        mode, _handler(kit, kit.fixture_bytes("core_completions_legacy.sse"))
    )
    chunks = await harness.stream("stream_completions", **COMPLETION)
    acc = CompletionStreamAccumulator()
    for chunk in chunks:
        acc.feed(chunk)
    choice = acc.result().choices[0]
    assert (choice.text, choice.tokens, choice.finish_reason) == (
        "This is a test",
        [2028, 374, 264],
        "stop",
    )
    assert choice.seed == 16410528593216713765
    assert acc.result().usage is not None


async def test_wrong_content_type_is_a_stream_error_and_not_retried(kit, mode: str) -> None:
    """A server that ignores `stream: true` and answers JSON: a protocol error, not a retry."""
    body = json.dumps(kit.fixture_json("core_chat_basic.json")).encode()
    response = httpx.Response(200, headers={"content-type": "application/json"}, content=body)
    recorder = kit.Recorder([response])
    harness = kit.make_harness(mode, recorder)
    with pytest.raises(APIStreamError, match="text/event-stream") as info:
        await harness.stream("stream_chat", **CHAT)
    assert not isinstance(info.value, APIConnectionError)
    assert len(recorder.requests) == 1
    assert harness.sleeps == []


async def test_connection_lost_after_first_chunk_raises_and_is_not_retried(kit, mode: str) -> None:
    raw = kit.fixture_bytes("core_chat_basic.sse")
    cut = raw.index(b"\n\n", raw.index(b"data:")) + 2
    recorder = kit.Recorder([kit.sse_response([raw[:cut]], error=httpx.ReadError("peer reset"))])
    harness = kit.make_harness(mode, recorder)
    stream = await harness.call("stream_chat", **CHAT)
    seen: list[ChatCompletionChunk] = []
    with pytest.raises(APIConnectionError, match="peer reset"):
        await _drain(mode, stream, seen)
    assert len(seen) == 1
    assert len(recorder.requests) == 1


async def test_breaking_out_early_closes_the_response(kit, mode: str) -> None:
    body = kit.PiecesStream([kit.fixture_bytes("core_chat_basic.sse")])
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=body)
    harness = kit.make_harness(mode, kit.Recorder([response]))
    stream = await harness.call("stream_chat", **CHAT)
    if mode == "sync":
        with stream:
            for _ in stream:
                break
    else:
        async with stream:
            async for _ in stream:
                break
    assert stream.response.is_closed
    assert body.closed


def test_parser_is_fed_by_any_sse_framing() -> None:
    """The parsers take (event, data) pairs; a non-`message` event name is never a chunk."""
    parser = ChatStreamParser()
    assert parser.feed("message", _chunk(choices=[])) is not None
    assert parser.feed("", _chunk(choices=[])) is not None
    assert parser.feed("delta", _chunk(choices=[])) is None
