"""The public surface of langchain_friendli is pinned."""

from __future__ import annotations

import langchain_friendli
from tests.fresh import python_lines

EXPECTED = [
    "ChatFriendli",
    "Friendli",
    "FriendliAPIStatusError",
    "FriendliAuthenticationError",
    "FriendliBadRequestError",
    "FriendliCallbackHandler",
    "FriendliConflictError",
    "FriendliConnectionError",
    "FriendliContextOverflowError",
    "FriendliEmbeddings",
    "FriendliIncompleteStreamError",
    "FriendliInternalServerError",
    "FriendliInvalidRequestError",
    "FriendliMissingTokenError",
    "FriendliNotFoundError",
    "FriendliPermissionDeniedError",
    "FriendliRateLimitError",
    "FriendliResponseValidationError",
    "FriendliStreamError",
    "FriendliTimeoutError",
    "FriendliUnprocessableContextOverflowError",
    "FriendliUnprocessableEntityError",
    "__version__",
    "get_friendli_callback",
]


def test_all_is_pinned() -> None:
    assert sorted(langchain_friendli.__all__) == sorted(EXPECTED)
    for name in EXPECTED:
        assert getattr(langchain_friendli, name) is not None


def test_pure_modules_do_no_io() -> None:
    import langchain_friendli._completions as completions
    import langchain_friendli._convert as convert
    import langchain_friendli._messages as messages

    for module in (convert, messages, completions):
        source = open(module.__file__, encoding="utf-8").read()  # noqa: PTH123, SIM115
        assert "import httpx" not in source
        assert "import asyncio" not in source


def test_chat_import_does_not_load_the_completions_llm_or_tool_helpers() -> None:
    """`Friendli` and the tool / structured-output helpers are imported on first use."""
    code = (
        "import sys\n"
        "from langchain_friendli import ChatFriendli\n"
        "lazy = ['langchain_friendli.llms', 'langchain_friendli._structured',\n"
        "        'langchain_core.language_models.llms', 'langchain_friendli.embeddings',\n"
        "        'langchain_friendli.callbacks']\n"
        "print([m for m in lazy if m in sys.modules])\n"
        "from langchain_friendli import Friendli, __version__\n"
        "print(Friendli.__module__, bool(__version__))\n"
    )
    out = python_lines(code)
    assert out[0] == "[]"
    assert out[1] == "langchain_friendli.llms True"


def test_import_loads_no_httpx_until_the_first_client() -> None:
    """httpx and the core clients load when the first client is built, not at import."""
    code = (
        "import sys\n"
        "from langchain_friendli import ChatFriendli\n"
        "lazy = ['httpx', 'friendli_core._client']\n"
        "print([m for m in lazy if m in sys.modules])\n"
        "model = ChatFriendli(model='m', api_key='t')\n"
        "print([m for m in lazy if m in sys.modules])\n"
        "model.client\n"
        "print([m for m in lazy if m in sys.modules])\n"
    )
    out = python_lines(code)
    assert out[:3] == ["[]", "[]", "['httpx', 'friendli_core._client']"]
