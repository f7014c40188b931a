"""The measured clients, behind one interface (`call`, `stream`, `acall`, `astream`).

Every client does the same work a user's code would: send a one-message chat request, get the
reply text (non-streaming), or iterate the stream and collect each content delta (streaming).
Nothing at module level imports a client library, so this module also runs in the separate
peers environment, where friendli_core is not installed. `benchmarks/figures.py` runs the
figures with them in a fresh process.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

from benchmarks.sse_server import MODEL

PROMPT = "Say something."
MESSAGES = [{"role": "user", "content": PROMPT}]
TOKEN = "bench-token"

__all__ = ["CLIENTS", "FRAMEWORK_FLOORS", "Client"]


class Client:
    """One way of calling the server. Subclasses implement the sync or the async pair."""

    label: ClassVar[str]
    env: ClassVar[str] = "main"  # "main" venv, or "peers" (benchmarks/.work/peers)
    sync: ClassVar[bool] = True  # figures (a)/(b) use call/stream; else acall/astream
    floor: ClassVar[bool] = False
    note: ClassVar[str] = ""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url  # http://127.0.0.1:PORT

    def call(self, n: int) -> str:
        raise NotImplementedError

    def stream(self, n: int) -> Iterator[str]:
        raise NotImplementedError

    async def acall(self, n: int) -> str:
        raise NotImplementedError

    def astream(self, n: int) -> AsyncIterator[str]:
        raise NotImplementedError

    def has_async(self) -> bool:
        return type(self).acall is not Client.acall

    def close(self) -> None:
        return None

    def probe_note(self) -> str:
        return ""

    async def aclose(self) -> None:
        return None


# --------------------------------------------------------------------------- the floor


def _floor_body(n: int, stream: bool) -> bytes:
    body: dict[str, Any] = {"model": MODEL, "messages": MESSAGES, "max_tokens": n}
    if stream:
        body["stream"] = True
    return json.dumps(body).encode()


class HttpxSync(Client):
    """Raw httpx.Client: the floor. POST, read, json.loads; SSE: lines, `data: `, json.loads."""

    label = "httpx.Client (floor)"
    floor = True

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        import httpx

        self.http = httpx.Client(
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        )
        self.url = f"{base_url}/serverless/v1/chat/completions"

    def call(self, n: int) -> str:
        response = self.http.post(self.url, content=_floor_body(n, stream=False))
        if response.status_code != 200:
            raise RuntimeError(response.status_code)
        content: str = json.loads(response.content)["choices"][0]["message"]["content"]
        return content

    def stream(self, n: int) -> Iterator[str]:
        with self.http.stream("POST", self.url, content=_floor_body(n, stream=True)) as response:
            if response.status_code != 200:
                raise RuntimeError(response.status_code)
            done = False  # read on after [DONE]: an unread body would close the connection
            for line in response.iter_lines():
                if done or not line.startswith("data: "):
                    continue
                data = line[6:]
                if data == "[DONE]":
                    done = True
                    continue
                for choice in json.loads(data)["choices"]:
                    content = choice["delta"].get("content")
                    if content:
                        yield content

    def close(self) -> None:
        self.http.close()


class HttpxAsync(Client):
    """Raw httpx.AsyncClient: the async floor, same minimum work as `HttpxSync`."""

    label = "httpx.AsyncClient (floor)"
    floor = True
    sync = False

    def __init__(self, base_url: str, pool: int | None = None) -> None:
        super().__init__(base_url)
        import httpx

        self.http = httpx.AsyncClient(
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
            # no pool timeout (5 s by default): with many in flight, the wait is what is measured
            timeout=httpx.Timeout(5.0, pool=None),
            **self.pool_options(pool),
        )
        self.url = f"{base_url}/serverless/v1/chat/completions"

    def pool_options(self, pool: int | None) -> dict[str, Any]:
        """httpx's default limits (100 connections, 20 kept alive), or `pool` of each."""
        if pool is None:
            return {}
        import httpx

        return {"limits": httpx.Limits(max_connections=pool, max_keepalive_connections=pool)}

    async def acall(self, n: int) -> str:
        response = await self.http.post(self.url, content=_floor_body(n, stream=False))
        if response.status_code != 200:
            raise RuntimeError(response.status_code)
        content: str = json.loads(response.content)["choices"][0]["message"]["content"]
        return content

    async def astream(self, n: int) -> AsyncIterator[str]:
        async with self.http.stream(
            "POST", self.url, content=_floor_body(n, stream=True)
        ) as response:
            if response.status_code != 200:
                raise RuntimeError(response.status_code)
            done = False  # as in `HttpxSync.stream`
            async for line in response.aiter_lines():
                if done or not line.startswith("data: "):
                    continue
                data = line[6:]
                if data == "[DONE]":
                    done = True
                    continue
                for choice in json.loads(data)["choices"]:
                    content = choice["delta"].get("content")
                    if content:
                        yield content

    async def aclose(self) -> None:
        await self.http.aclose()


class HttpxAsyncKeepAlive(HttpxAsync):
    """`HttpxAsync` with every connection kept alive, as many as the core's pool by default."""

    label = "httpx.AsyncClient, keep-alive = max connections"

    def pool_options(self, pool: int | None) -> dict[str, Any]:
        if pool is None:
            from friendli_core.config import DEFAULT_MAX_CONNECTIONS

            pool = DEFAULT_MAX_CONNECTIONS
        return super().pool_options(pool)


# --------------------------------------------------------------------------- friendli_core


class CoreSync(Client):
    label = "friendli_core FriendliClient"

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        from friendli_core import FriendliClient

        self.client = FriendliClient(token=TOKEN, base_url=f"{base_url}/serverless/v1")

    def call(self, n: int) -> str:
        reply = self.client.chat(model=MODEL, messages=MESSAGES, max_tokens=n)
        return reply.choices[0].message.content or ""

    def stream(self, n: int) -> Iterator[str]:
        for chunk in self.client.stream_chat(model=MODEL, messages=MESSAGES, max_tokens=n):
            for choice in chunk.choices:
                if choice.delta.content:
                    yield choice.delta.content

    def close(self) -> None:
        self.client.close()


class CoreAsync(Client):
    label = "friendli_core AsyncFriendliClient"
    sync = False

    def __init__(self, base_url: str, pool: int | None = None) -> None:
        super().__init__(base_url)
        from friendli_core import AsyncFriendliClient

        url = f"{base_url}/serverless/v1"
        if pool is None:
            self.client = AsyncFriendliClient(token=TOKEN, base_url=url)
        else:
            self.client = AsyncFriendliClient(token=TOKEN, base_url=url, max_connections=pool)

    async def acall(self, n: int) -> str:
        reply = await self.client.chat(model=MODEL, messages=MESSAGES, max_tokens=n)
        return reply.choices[0].message.content or ""

    async def astream(self, n: int) -> AsyncIterator[str]:
        stream = await self.client.stream_chat(model=MODEL, messages=MESSAGES, max_tokens=n)
        async for chunk in stream:
            for choice in chunk.choices:
                if choice.delta.content:
                    yield choice.delta.content

    async def aclose(self) -> None:
        await self.client.close()


# --------------------------------------------------------------------------- LangChain


class _LangChain(Client):
    """A LangChain chat model: invoke / stream / ainvoke with a string prompt."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        self._models: dict[int, Any] = {}

    def make(self, n: int) -> Any:
        raise NotImplementedError

    def model(self, n: int) -> Any:
        if n not in self._models:
            self._models[n] = self.make(n)
        return self._models[n]

    def call(self, n: int) -> str:
        content: str = self.model(n).invoke(PROMPT).content
        return content

    def stream(self, n: int) -> Iterator[str]:
        for chunk in self.model(n).stream(PROMPT):
            if chunk.content:
                yield chunk.content

    async def acall(self, n: int) -> str:
        content: str = (await self.model(n).ainvoke(PROMPT)).content
        return content

    async def astream(self, n: int) -> AsyncIterator[str]:
        async for chunk in self.model(n).astream(PROMPT):
            if chunk.content:
                yield chunk.content


class OursChatFriendli(_LangChain):
    label = "langchain_friendli ChatFriendli"

    def make(self, n: int) -> Any:
        from langchain_friendli import ChatFriendli

        return ChatFriendli(
            model=MODEL, api_key=TOKEN, base_url=f"{self.base_url}/serverless/v1", max_tokens=n
        )


class LangChainFloor(_LangChain):
    label = "floor: minimal langchain-core chat model on raw httpx"
    note = (
        "the cheapest BaseChatModel possible (benchmarks/framework_floor.py): the raw-httpx "
        "floor inside langchain-core's invoke/stream machinery; what it adds over the floor "
        "is langchain-core's own cost, which any LangChain chat model pays"
    )

    def make(self, n: int) -> Any:
        from benchmarks.framework_floor import FloorChatModel

        return FloorChatModel(base_url=self.base_url, tokens=n)


class LangChainOpenAI(_LangChain):
    label = "langchain_openai ChatOpenAI"

    def make(self, n: int) -> Any:
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=MODEL, api_key=TOKEN, base_url=f"{self.base_url}/v1", max_tokens=n)


class CommunityChatFriendli(_LangChain):
    label = "langchain_community ChatFriendli"
    env = "peers"

    def make(self, n: int, streaming: bool = True) -> Any:
        import friendli
        from langchain_community.chat_models.friendli import ChatFriendli

        url = f"{self.base_url}/serverless"  # friendli-client appends v1/chat/completions
        return ChatFriendli(
            model=MODEL,
            friendli_token=TOKEN,
            max_tokens=n,
            streaming=streaming,
            client=friendli.Friendli(token=TOKEN, base_url=url),
            async_client=friendli.AsyncFriendli(token=TOKEN, base_url=url),
        )

    def probe_note(self) -> str:
        pieces = [c.content for c in self.make(20, streaming=False).stream(PROMPT)]
        if len(pieces) <= 1:
            return (
                f".stream() with the default streaming=False gave {len(pieces)} chunk(s) for a "
                "20-token reply: it does not stream unless streaming=True (measured with it)"
            )
        return f".stream() with the default streaming=False gave {len(pieces)} chunks"


# --------------------------------------------------------------------------- LlamaIndex


class _LlamaIndex(Client):
    """A LlamaIndex LLM: chat / stream_chat / achat with one user message."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        from llama_index.core.llms import ChatMessage

        self.messages = [ChatMessage(role="user", content=PROMPT)]
        self._models: dict[int, Any] = {}

    def make(self, n: int) -> Any:
        raise NotImplementedError

    def model(self, n: int) -> Any:
        if n not in self._models:
            self._models[n] = self.make(n)
        return self._models[n]

    def call(self, n: int) -> str:
        return self.model(n).chat(self.messages).message.content or ""

    def stream(self, n: int) -> Iterator[str]:
        for response in self.model(n).stream_chat(self.messages):
            if response.delta:
                yield response.delta

    async def acall(self, n: int) -> str:
        return (await self.model(n).achat(self.messages)).message.content or ""

    async def astream(self, n: int) -> AsyncIterator[str]:
        async for response in await self.model(n).astream_chat(self.messages):
            if response.delta:
                yield response.delta


class OursFriendliLLM(_LlamaIndex):
    label = "llama_index_friendli FriendliLLM"

    def make(self, n: int) -> Any:
        from llama_index_friendli import FriendliLLM

        return FriendliLLM(
            model=MODEL, api_key=TOKEN, base_url=f"{self.base_url}/serverless/v1", max_tokens=n
        )


class LlamaIndexFloor(_LlamaIndex):
    label = "floor: minimal llama-index-core LLM on raw httpx"
    note = (
        "the cheapest LlamaIndex LLM possible (benchmarks/framework_floor.py): the raw-httpx "
        "floor inside llama-index-core's chat callbacks and instrumentation; what it adds "
        "over the floor is llama-index-core's own cost, which any LlamaIndex LLM pays"
    )

    def make(self, n: int) -> Any:
        from benchmarks.framework_floor import FloorLLM

        return FloorLLM(base_url=self.base_url, tokens=n)


class LlamaIndexOpenAILike(_LlamaIndex):
    label = "llama-index OpenAILike"

    def make(self, n: int) -> Any:
        from llama_index.llms.openai_like import OpenAILike

        return OpenAILike(
            model=MODEL,
            api_key=TOKEN,
            api_base=f"{self.base_url}/v1",
            is_chat_model=True,
            max_tokens=n,
            context_window=100_000_000,
        )


class LlamaIndexFriendli(_LlamaIndex):
    label = "llama-index-llms-friendli Friendli"
    env = "peers"

    def make(self, n: int) -> Any:
        import friendli
        from llama_index.llms.friendli import Friendli

        # it refuses model names it has no context size for; the server ignores the name
        llm = Friendli(model="llama-2-13b-chat", friendli_token=TOKEN, max_tokens=n)
        url = f"{self.base_url}/serverless"  # friendli-client appends v1/chat/completions
        llm._client = friendli.Friendli(token=TOKEN, base_url=url)  # noqa: SLF001
        llm._aclient = friendli.AsyncFriendli(token=TOKEN, base_url=url)  # noqa: SLF001
        return llm


CLIENTS: dict[str, type[Client]] = {
    "httpx": HttpxSync,
    "httpx-async": HttpxAsync,
    "httpx-async-keepalive": HttpxAsyncKeepAlive,
    "core": CoreSync,
    "core-async": CoreAsync,
    "chatfriendli": OursChatFriendli,
    "friendlillm": OursFriendliLLM,
    "lc-floor": LangChainFloor,
    "li-floor": LlamaIndexFloor,
    "chatopenai": LangChainOpenAI,
    "openailike": LlamaIndexOpenAILike,
    "community-chatfriendli": CommunityChatFriendli,
    "llamaindex-friendli": LlamaIndexFriendli,
}


# Each Friendli integration and the cheapest model its framework allows (its framework floor).
FRAMEWORK_FLOORS = {"chatfriendli": "lc-floor", "friendlillm": "li-floor"}
