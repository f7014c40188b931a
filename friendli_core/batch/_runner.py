"""The batch runner: stream the input, send with bounded, adaptive concurrency, append results.

Memory is flat in the number of lines: the input is read twice, line by line (a check of every
line and id before anything is sent, then the run), and only the ids are kept (to refuse
duplicates and to skip what the output already holds). Each finished request is written as
one line and flushed at once, with no `await` in between, so cancelling (SIGINT, SIGTERM)
never leaves half a line; a killed process (kill -9) leaves at most one incomplete last line,
which the next run drops (that request is sent again).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Unpack, cast

import httpx

from friendli_core._base import ClientOptions
from friendli_core._client import AsyncFriendliClient
from friendli_core._protocol import build_headers
from friendli_core._upstream_hooks.httpx_client import OwnedAsyncClient
from friendli_core.batch._breaker import STOP_AFTER, ConnectionBreaker
from friendli_core.batch._files import check_output, check_paths, drop_error_lines
from friendli_core.batch._format import (
    BatchLine,
    InvalidLine,
    failure_line,
    parse_line,
    read_output,
    scan_input,
    success_line,
)
from friendli_core.batch._limit import Gate
from friendli_core.batch._progress import BatchResult, Progress, make_progress
from friendli_core.catalog import ModelInfo
from friendli_core.config import DEFAULT_MAX_CONNECTIONS, ENV_VARS, url_origin
from friendli_core.errors import (
    APIConnectionError,
    AuthenticationError,
    FriendliError,
    InvalidRequestError,
    PermissionDeniedError,
)
from friendli_core.pricing import UsageCounts, priced_entry, usage_cost

__all__ = ["DEFAULT_CONCURRENCY", "DEFAULT_MAX_RETRIES", "BatchRunner", "arun", "run"]

DEFAULT_CONCURRENCY = 16
DEFAULT_MAX_RETRIES = 5
"""More than the clients' 2: a long job meets rate limits and restarts, and each retry waits
as long as the server's Retry-After asks."""
_RATE_LIMITED = 429
_TAIL_CHUNK = 65536

StrPath = str | os.PathLike[str]


@dataclass
class _Slot:
    """What the httpx hooks note about the request of the current task."""

    sent_at: float = 0.0
    request_id: str | None = None
    body: bytes = b""  # of the last 2xx response: the reply as the server sent it


_SLOT: ContextVar[_Slot | None] = ContextVar("friendli_batch_slot", default=None)


# The keyword-only options of the client's methods (timeout, extra_headers): a body field with
# one of these names would be taken as the option instead of being checked as a parameter.
_CALL_OPTIONS = frozenset(
    name
    for method in (AsyncFriendliClient.chat, AsyncFriendliClient.completions)
    for name, param in inspect.signature(method).parameters.items()
    if param.kind is inspect.Parameter.KEYWORD_ONLY
)


def _not_call_options(item: BatchLine) -> BatchLine | InvalidLine:
    clash = sorted(_CALL_OPTIONS & item.body.keys())
    if clash:
        message = f"Unknown {item.kind} parameter {clash[0]!r} (not a request parameter)."
        return InvalidLine(item.line, item.custom_id, message)
    return item


def drop_incomplete_tail(path: Path) -> bool:
    """Cut an incomplete last line (a write cut by kill -9) off `path`; True if one was cut."""
    with path.open("r+b") as file:
        end = file.seek(0, os.SEEK_END)
        position = end
        while position > 0:
            start = max(0, position - _TAIL_CHUNK)
            file.seek(start)
            chunk = file.read(position - start)
            if position == end and chunk.endswith(b"\n"):
                return False
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                file.truncate(start + newline + 1)
                return True
            position = start
        if end:
            file.truncate(0)
        return bool(end)


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        yield from file


class _BatchClient(AsyncFriendliClient):
    """An `AsyncFriendliClient` whose own pool is made by `make_http` (limits, hooks)."""

    def __init__(
        self, make_http: Callable[..., httpx.AsyncClient], **options: Unpack[ClientOptions]
    ) -> None:
        self._owned_http = make_http
        super().__init__(**options)


class BatchRunner:
    """One run of an input file into an output file (see `friendli_core.batch`)."""

    def __init__(
        self,
        input_path: StrPath,
        output_path: StrPath,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        progress: bool | None = None,
        progress_stream: IO[str] | None = None,
        retry_failed: bool = False,
        **options: Unpack[ClientOptions],
    ) -> None:
        """Configure the run; nothing is read or sent before `run()`.

        Args:
            input_path: The OpenAI batch input file (JSONL).
            output_path: The output file; created, or resumed when it exists.
            concurrency: The most requests in flight (lowered while 429s arrive).
            retry_failed: Send again every request whose line in the output is an error
                (those lines are removed first, so each request ends with one line).
            progress: A progress bar (True), plain lines (False), or decide from the stream.
            progress_stream: Where progress and notes go (default stderr).
            **options: Client options (token, base_url, endpoint, team_id, timeout, ...);
                `max_retries` defaults to `DEFAULT_MAX_RETRIES`.
        """
        self.input = Path(input_path)
        self.output = Path(output_path)
        self.result = BatchResult(self.output)
        self._gate = Gate(concurrency)
        self._progress_choice = progress
        self._stream = progress_stream
        self._options: dict[str, Any] = {"max_retries": DEFAULT_MAX_RETRIES, **options}
        self._tasks: list[asyncio.Task[None]] = []
        self._interrupts = 0
        self._progress: Progress | None = None
        self._retry_failed = retry_failed
        self._breaker = ConnectionBreaker()
        self._entries: dict[str | None, ModelInfo | None] = {}

    def interrupt(self) -> None:
        """First call: send nothing more, let those in flight finish; second: abandon them."""
        self._interrupts += 1
        self.result.interrupted = True
        if self._interrupts == 1:
            self._note(
                f"Stopping: waiting for the {self._gate.in_flight} request(s) in flight "
                "(interrupt again to abandon them; they are sent again on resume)."
            )
            self._gate.close()
        else:
            for task in self._tasks:
                task.cancel()

    @property
    def concurrency(self) -> int:
        """How many requests may be in flight now: the AIMD window, lowered by 429s."""
        return self._gate.window.slots

    @property
    def in_flight(self) -> int:
        """How many requests are in flight now (a retry waiting out Retry-After included)."""
        return self._gate.in_flight

    async def run(self) -> BatchResult:
        """Check the files, then send every request the output does not hold yet.

        Raises:
            BatchInputError: The input or output file is refused; nothing was sent.
            MissingTokenError: No token for serverless/dedicated; nothing was sent.
        """
        started = time.monotonic()
        check_paths(self.input, self.output)
        ids, self.result.total = scan_input(_lines(self.input))
        done = self._resume_state(ids)
        self.result.skipped = len(done & ids)
        client = self._make_client()
        self.result.token_variable = ENV_VARS[client.config.endpoint].token
        try:
            build_headers(client.config)  # a missing token fails here, before any line is written
            self._progress = make_progress(
                self.result.total,
                self.result.skipped,
                stream=self._stream,
                bar=self._progress_choice,
            )
            # unbuffered: each line is one write call, on the file at once (nothing to flush)
            with self.output.open("ab", buffering=0) as out:
                await self._dispatch(client, out, done)
                for line in self._breaker.release():  # unanswered, but the run did not stop
                    self._write(out, line, failed=True)
        finally:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await client.close()
            if self._progress is not None:
                self._progress.close()
            self.result.seconds = time.monotonic() - started
            if self._gate.window.lowest < self._gate.window.maximum:
                self.result.lowest_concurrency = self._gate.window.lowest
        return self.result

    def _resume_state(self, ids: set[str]) -> set[str]:
        if not self.output.exists():
            return set()
        check_output(self.output)  # before the file is changed: it may be another file
        if drop_incomplete_tail(self.output):
            self._note(f"{self.output}: dropped an incomplete last line (a run was killed).")
        if self._retry_failed and (dropped := drop_error_lines(self.output)):
            self._note(f"{self.output}: sending the {dropped} request(s) of its error lines again.")
        done, failed = read_output(_lines(self.output))
        foreign = len(done - ids)
        if foreign:
            self._note(f"{self.output}: {foreign} line(s) have a custom_id not in {self.input}.")
        self.result.earlier_failed = len(failed & ids)
        return done

    def _make_client(self) -> AsyncFriendliClient:
        """The client, with a pool of its own that has the runner's hooks.

        Built by the core (not passed as `http_client`), so requests take its fast path and
        closing the client closes the pool. The pool is never smaller than the concurrency:
        a request in flight never waits for a connection another one holds.
        """
        wanted = self._options.get("max_connections", DEFAULT_MAX_CONNECTIONS)
        pool = max(wanted, self._gate.window.maximum)
        hooks = {"request": [self._on_request], "response": [self._on_response]}
        options = cast("ClientOptions", {**self._options, "max_connections": pool})
        return _BatchClient(functools.partial(OwnedAsyncClient, event_hooks=hooks), **options)

    async def _on_request(self, request: httpx.Request) -> None:  # noqa: ARG002 - httpx hook
        slot = _SLOT.get()
        if slot is not None:
            slot.sent_at = self._gate.now()

    async def _on_response(self, response: httpx.Response) -> None:
        slot = _SLOT.get()
        if slot is not None:
            slot.request_id = response.headers.get("x-request-id")
            if response.status_code == _RATE_LIMITED:
                self._gate.rate_limited(slot.sent_at)
            elif response.is_success:
                # read here to keep the exact bytes; the client's read then returns them
                slot.body = await response.aread()

    async def _dispatch(self, client: AsyncFriendliClient, out: IO[bytes], done: set[str]) -> None:
        """Send with one worker per slot of the window's maximum, until the input ends.

        Workers share one reader of the input, so requests are sent in input order; a worker
        that finishes a request takes the next one at once (no task per request). A worker
        cancelled by a second interrupt ends quietly; one that fails closes the gate (the
        others finish what they sent), and its error is raised.
        """
        lines = enumerate(_lines(self.input), start=1)
        self._tasks = [
            asyncio.create_task(self._work(client, out, lines, done))
            for _ in range(self._gate.window.maximum)
        ]
        ends = await asyncio.gather(*self._tasks, return_exceptions=True)
        for end in ends:
            if isinstance(end, Exception):
                raise end

    async def _work(
        self,
        client: AsyncFriendliClient,
        out: IO[bytes],
        lines: Iterator[tuple[int, bytes]],
        done: set[str],
    ) -> None:
        while await self._gate.enter():
            try:
                item = self._next(out, lines, done)
                if item is None:
                    return
                await self._one(client, out, item)
            except Exception:
                self._gate.close()
                raise
            finally:
                self._gate.leave()

    def _next(
        self, out: IO[bytes], lines: Iterator[tuple[int, bytes]], done: set[str]
    ) -> BatchLine | None:
        """The next request to send (recording invalid lines on the way); None at the end."""
        for number, raw in lines:
            item = parse_line(number, raw)
            if item is None or item.custom_id in done:
                continue
            if isinstance(item, BatchLine):
                item = _not_call_options(item)
            if isinstance(item, InvalidLine):
                self._invalid(out, item)
                continue
            return item
        return None

    def _invalid(self, out: IO[bytes], item: InvalidLine) -> None:
        self._note(f"line {item.line} (custom_id {item.custom_id!r}): {item.message}")
        self._write(out, failure_line(item.custom_id, item.message), failed=True)

    async def _one(self, client: AsyncFriendliClient, out: IO[bytes], item: BatchLine) -> None:
        slot = _Slot()
        _SLOT.set(slot)  # the worker's own context: the httpx hooks fill it
        try:
            if item.kind == "chat":
                reply: Any = await client.chat(**cast("Any", item.body))
            else:
                reply = await client.completions(**cast("Any", item.body))
        except InvalidRequestError as error:  # the core's checks, before anything is sent
            self._invalid(out, InvalidLine(item.line, item.custom_id, str(error)))
        except APIConnectionError as error:  # never answered: held (see `_breaker`)
            if self._breaker.unanswered(failure_line(item.custom_id, error)):
                self._stop(client, error)
        except FriendliError as error:
            self._answered(out)
            if isinstance(error, AuthenticationError | PermissionDeniedError):
                self.result.token_refused += 1
            self._write(out, failure_line(item.custom_id, error), failed=True)
        else:
            self._answered(out)
            self._gate.succeeded()
            self._count(item.body.get("model"), reply.usage)
            self._write(out, success_line(item.custom_id, slot.request_id, slot.body), failed=False)

    def _answered(self, out: IO[bytes]) -> None:
        for line in self._breaker.release():
            self._write(out, line, failed=True)

    def _stop(self, client: AsyncFriendliClient, error: APIConnectionError) -> None:
        """`STOP_AFTER` requests in a row were not answered: send nothing more."""
        endpoint = (
            f"{error.method or 'POST'} {url_origin(client.config.base_url)}{error.path or ''}"
        )
        self.result.stopped = (
            f"Stopped early: {STOP_AFTER} requests in a row could not reach {endpoint} "
            f"(last error: {error}). They and the requests not sent have no line in "
            f"{self.output}: check --base-url and --endpoint (or the network), then run the "
            "same command again."
        )
        others = self._gate.in_flight - 1  # this request still holds its slot
        waiting = f"; waiting for the {others} other request(s) in flight" if others else ""
        self._note(f"Stopping: {STOP_AFTER} requests in a row could not reach {endpoint}{waiting}.")
        self._gate.close()

    def _count(self, model: str | None, usage: Any) -> None:
        """Add a reply's tokens and cost (unknown without usage or a price) to the result."""
        if model not in self._entries:
            self._entries[model] = priced_entry(model, self._options.get("endpoint", "serverless"))
        counts = UsageCounts.from_usage(usage) if usage is not None else UsageCounts(0, 0)
        cost = usage_cost(counts, self._entries[model]) if usage is not None else None
        self.result.usage.add(model, counts, cost)

    def _write(self, out: IO[bytes], line: bytes, *, failed: bool) -> None:
        written = out.write(line)
        while written < len(line):  # a short write (rare on a file) is completed at once
            written += out.write(line[written:])
        if failed:
            self.result.failed += 1
        else:
            self.result.succeeded += 1
        if self._progress is not None:
            self._progress.update(failed=failed)

    def _note(self, text: str) -> None:
        if self._progress is not None:
            self._progress.note(text)
        else:
            import sys  # noqa: PLC0415 - only for notes before the progress display exists

            print(text, file=self._stream or sys.stderr, flush=True)


async def arun(
    input_path: StrPath,
    output_path: StrPath,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: bool | None = None,
    progress_stream: IO[str] | None = None,
    retry_failed: bool = False,
    **options: Unpack[ClientOptions],
) -> BatchResult:
    """Run a batch file in the running event loop (notebooks, async code); see `run`."""
    runner = BatchRunner(
        input_path,
        output_path,
        concurrency=concurrency,
        progress=progress,
        progress_stream=progress_stream,
        retry_failed=retry_failed,
        **options,
    )
    return await runner.run()


def run(
    input_path: StrPath,
    output_path: StrPath,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: bool | None = None,
    progress_stream: IO[str] | None = None,
    retry_failed: bool = False,
    **options: Unpack[ClientOptions],
) -> BatchResult:
    """Run a batch file to the end, or until SIGINT/SIGTERM (then `result.interrupted`).

    The first signal stops sending and waits for the requests in flight; a second abandons
    them. Run again with the same files to resume.

    Args:
        input_path: The OpenAI batch input file (JSONL).
        output_path: The output file; created, or resumed when it exists.
        concurrency: The most requests in flight (lowered while 429s arrive).
        progress: A progress bar (True), plain lines (False), or decide from the stream.
        progress_stream: Where progress and notes go (default stderr).
        retry_failed: Send again the requests whose output line is an error (see
            `BatchRunner`).
        **options: Client options (token, base_url, endpoint, team_id, timeout, max_retries).

    Raises:
        BatchInputError: The input or output file is refused; nothing was sent.
        MissingTokenError: No token for serverless/dedicated; nothing was sent.
    """
    runner = BatchRunner(
        input_path,
        output_path,
        concurrency=concurrency,
        progress=progress,
        progress_stream=progress_stream,
        retry_failed=retry_failed,
        **options,
    )
    return asyncio.run(_with_signals(runner))


async def _with_signals(runner: BatchRunner) -> BatchResult:
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, runner.interrupt)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
            continue
        installed.append(sig)
    try:
        return await runner.run()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
