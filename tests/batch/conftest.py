"""Helpers of the friendli-batch tests: input files, output reading, a hermetic environment."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

MODEL = "friendli-local-model"


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own FRIENDLI_* variables must not leak into the tests."""
    for name in ("FRIENDLI_TOKEN", "FRIENDLI_TEAM", "FRIENDLI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def prompt_of(custom_id: str) -> str:
    """The prompt of a request: the local model's chat reply ends with it."""
    return f"Describe the item {custom_id} in one line."


def chat_line(custom_id: str, *, model: str = MODEL, **body: Any) -> dict[str, Any]:
    messages = [{"role": "user", "content": prompt_of(custom_id)}]
    return {
        "custom_id": custom_id,
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": model, "messages": messages, **body},
    }


def write_jsonl(path: Path, lines: Iterable[dict[str, Any] | str]) -> Path:
    with path.open("w", encoding="utf-8") as file:
        for line in lines:
            file.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
    return path


def read_output(path: Path) -> list[dict[str, Any]]:
    """Every output line, parsed (a torn or non-JSON line fails the test)."""
    raw = path.read_bytes()
    assert not raw or raw.endswith(b"\n"), "the output ends with an incomplete line"
    return [json.loads(line) for line in raw.splitlines()]


def by_id(lines: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    ids = [line["custom_id"] for line in lines]
    assert len(ids) == len(set(ids)), "a custom_id has more than one output line"
    return {line["custom_id"]: line for line in lines}


def reply_text(line: dict[str, Any]) -> str:
    return str(line["response"]["body"]["choices"][0]["message"]["content"])


def sent_ids(requests: Iterable[Any]) -> list[str]:
    """The custom_ids of the chat requests a server received (from their prompts)."""
    ids = []
    for request in requests:
        content = request.body["messages"][-1]["content"]
        ids.append(content.removeprefix("Describe the item ").removesuffix(" in one line."))
    return ids
