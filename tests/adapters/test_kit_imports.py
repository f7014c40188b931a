"""Importing an adapter, and with it `friendli_core.kit`, loads no httpx and no response model."""

from __future__ import annotations

import pytest

from tests.fresh import python_lines

# The core's response models and its I/O: loaded by the first request, never by an import.
LATER = (
    "httpx",
    "friendli_core.types",
    "friendli_core._replies",
    "friendli_core._streaming",
    "friendli_core._client",
)


@pytest.mark.parametrize(
    "statement",
    [
        "import friendli_core.kit",
        "from langchain_friendli import ChatFriendli",
        "from llama_index_friendli import FriendliLLM",
    ],
)
def test_importing_the_kit_or_an_adapter_loads_no_response_model(statement: str) -> None:
    code = f"import sys\n{statement}\nprint(sorted(m for m in {LATER!r} if m in sys.modules))"
    assert python_lines(code) == ["[]"]


def test_the_first_reply_loads_the_response_models() -> None:
    """The check above can fail: a reply does load them."""
    code = (
        "import sys\n"
        "from friendli_core.kit import ChatChoiceFold\n"
        "ChatChoiceFold().tool_calls()\n"
        "print('friendli_core.types' in sys.modules)"
    )
    assert python_lines(code) == ["True"]
