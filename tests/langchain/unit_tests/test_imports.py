"""The public surface of langchain_friendli is pinned."""

from __future__ import annotations

import langchain_friendli

EXPECTED = [
    "ChatFriendli",
    "Friendli",
    "FriendliAPIStatusError",
    "FriendliAuthenticationError",
    "FriendliBadRequestError",
    "FriendliConflictError",
    "FriendliConnectionError",
    "FriendliContextOverflowError",
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
]


def test_all_is_pinned() -> None:
    assert sorted(langchain_friendli.__all__) == sorted(EXPECTED)
    for name in EXPECTED:
        assert getattr(langchain_friendli, name) is not None


def test_pure_modules_do_no_io() -> None:
    import langchain_friendli._completions as completions
    import langchain_friendli._convert as convert

    for module in (convert, completions):
        source = open(module.__file__, encoding="utf-8").read()  # noqa: PTH123, SIM115
        assert "import httpx" not in source
        assert "import asyncio" not in source
