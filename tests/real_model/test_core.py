"""`friendli_core` against llama.cpp's OpenAI-compatible server (endpoint="openai-compatible").

Assertions are on shape (types, counts, finish reasons, the fold of a stream equal to its
chunks), never on wording: SmolLM2's output varies with the slot's cache state.
"""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest
from pydantic import BaseModel, ConfigDict

from friendli_core import (
    AsyncFriendliClient,
    AuthenticationError,
    BadRequestError,
    ChatCompletion,
    ChatCompletionChunk,
    Completion,
    FriendliClient,
    NotFoundError,
    fold_chat_stream,
    fold_completion_stream,
)
from tests import atoma
from tests.real_model.helpers import (
    API_KEY,
    EXAMPLE_CALL_ID,
    HELLO,
    ONE_SHOT_TOOL_HISTORY,
    PARALLEL,
    SHORT,
    WEATHER_TOOL,
)
from tests.real_model.server import MODEL_ALIAS

pytestmark = pytest.mark.real_model


def _check_usage(reply: ChatCompletion | Completion, max_tokens: int) -> None:
    usage = reply.usage
    assert usage is not None
    assert usage.prompt_tokens > 0
    assert 0 < usage.completion_tokens <= max_tokens
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


# --------------------------------------------------------------------------- chat


def test_chat_returns_a_typed_completion_and_keeps_extra_fields(client: FriendliClient) -> None:
    reply = client.chat(messages=HELLO, max_tokens=SHORT)

    assert reply.model == MODEL_ALIAS
    assert reply.id
    assert len(reply.choices) == 1
    choice = reply.choices[0]
    assert choice.message.role == "assistant"
    assert isinstance(choice.message.content, str)
    assert choice.message.content
    assert choice.message.tool_calls is None
    assert choice.finish_reason in {"stop", "length"}
    _check_usage(reply, SHORT)
    # llama.cpp adds fields Friendli does not document: they are kept, not rejected.
    extra = reply.model_extra or {}
    assert "timings" in extra
    assert "system_fingerprint" in extra


def test_stream_chat_folds_to_the_sum_of_its_chunks(client: FriendliClient) -> None:
    with client.stream_chat(messages=HELLO, max_tokens=SHORT) as stream:
        chunks: list[ChatCompletionChunk] = list(stream)

    text = "".join(c.delta.content or "" for chunk in chunks for c in chunk.choices)
    folded = fold_chat_stream(chunks)
    assert folded.choices[0].message.content == text
    assert text
    assert folded.choices[0].finish_reason in {"stop", "length"}
    # usage arrives in a final chunk with `choices: []` (stream_options.include_usage is sent)
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    _check_usage(folded, SHORT)
    assert folded.model == MODEL_ALIAS
    # the folded stream has the shape of a non-streamed reply
    reply = client.chat(messages=HELLO, max_tokens=SHORT)
    assert set(folded.model_dump(exclude_none=True)) <= set(reply.model_dump(exclude_none=True))


def test_greedy_stream_and_non_stream_agree_in_token_counts(client: FriendliClient) -> None:
    params = {"messages": HELLO, "max_tokens": SHORT, "temperature": 0.0}
    reply = client.chat(**params)  # type: ignore[arg-type]
    with client.stream_chat(**params) as stream:  # type: ignore[arg-type]
        folded = fold_chat_stream(list(stream))
    assert reply.usage is not None
    assert folded.usage is not None
    assert folded.usage.prompt_tokens == reply.usage.prompt_tokens


async def test_async_chat_and_stream(aclient: AsyncFriendliClient) -> None:
    reply = await aclient.chat(messages=HELLO, max_tokens=SHORT)
    assert reply.choices[0].message.content
    _check_usage(reply, SHORT)

    stream = await aclient.stream_chat(messages=HELLO, max_tokens=SHORT)
    async with stream:
        chunks = [chunk async for chunk in stream]
    folded = fold_chat_stream(chunks)
    text = "".join(c.delta.content or "" for chunk in chunks for c in chunk.choices)
    assert folded.choices[0].message.content == text
    _check_usage(folded, SHORT)


async def test_concurrent_requests_use_parallel_slots(aclient: AsyncFriendliClient) -> None:
    replies = await asyncio.gather(
        *(aclient.chat(messages=HELLO, max_tokens=8) for _ in range(PARALLEL))
    )
    assert all(r.choices[0].message.content for r in replies)
    assert len({r.id for r in replies}) == PARALLEL


def test_n_up_to_the_slot_count_returns_that_many_choices(client: FriendliClient) -> None:
    reply = client.chat(messages=HELLO, max_tokens=8, n=PARALLEL)
    assert [c.index for c in reply.choices] == list(range(PARALLEL))
    assert all(c.message.content for c in reply.choices)


# --------------------------------------------------------------------------- logprobs


def _check_logprob_count(entries: int, completion_tokens: int) -> None:
    # llama.cpp counts the end-of-generation token in usage but sends no logprob for it
    assert entries in {completion_tokens, completion_tokens - 1}
    assert entries > 0


def test_chat_logprobs_non_streamed(client: FriendliClient) -> None:
    reply = client.chat(
        messages=HELLO, max_tokens=8, temperature=0.0, logprobs=True, top_logprobs=2
    )
    logprobs = reply.choices[0].logprobs
    assert logprobs is not None
    assert logprobs.content is not None
    assert reply.usage is not None
    _check_logprob_count(len(logprobs.content), reply.usage.completion_tokens)
    for entry in logprobs.content:
        assert entry.logprob <= 0.0
        assert len(entry.top_logprobs) == 2
        # greedy decoding: the sampled token is the most likely one
        assert entry.top_logprobs[0].token == entry.token
        assert entry.top_logprobs[0].logprob >= entry.top_logprobs[1].logprob
    assert "".join(e.token for e in logprobs.content) == reply.choices[0].message.content


def test_chat_logprobs_streamed_fold_into_one_list(client: FriendliClient) -> None:
    with client.stream_chat(messages=HELLO, max_tokens=8, logprobs=True, top_logprobs=3) as stream:
        folded = fold_chat_stream(list(stream))
    logprobs = folded.choices[0].logprobs
    assert logprobs is not None
    assert logprobs.content is not None
    assert folded.usage is not None
    _check_logprob_count(len(logprobs.content), folded.usage.completion_tokens)
    assert all(len(e.top_logprobs) == 3 for e in logprobs.content)
    assert "".join(e.token for e in logprobs.content) == folded.choices[0].message.content


# --------------------------------------------------------------------------- structured output


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    age: int


def test_json_schema_response_format_is_enforced(client: FriendliClient) -> None:
    schema = Person.model_json_schema()
    reply = client.chat(
        messages=[{"role": "user", "content": "Describe a person as JSON."}],
        max_tokens=48,
        temperature=0.0,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "person", "schema": schema},
        },
    )
    choice = reply.choices[0]
    assert choice.finish_reason == "stop"
    person = Person.model_validate_json(choice.message.content or "")
    assert isinstance(person.age, int)


def test_json_object_response_format_starts_a_json_object(client: FriendliClient) -> None:
    reply = client.chat(
        messages=[{"role": "user", "content": "Describe a cat as JSON."}],
        max_tokens=SHORT,
        response_format={"type": "json_object"},
    )
    assert (reply.choices[0].message.content or "").lstrip().startswith("{")


# --------------------------------------------------------------------------- sampling controls


COUNT_PROMPT = "1, 2, 3, 4, 5,"


def test_stop_sequence_ends_the_completion_before_it(client: FriendliClient) -> None:
    free = client.completions(prompt=COUNT_PROMPT, max_tokens=12, temperature=0.0)
    stopped = client.completions(prompt=COUNT_PROMPT, max_tokens=12, temperature=0.0, stop=[" 8"])
    assert " 8" in free.choices[0].text  # greedy counting reaches 8 within 12 tokens
    text = stopped.choices[0].text
    assert stopped.choices[0].finish_reason == "stop"
    assert " 8" not in text
    assert free.choices[0].text.startswith(text)


def test_chat_stop_sequence(client: FriendliClient) -> None:
    reply = client.chat(messages=HELLO, max_tokens=SHORT, stop=[" "])
    choice = reply.choices[0]
    assert choice.finish_reason == "stop"
    assert " " not in (choice.message.content or "")
    assert reply.usage is not None
    assert reply.usage.completion_tokens < SHORT


def test_same_seed_gives_the_same_sample(client: FriendliClient) -> None:
    params = {
        "messages": [{"role": "user", "content": "Tell me a story."}],
        "max_tokens": 12,
        "temperature": 1.0,
        "seed": 42,
    }
    first = client.chat(**params)  # type: ignore[arg-type]
    second = client.chat(**params)  # type: ignore[arg-type]
    assert first.choices[0].message.content == second.choices[0].message.content


# --------------------------------------------------------------------------- completions


def test_completions_and_stream(client: FriendliClient) -> None:
    reply = client.completions(prompt="The capital of France is", max_tokens=8)
    assert reply.object == "text_completion"
    assert reply.choices[0].text
    assert reply.choices[0].finish_reason in {"stop", "length"}
    _check_usage(reply, 8)

    with client.stream_completions(prompt="The capital of France is", max_tokens=8) as stream:
        chunks = list(stream)
    folded = fold_completion_stream(chunks)
    assert folded.choices[0].text == "".join(c.text for chunk in chunks for c in chunk.choices)
    assert folded.choices[0].text
    assert folded.choices[0].finish_reason in {"stop", "length"}
    _check_usage(folded, 8)


def test_completions_logprobs_are_readable(client: FriendliClient) -> None:
    # llama.cpp answers in the chat shape ({"content": [...]}); the client converts it to the
    # documented legacy fields, which would otherwise be silently empty.
    params = {"prompt": "The capital of France is", "max_tokens": 6, "logprobs": 2}
    reply = client.completions(**params)  # type: ignore[arg-type]
    with client.stream_completions(**params) as stream:  # type: ignore[arg-type]
        folded = fold_completion_stream(list(stream))
    for result in (reply, folded):
        choice = result.choices[0]
        logprobs = choice.logprobs
        assert logprobs is not None
        assert result.usage is not None
        n = len(logprobs.tokens)
        _check_logprob_count(n, result.usage.completion_tokens)
        assert "".join(logprobs.tokens) == choice.text
        assert len(logprobs.token_logprobs) == n
        assert all(lp is not None and lp <= 0.0 for lp in logprobs.token_logprobs)
        assert logprobs.text_offset == [len("".join(logprobs.tokens[:i])) for i in range(n)]
        assert logprobs.top_logprobs is not None
        assert len(logprobs.top_logprobs) == n
        assert all(top is not None and 1 <= len(top) <= 2 for top in logprobs.top_logprobs)


def test_atomas_openai_fields_are_accepted_by_llama_cpp(client: FriendliClient) -> None:
    """Atoma's documented request (OpenAI's suffix, user, logit_bias...) on a real server."""
    params = {**atoma.REQUEST, "model": MODEL_ALIAS, "max_tokens": 6}
    reply = client.completions(**params)
    [choice] = reply.choices
    assert choice.logprobs is not None
    assert choice.logprobs.tokens
    assert choice.logprobs.top_logprobs is not None
    assert all(top is not None and len(top) == 1 for top in choice.logprobs.top_logprobs)


def test_list_models_names_the_alias(client: FriendliClient) -> None:
    catalog = client.list_models()
    assert [m.id for m in catalog] == [MODEL_ALIAS]
    # llama.cpp reports the per-slot context (n_ctx / n_parallel) under `meta`
    assert catalog[0].context_window == catalog[0].model_extra["meta"]["n_ctx"]


def test_tokenize_is_not_served_under_the_openai_base_url(client: FriendliClient) -> None:
    # llama.cpp serves `/tokenize` at the root with `{"content": ...}` (not `/v1/tokenize` with
    # `{"prompt": ...}` as Friendli does): the client reports the 404 as a typed error.
    with pytest.raises(NotFoundError) as info:
        client.tokenize("Hello world")
    assert info.value.status_code == 404
    assert info.value.path == "/v1/tokenize"


# --------------------------------------------------------------------------- errors


def test_wrong_api_key_is_an_authentication_error(base_url: str) -> None:
    with (
        FriendliClient(
            endpoint="openai-compatible", base_url=base_url, token="sk-wrong", max_retries=0
        ) as bad,
        pytest.raises(AuthenticationError) as info,
    ):
        bad.chat(messages=HELLO, max_tokens=4)
    error = info.value
    assert error.status_code == 401
    assert error.api_message
    assert error.type == "authentication_error"
    assert "sk-wrong" not in str(error)
    assert "sk-wrong" not in repr(error)


def test_missing_api_key_is_an_authentication_error(base_url: str) -> None:
    # the openai-compatible endpoint sends no Authorization header without a token
    anon = FriendliClient(endpoint="openai-compatible", base_url=base_url, max_retries=0)
    with anon, pytest.raises(AuthenticationError) as info:
        anon.stream_chat(messages=HELLO, max_tokens=4)
    assert "OPENAI_COMPATIBLE_API_KEY" in str(info.value)  # how to send one, here and in workers


def test_too_many_choices_is_a_bad_request_with_the_server_message(
    client: FriendliClient,
) -> None:
    with pytest.raises(BadRequestError) as info:
        client.chat(messages=HELLO, max_tokens=4, n=PARALLEL + 1)
    error = info.value
    assert error.status_code == 400
    assert isinstance(error.body, dict)
    assert error.api_message == error.body["error"]["message"]
    assert error.api_message
    assert error.api_message in str(error)
    assert error.type == "invalid_request_error"


def test_bad_schema_is_a_bad_request_when_streaming(client: FriendliClient) -> None:
    bad_schema = {"type": "object", "properties": {"a": {"type": "no-such-type"}}}
    with pytest.raises(BadRequestError) as info:
        client.stream_chat(
            messages=HELLO,
            max_tokens=4,
            response_format={"type": "json_schema", "json_schema": {"schema": bad_schema}},
        )
    assert info.value.api_message


def test_prompt_over_the_context_is_a_bad_request(client: FriendliClient) -> None:
    # each slot gets n_ctx / n_parallel = 2048 tokens; llama.cpp refuses before evaluating
    with pytest.raises(BadRequestError) as info:
        client.chat(messages=[{"role": "user", "content": "word " * 3000}], max_tokens=4)
    assert info.value.type == "exceed_context_size_error"
    assert info.value.api_message


def test_friendli_only_regex_format_is_refused_by_the_server(client: FriendliClient) -> None:
    # Friendli's `regex` response_format passes our checks; llama.cpp answers 400 with its reason
    with pytest.raises(BadRequestError) as info:
        client.chat(
            messages=HELLO, max_tokens=4, response_format={"type": "regex", "schema": "(yes|no)"}
        )
    assert info.value.api_message
    assert info.value.type == "invalid_request_error"


# --------------------------------------------------------------------------- tools


def _tool_params() -> dict[str, object]:
    return {
        "messages": ONE_SHOT_TOOL_HISTORY,
        "tools": [WEATHER_TOOL],
        "max_tokens": 48,
        "temperature": 0.0,
    }


def test_tool_call_from_a_one_shot_history(client: FriendliClient) -> None:
    reply = client.chat(**_tool_params())  # type: ignore[arg-type]
    choice = reply.choices[0]
    assert choice.finish_reason == "tool_calls"
    # llama.cpp sends `content: ""` (not null) next to tool_calls
    assert not choice.message.content
    calls = choice.message.tool_calls
    assert calls is not None
    assert len(calls) == 1
    assert calls[0].id
    assert calls[0].id != EXAMPLE_CALL_ID
    assert calls[0].function.name == "get_weather"
    assert isinstance(json.loads(calls[0].function.arguments).get("city"), str)


def test_streamed_tool_call_folds_like_the_non_streamed_one(client: FriendliClient) -> None:
    with client.stream_chat(**_tool_params()) as stream:  # type: ignore[arg-type]
        chunks = list(stream)
    folded = fold_chat_stream(chunks)
    choice = folded.choices[0]
    assert choice.finish_reason == "tool_calls"
    calls = choice.message.tool_calls
    assert calls is not None
    assert len(calls) == 1
    assert calls[0].id
    assert calls[0].function.name == "get_weather"
    assert isinstance(json.loads(calls[0].function.arguments).get("city"), str)
    fragments = [tc for chunk in chunks for c in chunk.choices for tc in (c.delta.tool_calls or ())]
    assert len(fragments) > 1  # the arguments really were streamed in pieces


def test_tool_result_round_trip(client: FriendliClient) -> None:
    first = client.chat(**_tool_params())  # type: ignore[arg-type]
    message = first.choices[0].message
    assert message.tool_calls
    call = message.tool_calls[0]
    history = [
        *ONE_SHOT_TOOL_HISTORY,
        message.model_dump(exclude_none=True),  # sent back as received
        {"role": "tool", "tool_call_id": call.id, "content": json.dumps({"temperature_c": 21})},
    ]
    reply = client.chat(messages=history, tools=[WEATHER_TOOL], max_tokens=32, temperature=0.0)
    answer = reply.choices[0]
    assert answer.finish_reason in {"stop", "length", "tool_calls"}
    assert answer.message.content or answer.message.tool_calls


# --------------------------------------------------------------------------- connections


def test_connection_dropped_after_a_stream_is_retried(
    base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # llama.cpp (cpp-httplib) sometimes closes a kept-alive connection just after a streamed
    # response; the next request sent on it fails before any response ("Server disconnected
    # without sending a response"). The default retry policy resends it on a new connection.
    caplog.set_level(logging.INFO, logger="friendli_core")
    with FriendliClient(
        endpoint="openai-compatible", base_url=base_url, token=API_KEY, sleep=lambda _: None
    ) as c:
        for _ in range(6):
            with c.stream_chat(messages=HELLO, max_tokens=2) as stream:
                chunks = list(stream)
            assert fold_chat_stream(chunks).choices[0].finish_reason in {"stop", "length"}
    retries = [r for r in caplog.records if "Retrying" in r.getMessage()]
    assert all("APIConnectionError" in r.getMessage() for r in retries)


# --------------------------------------------------------------------------- raw wire checks


def test_server_sends_keys_our_models_do_not_declare(real_server: object, base_url: str) -> None:
    # A guard for the findings above: if llama.cpp starts sending the legacy completions
    # logprobs shape or `null` tool-call content, the notes in the README must change.
    with httpx.Client(timeout=60) as http:
        body = http.post(
            f"{base_url}/completions",
            headers={"Authorization": f"Bearer {API_KEY}"},
            json={"prompt": "Hi", "max_tokens": 2, "logprobs": 1},
        ).json()
    assert "content" in body["choices"][0]["logprobs"]
    assert "tokens" not in body["choices"][0]["logprobs"]
