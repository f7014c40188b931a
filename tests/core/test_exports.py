"""The public surface of friendli_core is pinned: adding or removing a name is a decision."""

from __future__ import annotations

import subprocess
import sys
import types

import friendli_core

EXPECTED = {
    "DEFAULT_BASE_URLS",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APIStreamError",
    "APITimeoutError",
    "AsyncFriendliClient",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionParams",
    "ChatStreamAccumulator",
    "ClientConfig",
    "Completion",
    "CompletionChunk",
    "CompletionParams",
    "CompletionStreamAccumulator",
    "ConflictError",
    "Endpoint",
    "FriendliClient",
    "FriendliError",
    "IncompleteStreamError",
    "InternalServerError",
    "InvalidRequestError",
    "MissingTokenError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "Stream",
    "UnprocessableEntityError",
    "__version__",
    "fold_chat_stream",
    "fold_completion_stream",
}


def test_all_is_pinned() -> None:
    assert set(friendli_core.__all__) == EXPECTED
    assert len(friendli_core.__all__) == len(set(friendli_core.__all__))


def test_every_exported_name_resolves() -> None:
    for name in friendli_core.__all__:
        assert getattr(friendli_core, name) is not None, name


def test_no_public_name_outside_all() -> None:
    public = {
        name
        for name, value in vars(friendli_core).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public <= set(friendli_core.__all__), public - set(friendli_core.__all__)


def test_version_is_the_installed_distribution_version() -> None:
    """`_version.py` is the single source: hatchling builds the distribution's version from it."""
    from importlib.metadata import version

    assert friendli_core.__version__ == version("friendli-integrations")


def test_submodule_all_names_exist() -> None:
    from friendli_core import (
        _client,
        _protocol,
        _retry,
        _streaming,
        _validate,
        config,
        errors,
    )
    from friendli_core import (
        types as t,
    )

    for module in (_client, _protocol, _retry, _streaming, _validate, config, errors, t):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_import_is_lazy_until_a_name_is_used() -> None:
    code = (
        "import sys, friendli_core\n"
        "assert not {'httpx', 'pydantic'} & set(sys.modules), sorted(sys.modules)\n"
        "client = friendli_core.FriendliClient(token='t')\n"
        "assert 'httpx' in sys.modules and 'asyncio' not in sys.modules\n"
        "assert friendli_core.ChatCompletion.model_validate({'choices': []}).choices == []\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)  # noqa: S603
