"""friendli-batch's cost: the summary's `Estimated cost`, the Python API's figures, --dry-run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from friendli_core import MissingTokenError
from friendli_core.batch import adry_run, arun
from friendli_core.batch._estimate import completion_bound
from friendli_core.batch._progress import usd
from friendli_core.pricing import UsageCounts
from friendli_core.testing import LocalServer, RequestLog
from friendli_core.testing._tokens import count_tokens, render_chat
from tests.batch.conftest import chat_line, read_output, write_jsonl
from tests.pricing_helpers import expected_cost, long_system_prompt, priced_model, unpriced_model

SCRIPT = Path(sys.executable).with_name("friendli-batch")


def _input(tmp_path: Path, system: str) -> Path:
    priced, unpriced = priced_model().id, unpriced_model()
    lines = [chat_line(f"p{i}", model=priced, max_tokens=12) for i in range(50)]
    lines += [chat_line(f"u{i}", model=unpriced, max_tokens=12) for i in range(2)]
    for line in lines:
        line["body"]["messages"].insert(0, {"role": "system", "content": system})
    return write_jsonl(tmp_path / "in.jsonl", lines)


def _cli(server: LocalServer, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRIENDLI_")}
    env["FRIENDLI_TOKEN"] = server.token
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(SCRIPT), *args, "--base-url", server.serverless_url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stderr


def _options(server: LocalServer) -> dict[str, Any]:
    return {"token": server.token, "base_url": server.serverless_url, "progress": False}


async def test_the_summary_and_the_python_api_give_the_same_cost(
    tmp_path: Path, friendli_server: LocalServer
) -> None:
    src = _input(tmp_path, long_system_prompt())
    await arun(src, tmp_path / "warm.jsonl", **_options(friendli_server))  # fills the cache
    result = await arun(src, tmp_path / "api.jsonl", concurrency=8, **_options(friendli_server))
    printed = _cli(friendli_server, str(src), str(tmp_path / "cli.jsonl"), "--concurrency", "8")

    priced, unpriced = priced_model(), unpriced_model()
    lines = read_output(tmp_path / "api.jsonl")
    usages = [
        UsageCounts.from_usage(line["response"]["body"]["usage"])
        for line in lines
        if line["custom_id"].startswith("p")
    ]
    usage = result.usage
    assert usage.cost == expected_cost(priced, usages) > 0
    every = [UsageCounts.from_usage(line["response"]["body"]["usage"]) for line in lines]
    assert usage.prompt_tokens_cached == sum(u.cached_tokens for u in every) > 0
    assert usage.prompt_tokens == sum(u.prompt_tokens for u in every)
    assert (usage.successful_requests, usage.unpriced_requests) == (52, 2)
    assert usage.per_model[priced.id].successful_requests == 50
    assert usage.per_model[unpriced].unpriced_requests == 2
    assert usage.per_model[unpriced].cost == Decimal(0)
    assert result.estimated_cost == usage.cost
    assert f"Estimated cost: {usd(usage.cost)} (2 unpriced replies not included)" in printed
    assert re.search(
        rf"{re.escape(priced.id)}: 50 replies, .* cost {re.escape(usd(usage.cost))}", printed
    )
    assert f"{unpriced}: 2 replies" in printed
    assert f"({usage.prompt_tokens_cached} cached)" in printed


async def test_a_dry_run_sends_only_token_counting_and_bounds_the_cost(
    tmp_path: Path, friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    system = long_system_prompt()
    src = _input(tmp_path, system)
    out = tmp_path / "out.jsonl"
    write_jsonl(out, [{"custom_id": "p0", "response": None, "error": None}])  # done already
    estimate = await adry_run(
        src, out, token=friendli_server.token, base_url=friendli_server.serverless_url
    )
    printed = _cli(friendli_server, str(src), str(out), "--dry-run")

    assert {r.path.rsplit("/", 1)[-1] for r in friendli_requests} <= {"render", "tokenize"}
    assert out.read_text().count("\n") == 1, "a dry run writes nothing"
    assert (estimate.total, estimate.skipped, estimate.to_send) == (52, 1, 51)
    priced = priced_model()
    bodies = [
        line["body"]
        for line in map(_json, src.read_text().splitlines())
        if line["custom_id"].startswith("p") and line["custom_id"] != "p0"
    ]
    bounds = [UsageCounts(count_tokens(render_chat(b["messages"], None)), 12) for b in bodies]
    assert estimate.bound.cost == expected_cost(priced, bounds) > 0
    assert estimate.bound.unpriced_requests == 2
    assert f"Estimated cost: {usd(estimate.bound.cost)} (2 unpriced requests" in printed
    assert "Dry run: 51 of 52 requests would be sent" in printed

    result = await arun(src, tmp_path / "real.jsonl", **_options(friendli_server))
    assert result.usage.cost <= estimate.bound.cost


def _json(text: str) -> dict[str, Any]:
    import json

    return dict(json.loads(text))


def test_the_completion_bound_is_max_tokens_or_the_catalog_limit_times_n() -> None:
    info = priced_model()
    assert completion_bound({"max_tokens": 10, "n": 3}, None) == 30
    assert completion_bound({"max_completion_tokens": 7}, None, prompts=2) == 14
    assert completion_bound({}, info) == info.max_completion_tokens
    assert completion_bound({}, None) is None


async def test_a_dry_run_without_a_token_sends_nothing(
    tmp_path: Path, friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    src = _input(tmp_path, "short")
    with pytest.raises(MissingTokenError):
        await adry_run(src, tmp_path / "out.jsonl", base_url=friendli_server.serverless_url)
    assert len(friendli_requests) == 0


async def test_a_container_dry_run_counts_requests_with_the_bound_unknown(
    tmp_path: Path, friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    src = _input(tmp_path, "short")
    estimate = await adry_run(
        src, tmp_path / "out.jsonl", endpoint="container", base_url=friendli_server.container_url
    )
    assert (estimate.to_send, estimate.bound.unpriced_requests) == (52, 52)
    assert estimate.bound.cost == Decimal(0)
    assert any("not counted" in note for note in estimate.notes)
    assert len(friendli_requests) == 0


def test_dry_run_refuses_retry_failed_before_anything(tmp_path: Path) -> None:
    from friendli_core.batch.__main__ import EXIT_USAGE, main

    src = _input(tmp_path, "short")
    with pytest.raises(SystemExit) as stopped:
        main([str(src), str(tmp_path / "out.jsonl"), "--dry-run", "--retry-failed"])
    assert stopped.value.code == EXIT_USAGE
    assert not (tmp_path / "out.jsonl").exists()
