"""The measured clients, and the figures measured in one fresh process.

`python -m benchmarks.clients CLIENT FIGURES --url URL [sizes...]` pins itself to CPU 0 (when
the machine has two or more), builds CLIENT pointed at the benchmark server, runs each figure
of the comma-separated FIGURES (`a`, `b`, `c`, `e`, or `probe`) and prints one JSON object
`{figure: result}` on stdout. `python -m benchmarks.clients --import MODULE` is figure (d).

Every client does the same work a user's code would: send a one-message chat request, get the
reply text (non-streaming), or iterate the stream and collect each content delta (streaming).
Nothing at module level imports a client library, so this module also runs in the separate
peers environment, where friendli_core is not installed.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from benchmarks.sse_server import MODEL, expected_text, pin_to_cpu

PROMPT = "Say something."
MESSAGES = [{"role": "user", "content": PROMPT}]
TOKEN = "bench-token"

__all__ = ["CLIENTS", "Client", "run_figures"]


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
            for line in response.iter_lines():
                if not line.startswith("data: "):
                    continue
                data = line[6:]
                if data == "[DONE]":
                    break
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

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        import httpx

        self.http = httpx.AsyncClient(
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
        )
        self.url = f"{base_url}/serverless/v1/chat/completions"

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
            async for line in response.aiter_lines():
                if not line.startswith("data: "):
                    continue
                data = line[6:]
                if data == "[DONE]":
                    break
                for choice in json.loads(data)["choices"]:
                    content = choice["delta"].get("content")
                    if content:
                        yield content

    async def aclose(self) -> None:
        await self.http.aclose()


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

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
        from friendli_core import AsyncFriendliClient

        self.client = AsyncFriendliClient(token=TOKEN, base_url=f"{base_url}/serverless/v1")

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

# --------------------------------------------------------------------------- figures


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _check(text: str, n: int, what: str) -> None:
    expected = expected_text(n)
    if text != expected:
        msg = f"{what}: wrong text ({len(text)} chars, expected {len(expected)})"
        raise RuntimeError(msg)


def _ns() -> int:
    return time.perf_counter_ns()


def _settle() -> None:
    """Collect the garbage of imports and warm-up before measuring.

    A process that has just imported a framework has a full collection pending (about 70 ms
    with langchain-core loaded); left alone it lands in whichever measured call or stream
    crosses the threshold (with two streams of 200 tokens it multiplied the per-token cost by
    ten). A long-running application paid it long before its first request.
    """
    gc.collect()


def fig_a(client: Client, calls: int, tokens: int, warmup: int) -> dict[str, Any]:
    """(a) Non-streaming call: latency per call (median) and CPU per call (mean)."""
    latencies: list[float] = []
    if client.sync:
        for _ in range(warmup):
            _check(client.call(tokens), tokens, "call")
        _settle()
        cpu0 = time.process_time()
        wall0 = _ns()
        for _ in range(calls):
            t0 = _ns()
            client.call(tokens)
            latencies.append((_ns() - t0) / 1e3)
        wall = (_ns() - wall0) / 1e3
        cpu = (time.process_time() - cpu0) * 1e6
    else:

        async def body() -> tuple[float, float]:
            for _ in range(warmup):
                _check(await client.acall(tokens), tokens, "acall")
            _settle()
            cpu0 = time.process_time()
            wall0 = _ns()
            for _ in range(calls):
                t0 = _ns()
                await client.acall(tokens)
                latencies.append((_ns() - t0) / 1e3)
            result = (_ns() - wall0) / 1e3, (time.process_time() - cpu0) * 1e6
            await client.aclose()
            return result

        wall, cpu = asyncio.run(body())
    return {
        "latency_us": _median(latencies),
        "latency_p90_us": statistics.quantiles(latencies, n=10)[-1] if calls >= 10 else None,
        "cpu_us": cpu / calls,
        "wall_us": wall / calls,
        "calls": calls,
    }


def _stream_stats(times: list[tuple[float, float, float, int]], tokens: int) -> dict[str, Any]:
    # times: (total_us, ttft_us, cpu_us, pieces) per stream
    total = _median([t[0] for t in times])
    return {
        "tokens_per_s": tokens / (total / 1e6),
        "stream_ms": total / 1e3,
        "ttft_us": _median([t[1] for t in times]),
        "cpu_us_per_token": _median([t[2] for t in times]) / tokens,
        "pieces": min(t[3] for t in times),
        "streams": len(times),
        "tokens": tokens,
    }


def fig_b(client: Client, streams: int, tokens: int, warmup: int) -> dict[str, Any]:
    """(b) Streaming: tokens/s over the whole reply and time to first token."""
    times: list[tuple[float, float, float, int]] = []
    if client.sync:
        for _ in range(warmup):
            _check("".join(client.stream(tokens)), tokens, "stream")
        _settle()
        for _ in range(streams):
            cpu0 = time.process_time()
            t0 = _ns()
            first = 0
            parts: list[str] = []
            for piece in client.stream(tokens):
                if not first:
                    first = _ns()
                parts.append(piece)
            end = _ns()
            cpu = (time.process_time() - cpu0) * 1e6
            _check("".join(parts), tokens, "stream")
            times.append(((end - t0) / 1e3, (first - t0) / 1e3, cpu, len(parts)))
    else:

        async def body() -> None:
            for _ in range(warmup):
                _check("".join([p async for p in client.astream(tokens)]), tokens, "astream")
            _settle()
            for _ in range(streams):
                cpu0 = time.process_time()
                t0 = _ns()
                first = 0
                parts: list[str] = []
                async for piece in client.astream(tokens):
                    if not first:
                        first = _ns()
                    parts.append(piece)
                end = _ns()
                cpu = (time.process_time() - cpu0) * 1e6
                _check("".join(parts), tokens, "astream")
                times.append(((end - t0) / 1e3, (first - t0) / 1e3, cpu, len(parts)))
            await client.aclose()

        asyncio.run(body())
    return _stream_stats(times, tokens)


def fig_c(client: Client, calls: int, concurrency: int, repeats: int) -> dict[str, Any]:
    """(c) `calls` async non-streaming calls with `concurrency` in flight: wall time per batch."""
    if not client.has_async():
        msg = "no async API"
        raise RuntimeError(msg)
    tokens = 16

    async def batch() -> None:
        sem = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with sem:
                _check(await client.acall(tokens), tokens, "acall")

        await asyncio.gather(*(one() for _ in range(calls)))

    async def body() -> tuple[list[float], list[float]]:
        await batch()  # warm-up: opens the connections
        _settle()
        walls: list[float] = []
        cpus: list[float] = []
        for _ in range(repeats):
            cpu0 = time.process_time()
            t0 = _ns()
            await batch()
            walls.append((_ns() - t0) / 1e6)
            cpus.append((time.process_time() - cpu0) * 1e3)
        await client.aclose()
        return walls, cpus

    walls, cpus = asyncio.run(body())
    wall = _median(walls)
    return {
        "wall_ms": wall,
        "calls_per_s": calls / (wall / 1e3),
        "cpu_ms": _median(cpus),
        "calls": calls,
        "concurrency": concurrency,
    }


def _rss_kib() -> int:
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def fig_e(client: Client, tokens: int) -> dict[str, Any]:
    """(e) One `tokens`-token stream under tracemalloc: peak traced memory at checkpoints.

    The harness keeps no text (it only counts characters), so any growth is the client's; a
    client that keeps the text (e.g. to hand a final message to callbacks) grows by about its
    size, which is reported beside it.
    """
    import tracemalloc

    marks = sorted({max(1, tokens // 10), tokens // 2, tokens})
    samples: list[dict[str, int]] = []
    # warm-up with a short stream so lazy imports and pools are not counted
    warm = 50
    if client.sync:
        _check("".join(client.stream(warm)), warm, "stream")
    count = chars = 0
    base = 0
    t0 = 0

    def start() -> None:
        nonlocal base, t0
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        t0 = _ns()

    def sample() -> None:
        current, peak = tracemalloc.get_traced_memory()
        samples.append(
            {
                "tokens": count,
                "chars": chars,
                "current_kib": (current - base) // 1024,
                "peak_kib": (peak - base) // 1024,
                "rss_kib": _rss_kib(),
            }
        )

    if client.sync:
        start()
        for piece in client.stream(tokens):
            count += 1
            chars += len(piece)
            if count in marks:
                sample()
    else:

        async def body() -> None:
            nonlocal count, chars
            _check("".join([p async for p in client.astream(warm)]), warm, "astream")
            start()
            async for piece in client.astream(tokens):
                count += 1
                chars += len(piece)
                if count in marks:
                    sample()
            await client.aclose()

        asyncio.run(body())
    seconds = (_ns() - t0) / 1e9
    tracemalloc.stop()
    if count != tokens or chars != len(expected_text(tokens)):
        msg = f"stream gave {count} pieces / {chars} chars for {tokens} tokens"
        raise RuntimeError(msg)
    first, last = samples[0], samples[-1]
    per = 10_000 / max(1, last["tokens"] - first["tokens"])
    growth = (last["peak_kib"] - first["peak_kib"]) * per
    text = (last["chars"] - first["chars"]) * per / 1024
    return {
        "samples": samples,
        "growth_kib_per_10k": growth,
        "text_kib_per_10k": text,
        "beyond_text_kib_per_10k": max(0.0, growth - text),
        "seconds": seconds,
    }


def probe(client: Client) -> dict[str, Any]:
    """A tiny check that the client works against the server (call, stream, async call)."""
    result: dict[str, Any] = {"label": client.label}
    n = 5
    if client.sync:
        _check(client.call(n), n, "call")
        pieces = list(client.stream(n))
    else:

        async def body() -> list[str]:
            _check(await client.acall(n), n, "acall")
            return [p async for p in client.astream(n)]

        pieces = asyncio.run(body())
    _check("".join(pieces), n, "stream")
    result["pieces"] = len(pieces)
    result["note"] = client.probe_note()
    return result


def run_figures(
    name: str, figures: list[str], url: str, args: argparse.Namespace
) -> dict[str, Any]:
    """Build the client and run the figures in this process; errors are returned, not raised."""
    out: dict[str, Any] = {}
    for figure in figures:
        factory: Callable[[], dict[str, Any]]
        client = CLIENTS[name](url)
        if figure == "a":
            factory = functools.partial(fig_a, client, args.calls, args.call_tokens, args.warmup)
        elif figure == "b":
            factory = functools.partial(fig_b, client, args.streams, args.stream_tokens, 1)
        elif figure == "c":
            factory = functools.partial(
                fig_c, client, args.async_calls, args.concurrency, args.repeats
            )
        elif figure == "e":
            factory = functools.partial(fig_e, client, args.mem_tokens)
        elif figure == "probe":
            factory = functools.partial(probe, client)
        else:
            msg = f"unknown figure {figure!r}"
            raise SystemExit(msg)
        try:
            out[figure] = factory()
        except Exception as exc:
            out[figure] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        finally:
            if client.sync:
                client.close()
    return out


IMPORT_SNIPPET = """\
import time, json
def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
r0 = rss()
base = {base!r}
t0 = time.perf_counter()
if base:
    __import__(base)
mark = time.perf_counter()
{statement}
t1 = time.perf_counter()
out = {{"import_ms": (t1 - t0) * 1e3, "rss_kib": rss(), "rss_before_kib": r0}}
if base:
    out["over_ms"] = (t1 - mark) * 1e3
first_use = {first_use!r}
if first_use:
    t2 = time.perf_counter()
    exec(first_use)
    out["first_use_ms"] = (time.perf_counter() - t2) * 1e3
print(json.dumps(out))
"""

# How a user imports each module, where `import MODULE` alone would not load what they use:
# the core package's names load on first access (PEP 562), so time the clients themselves.
IMPORT_STATEMENT = {
    "friendli_core": "from friendli_core import AsyncFriendliClient, FriendliClient",
}

# What a user does right after importing an integration, before the first request: build the
# model and its HTTP client. Reported next to the import time (a module that defers imports
# to first use pays them here), not part of the import targets.
FIRST_USE = {
    "httpx": "httpx.Client()",
    "friendli_core": f"FriendliClient(token={TOKEN!r})",
    "langchain_friendli": (
        f"langchain_friendli.ChatFriendli(model={MODEL!r}, api_key={TOKEN!r}).client"
    ),
    "langchain_openai": f"langchain_openai.ChatOpenAI(model={MODEL!r}, api_key={TOKEN!r}).client",
    "llama_index_friendli": (
        f"llama_index_friendli.FriendliLLM(model={MODEL!r}, api_key={TOKEN!r})._sync_client()"
    ),
    "llama_index.llms.openai_like": (
        f"llama_index.llms.openai_like.OpenAILike(model={MODEL!r}, api_key={TOKEN!r})._get_client()"
    ),
    "langchain_community.chat_models.friendli": (
        "langchain_community.chat_models.friendli.ChatFriendli("
        f"model={MODEL!r}, friendli_token={TOKEN!r}).client"
    ),
    "llama_index.llms.friendli": (
        f"llama_index.llms.friendli.Friendli(model={MODEL!r}, friendli_token={TOKEN!r})._client"
    ),
}


def main(argv: list[str] | None = None) -> None:
    """Command line entry point (one fresh process per client and round)."""
    parser = argparse.ArgumentParser(description="Run benchmark figures for one client.")
    parser.add_argument("client", nargs="?", choices=sorted(CLIENTS))
    parser.add_argument("figures", nargs="?", default="a,b,c")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--cpu", type=int, default=0, help="CPU to pin to; -1 for none")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--call-tokens", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--streams", type=int, default=8)
    parser.add_argument("--stream-tokens", type=int, default=2000)
    parser.add_argument("--async-calls", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--mem-tokens", type=int, default=100_000)
    parser.add_argument("--import", dest="module", help="figure (d): time importing MODULE")
    parser.add_argument(
        "--import-base",
        default="",
        help="(d): import this module first and also time MODULE's import on top of it",
    )
    args = parser.parse_args(argv)
    if args.cpu >= 0:
        pin_to_cpu(args.cpu)
    if args.module:
        code = IMPORT_SNIPPET.format(
            module=args.module,
            statement=IMPORT_STATEMENT.get(args.module, f"import {args.module}"),
            base=args.import_base,
            first_use=FIRST_USE.get(args.module, ""),
        )
        os.execv(sys.executable, [sys.executable, "-c", code])
    if not args.client:
        parser.error("client is required")
    result = run_figures(args.client, args.figures.split(","), args.url, args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
