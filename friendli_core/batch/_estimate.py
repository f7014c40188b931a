"""`--dry-run`: what a batch run would send, and an upper bound of its cost; nothing generates.

Each request the output does not hold yet is counted. Its prompt tokens are counted exactly by
the server's tokenizer: a chat request's prompt is rendered with the model's chat template
(`/chat/render`) and tokenized (`/tokenize`), a completions prompt is tokenized; these routes
generate nothing and are billed nothing, and nothing else is sent. Its completion tokens are
bounded by `max_tokens` (or `max_completion_tokens`, else the model's catalog
`max_completion_tokens`), times `n`. The bound prices every prompt token at the input price
(no cache hits), so the real bill is at most the bound. A request whose prompt cannot be
counted (a container has no render route), whose completion has no bound, or whose model has
no price is counted with its bound unknown. The input is streamed; memory stays flat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Unpack

from friendli_core._base import ClientOptions
from friendli_core._client import AsyncFriendliClient
from friendli_core._protocol import build_headers
from friendli_core.batch._format import BatchLine, parse_line, read_done, scan_input
from friendli_core.batch._progress import cost_lines
from friendli_core.batch._runner import DEFAULT_CONCURRENCY
from friendli_core.catalog import ModelInfo
from friendli_core.errors import FriendliError
from friendli_core.pricing import UsageCounts, priced_entry, usage_cost
from friendli_core.usage import CostTally

__all__ = ["DryRunResult", "adry_run", "completion_bound", "dry_run"]


@dataclass
class DryRunResult:
    """What `run` would send, and the upper bound of its cost (see the module).

    Attributes:
        total: Requests in the input.
        skipped: Requests that already have a line in the output (not sent by a run).
        to_send: Requests a run would send.
        invalid: Lines a run would record as errors without sending them.
        bound: Per request to send, its exact prompt tokens and its completion bound
            (`CostTally`: `cost` is the upper bound in USD of the requests it could bound;
            `unpriced_requests` those it could not; `per_model` by model).
        notes: Why some bounds are unknown (one note per distinct reason).
    """

    total: int = 0
    skipped: int = 0
    to_send: int = 0
    invalid: int = 0
    bound: CostTally = field(default_factory=CostTally)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The lines `friendli-batch --dry-run` prints."""
        lines = [
            (
                f"Dry run: {self.to_send} of {self.total} requests would be sent "
                f"({self.skipped} already have a line in the output, {self.invalid} invalid); "
                "only token counting was sent."
            ),
            "Upper bound (exact prompt tokens, no cache hits, completions at max_tokens):",
            *cost_lines(self.bound, "request"),
            *self.notes,
        ]
        return "\n".join(lines)


def completion_bound(body: dict[str, Any], info: ModelInfo | None, prompts: int = 1) -> int | None:
    """The most completion tokens a request can bill: `max_tokens` (or the model's) times `n`."""
    limit = body.get("max_tokens") or body.get("max_completion_tokens")
    if limit is None and info is not None:
        limit = info.max_completion_tokens
    n = body.get("n") or 1
    return limit * n * prompts if isinstance(limit, int) and isinstance(n, int) else None


async def _prompt_tokens(client: AsyncFriendliClient, item: BatchLine) -> tuple[int, int]:
    """(prompt tokens, number of prompts) of one request, counted by the server."""
    body = item.body
    model = body.get("model")
    if item.kind == "chat":
        count = await client.count_chat_tokens(
            model=model,
            messages=body["messages"],
            tools=body.get("tools"),
            chat_template_kwargs=body.get("chat_template_kwargs"),
        )
        return count, 1
    if body.get("prompt") is None:
        return len(body.get("tokens") or []), 1
    prompt = body["prompt"]
    prompts = [prompt] if isinstance(prompt, str) else list(prompt)
    counts = [len(await client.tokenize(text, model=model)) for text in prompts]
    return sum(counts), len(prompts)


class _Estimator:
    def __init__(self, client: AsyncFriendliClient, endpoint: str) -> None:
        self.client = client
        self.endpoint = endpoint
        self.result = DryRunResult()

    def _note(self, text: str) -> None:
        if text not in self.result.notes:
            self.result.notes.append(text)

    async def one(self, item: BatchLine) -> None:
        model = item.body.get("model")
        entry = priced_entry(model, self.endpoint)
        try:
            prompt, prompts = await _prompt_tokens(self.client, item)
        except (FriendliError, KeyError, TypeError) as error:
            self._note(f"Prompt tokens not counted ({type(error).__name__}): {error}")
            self.result.bound.add(model, UsageCounts(0, 0), None)
            return
        limit = completion_bound(item.body, entry, prompts)
        if limit is None:
            self._note(f"No max_tokens and no catalog limit for model {model!r}: no bound.")
        counts = UsageCounts(prompt, limit or 0)
        cost = usage_cost(counts, entry) if limit is not None else None
        if cost is None and limit is not None:
            self._note(f"No price for model {model!r} on the {self.endpoint} endpoint.")
        self.result.bound.add(model, counts, cost)

    async def work(self, items: Iterator[BatchLine]) -> None:
        for item in items:  # the workers share one iterator: each line is taken once
            await self.one(item)


def _to_send(path: Path, done: set[str], result: DryRunResult) -> Iterator[BatchLine]:
    with path.open("rb") as file:
        for number, raw in enumerate(file, start=1):
            item = parse_line(number, raw)
            if item is None or item.custom_id in done:
                continue
            if isinstance(item, BatchLine):
                result.to_send += 1
                yield item
            else:
                result.invalid += 1


def _scan(source: Path, target: Path) -> tuple[set[str], int, set[str]]:
    """The input's ids and line count, and the ids the output holds (read only)."""
    with source.open("rb") as file:
        ids, total = scan_input(file)
    if not target.exists():
        return ids, total, set()
    with target.open("rb") as file:  # a torn last line (kill -9) is sent again by a run
        return ids, total, read_done(line for line in file if line.endswith(b"\n"))


async def adry_run(
    input_path: str | Path,
    output_path: str | Path,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    **options: Unpack[ClientOptions],
) -> DryRunResult:
    """Count what a run would send and bound its cost; only token counting is sent.

    Args:
        input_path: The OpenAI batch input file (JSONL).
        output_path: The output file a run would resume (read only; it need not exist).
        concurrency: Token-counting requests in flight.
        **options: Client options (token, base_url, endpoint, team_id, timeout, ...).

    Raises:
        BatchInputError: The input file is refused (as `run` would refuse it).
        MissingTokenError: No token for serverless/dedicated; nothing was sent.
    """
    source = Path(input_path)
    ids, total, done = _scan(source, Path(output_path))
    estimator = _Estimator(AsyncFriendliClient(**options), options.get("endpoint", "serverless"))
    build_headers(estimator.client.config)  # a missing token fails here, before any request
    estimator.result.total, estimator.result.skipped = total, len(done & ids)
    items = _to_send(source, done, estimator.result)
    try:
        await asyncio.gather(*(estimator.work(items) for _ in range(concurrency)))
    finally:
        await estimator.client.close()
    return estimator.result


def dry_run(
    input_path: str | Path,
    output_path: str | Path,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    **options: Unpack[ClientOptions],
) -> DryRunResult:
    """`adry_run` in a new event loop (the `friendli-batch --dry-run` command)."""
    return asyncio.run(adry_run(input_path, output_path, concurrency=concurrency, **options))
