"""SSE decoding and chunk accumulation, pure and through both clients over MockTransport.

The transcripts in tests/fixtures/core_*.sse are raw response bodies in the API's streaming wire
format (keep-alive comments, CRLF, `id:`/`retry:` fields, usage-only chunks,
`[DONE]`); each core_*.json beside one is the non-streaming response of the same generation.
"""

from __future__ import annotations

import json

import pytest

from friendli_core import (
    APIStatusError,
    APIStreamError,
    ChatCompletionChunk,
    ChatStreamAccumulator,
    CompletionChunk,
    IncompleteStreamError,
    InternalServerError,
    RateLimitError,
    UnprocessableEntityError,
    fold_completion_stream,
)
from friendli_core._streaming import ChatStreamParser, CompletionStreamParser


def _chunk(**fields: object) -> str:
    base: dict[str, object] = {"id": "c1", "object": "chat.completion.chunk", "created": 1}
    return json.dumps({**base, **fields})


# --------------------------------------------------------------------------- pure parser


class TestChatParser:
    def test_keep_alives_and_blank_data_are_skipped(self) -> None:
        parser = ChatStreamParser("POST", "/v1/chat/completions")
        assert parser.feed("", "") is None
        assert parser.feed("message", "   ") is None
        chunk = parser.feed("message", _chunk(choices=[{"index": 0, "delta": {"content": "a"}}]))
        assert isinstance(chunk, ChatCompletionChunk)
        assert chunk.choices[0].delta.content == "a"

    def test_unknown_named_events_are_ignored(self) -> None:
        parser = ChatStreamParser()
        assert parser.feed("ping", '{"ts": 1}') is None
        assert parser.feed("tool_status", '{"status": "STARTED"}') is None

    def test_done_ends_the_stream_and_later_events_are_ignored(self) -> None:
        parser = ChatStreamParser()
        parser.feed("message", _chunk(choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]))
        assert parser.feed("message", "[DONE]") is None
        assert parser.done
        assert (
            parser.feed("message", _chunk(choices=[{"index": 0, "delta": {"content": "x"}}]))
            is None
        )
        parser.close()  # complete: no error

    def test_error_event_raises_typed_status_error(self) -> None:
        parser = ChatStreamParser("POST", "/serverless/v1/chat/completions")
        body = '{"error": {"message": "Overloaded", "type": "server_error", "code": 503}}'
        with pytest.raises(InternalServerError) as info:
            parser.feed("error", body)
        err = info.value
        assert err.status_code == 503
        assert err.api_message == "Overloaded"
        assert err.type == "server_error"
        assert err.path == "/serverless/v1/chat/completions"

    def test_error_event_without_code_is_a_500(self) -> None:
        with pytest.raises(InternalServerError) as info:
            ChatStreamParser().feed("error", "upstream died")
        assert info.value.status_code == 500
        assert info.value.api_message == "upstream died"

    @pytest.mark.parametrize(
        ("payload", "cls", "status"),
        [
            ({"error": {"message": "slow down", "code": 429}}, RateLimitError, 429),
            ({"error": {"message": "boom"}}, InternalServerError, 500),
            ({"error": "plain string error", "status": 503}, InternalServerError, 503),
        ],
    )
    def test_error_json_mid_stream_raises(
        self, payload: dict[str, object], cls: type[APIStatusError], status: int
    ) -> None:
        parser = ChatStreamParser()
        parser.feed("message", _chunk(choices=[{"index": 0, "delta": {"content": "a"}}]))
        with pytest.raises(cls) as info:
            parser.feed("message", json.dumps(payload))
        assert info.value.status_code == status

    @pytest.mark.parametrize("data", ["{not json", "[1, 2]", '{"choices": "nope"}', "42"])
    def test_malformed_data_raises_stream_error(self, data: str) -> None:
        with pytest.raises(APIStreamError) as info:
            ChatStreamParser().feed("message", data)
        assert not isinstance(info.value, IncompleteStreamError)

    def test_usage_only_and_empty_choice_chunks_pass_through(self) -> None:
        parser = ChatStreamParser()
        empty = parser.feed("message", _chunk(choices=[]))
        usage = parser.feed(
            "message",
            _chunk(
                choices=[], usage={"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
            ),
        )
        assert empty is not None
        assert empty.choices == []
        assert usage is not None
        assert usage.usage is not None
        assert usage.usage.total_tokens == 3

    def test_close_without_done_is_incomplete(self) -> None:
        parser = ChatStreamParser()
        parser.feed("message", _chunk(choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]))
        with pytest.raises(IncompleteStreamError, match=r"\[DONE\]"):
            parser.close()

    def test_close_with_unfinished_choice_is_incomplete(self) -> None:
        parser = ChatStreamParser()
        parser.feed("message", _chunk(choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]))
        parser.feed("message", _chunk(choices=[{"index": 1, "delta": {"content": "x"}}]))
        parser.feed("message", "[DONE]")
        with pytest.raises(IncompleteStreamError, match=r"\[1\]"):
            parser.close()


class TestCompletionParser:
    def test_current_format(self) -> None:
        parser = CompletionStreamParser()
        data = {
            "id": "cmpl-1",
            "object": "text_completion",
            "created": 1,
            "choices": [
                {
                    "index": 0,
                    "text": " such",
                    "token": 1778,
                    "finish_reason": None,
                    "logprobs": None,
                }
            ],
        }
        chunk = parser.feed("message", json.dumps(data))
        assert isinstance(chunk, CompletionChunk)
        assert (chunk.choices[0].text, chunk.choices[0].token) == (" such", 1778)

    def test_legacy_events_convert_and_complete_ends_the_stream(self) -> None:
        parser = CompletionStreamParser()
        first = parser.feed(
            "message", '{"event": "token_sampled", "index": 0, "text": "Hi", "token": 5}'
        )
        assert first is not None
        assert (first.choices[0].text, first.choices[0].token) == ("Hi", 5)
        last = parser.feed(
            "message",
            '{"event": "complete", "choices": [{"index": 0, "seed": 18446744073709551615, '
            '"text": "Hi", "tokens": [5]}], "usage": {"prompt_tokens": 1, "completion_tokens": 1,'
            ' "total_tokens": 2}}',
        )
        assert last is not None
        assert last.choices[0].finish_reason == "stop"
        assert last.choices[0].seed == 18446744073709551615  # full uint64, exact
        assert last.usage is not None
        parser.close()  # legacy streams end without [DONE]

    def test_unknown_legacy_event_is_a_stream_error(self) -> None:
        with pytest.raises(APIStreamError, match="bogus"):
            CompletionStreamParser().feed("message", '{"event": "bogus"}')

    def test_error_object_raises(self) -> None:
        with pytest.raises(UnprocessableEntityError) as info:
            CompletionStreamParser().feed("message", '{"error": {"message": "bad", "code": 422}}')
        assert info.value.api_message == "bad"


# --------------------------------------------------------------------------- accumulators


def test_accumulator_merges_tool_fragments_by_index_and_keeps_first_id_and_name() -> None:
    def frag(**tc: object) -> ChatCompletionChunk:
        return ChatCompletionChunk.model_validate(
            {"choices": [{"index": 0, "delta": {"tool_calls": [tc]}}]}
        )

    acc = ChatStreamAccumulator()
    acc.feed(frag(index=1, id="b", type="function", function={"name": "g", "arguments": "{"}))
    acc.feed(frag(index=0, id="a", type="function", function={"name": "f", "arguments": ""}))
    acc.feed(frag(index=1, type="function", function={"arguments": "}"}))
    acc.feed(frag(index=0, id="zzz", type="function", function={"name": "zzz", "arguments": "{}"}))
    calls = acc.result().choices[0].message.tool_calls
    assert calls is not None
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        ("a", "f", "{}"),
        ("b", "g", "{}"),
    ]


def test_accumulator_result_is_a_snapshot_that_keeps_growing() -> None:
    acc = ChatStreamAccumulator()
    acc.feed(
        ChatCompletionChunk.model_validate({"choices": [{"index": 0, "delta": {"content": "a"}}]})
    )
    assert acc.result().choices[0].message.content == "a"
    acc.feed(
        ChatCompletionChunk.model_validate({"choices": [{"index": 0, "delta": {"content": "b"}}]})
    )
    assert acc.result().choices[0].message.content == "ab"


def test_completion_accumulator_merges_logprobs_and_seed() -> None:
    def c(**choice: object) -> CompletionChunk:
        return CompletionChunk.model_validate({"choices": [choice]})

    lp = {
        "tokens": ["a"],
        "token_logprobs": [-0.1],
        "text_offset": [0],
        "top_logprobs": [{"a": -0.1}],
    }
    lp2 = {
        "tokens": ["b"],
        "token_logprobs": [-0.2],
        "text_offset": [1],
        "top_logprobs": [{"b": -0.2}],
    }
    first = c(index=0, text="a", token=1, logprobs=lp)
    result = fold_completion_stream(
        [
            first,
            c(index=0, text="b", token=2, logprobs=lp2),
            c(index=0, finish_reason="stop", seed=9),
        ]
    )
    choice = result.choices[0]
    assert (choice.text, choice.tokens, choice.finish_reason, choice.seed) == (
        "ab",
        [1, 2],
        "stop",
        9,
    )
    assert choice.logprobs is not None
    assert choice.logprobs.tokens == ["a", "b"]
    assert choice.logprobs.top_logprobs == [{"a": -0.1}, {"b": -0.2}]
    # folding never mutates the chunks it was given
    assert first.choices[0].logprobs is not None
    assert first.choices[0].logprobs.tokens == ["a"]
