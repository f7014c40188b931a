"""friendli-batch's pool is never smaller than `--concurrency` (counted, not timed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from friendli_core.batch import arun
from tests.batch.conftest import chat_line, read_output, write_jsonl
from tests.counting_server import REPLY_TEXT, CountingServer


@pytest.mark.parametrize(("concurrency", "max_connections"), [(24, None), (24, 4), (4, 12)])
async def test_concurrency_requests_are_in_flight_together(
    tmp_path: Path, concurrency: int, max_connections: int | None
) -> None:
    """All `concurrency` requests wait at the server at once: each had a connection."""
    src = write_jsonl(tmp_path / "in.jsonl", [chat_line(f"r{i}") for i in range(3 * concurrency)])
    out = tmp_path / "out.jsonl"
    options = {} if max_connections is None else {"max_connections": max_connections}
    async with CountingServer(hold=concurrency) as server:
        result = await arun(
            src,
            out,
            token="t",
            base_url=server.url,
            concurrency=concurrency,
            progress=False,
            **options,  # type: ignore[arg-type]
        )
    assert result.failed == 0
    assert [
        line["response"]["body"]["choices"][0]["message"]["content"] for line in read_output(out)
    ] == [REPLY_TEXT] * (3 * concurrency)
    assert server.most_waiting == concurrency
    assert not server.held_back
    assert server.accepted <= max(concurrency, max_connections or 0) + 2
