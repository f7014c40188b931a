"""Structured output of `FriendliLLM` against the local server (json_schema and function calling)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.prompts import PromptTemplate
from llama_index.core.types import PydanticProgramMode
from pydantic import BaseModel, Field

from friendli_core.testing import RequestLog
from llama_index_friendli import FriendliLLM


class Album(BaseModel):
    """An album."""

    title: str
    year: int = Field(ge=1900, le=2100)
    genre: str | None = None


class Song(BaseModel):
    """A song."""

    name: str
    seconds: int


class Playlist(BaseModel):
    """A playlist with songs."""

    owner: str
    songs: list[Song]


PROMPT = PromptTemplate("Describe the album {name}, released in 1969.")


async def test_structured_predict_sync_and_async(
    llm: FriendliLLM, friendli_requests: RequestLog
) -> None:
    sync = llm.structured_predict(Album, PROMPT, name="Abbey Road")
    asynchronous = await llm.astructured_predict(Album, PROMPT, name="Abbey Road")
    for album in (sync, asynchronous):
        assert isinstance(album, Album)
        assert album.year == 1969
    body = friendli_requests.last.body
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"schema": Album.model_json_schema()},
    }
    assert "tools" not in body
    assert body["messages"][-1] == {
        "role": "user",
        "content": "Describe the album Abbey Road, released in 1969.",
    }


async def test_nested_models(llm: FriendliLLM) -> None:
    playlist = await llm.astructured_predict(
        Playlist, PromptTemplate("Make a playlist for {who}."), who="Ann"
    )
    assert isinstance(playlist, Playlist)
    assert all(isinstance(song, Song) for song in playlist.songs)


async def test_stream_structured_predict(llm: FriendliLLM, friendli_requests: RequestLog) -> None:
    full = llm.structured_predict(Album, PROMPT, name="Let It Be")
    sync = list(llm.stream_structured_predict(Album, PROMPT, name="Let It Be"))
    asynchronous = [
        a async for a in await llm.astream_structured_predict(Album, PROMPT, name="Let It Be")
    ]
    for partials in (sync, asynchronous):
        assert len(partials) > 1
        assert partials[-1] == full
    assert friendli_requests.last.body["stream"] is True
    assert friendli_requests.last.body["response_format"]["type"] == "json_schema"


# StructuredLLM.stream_chat itself calls the deprecated pydantic `.json()` (llama-index-core 0.14.25)
@pytest.mark.filterwarnings("ignore:The `json` method is deprecated:DeprecationWarning")
async def test_as_structured_llm(llm: FriendliLLM, friendli_requests: RequestLog) -> None:
    structured = llm.as_structured_llm(Album)
    messages = [ChatMessage(role="user", content="Describe Revolver, released in 1966.")]
    for response in (structured.chat(messages), await structured.achat(messages)):
        assert isinstance(response.raw, Album)
        assert response.raw.year == 1966
        assert Album.model_validate_json(response.message.content or "") == response.raw
    assert friendli_requests.last.body["response_format"]["type"] == "json_schema"
    streamed = [r async for r in await structured.astream_chat(messages)]
    assert isinstance(streamed[-1].raw, Album)
    assert streamed[-1].raw == structured.chat(messages).raw
    assert friendli_requests[-2].body["stream"] is True


async def test_function_calling_fallback(
    make_llm: Callable[..., FriendliLLM], friendli_requests: RequestLog
) -> None:
    llm = make_llm(pydantic_program_mode=PydanticProgramMode.FUNCTION)
    sync = llm.structured_predict(Album, PROMPT, name="Abbey Road")
    asynchronous = await llm.astructured_predict(Album, PROMPT, name="Abbey Road")
    assert sync.year == asynchronous.year == 1969
    body = friendli_requests.last.body
    assert body["tool_choice"] == "required"
    assert [t["function"]["name"] for t in body["tools"]] == ["Album"]
    assert "response_format" not in body
    streamed = list(llm.stream_structured_predict(Album, PROMPT, name="Abbey Road"))
    assert streamed[-1] == sync
