"""The public surface of friendli_core is pinned: adding or removing a name is a decision."""

from __future__ import annotations

import json
import subprocess
import sys
import types

import pytest

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
    "Embedding",
    "Embeddings",
    "EmbeddingsParams",
    "Endpoint",
    "FriendliClient",
    "FriendliError",
    "IncompleteStreamError",
    "InternalServerError",
    "InvalidRequestError",
    "MissingTokenError",
    "ModelInfo",
    "ModelNotListedError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ReasoningEffort",
    "StreamConsumedError",
    "RetryPolicy",
    "Stream",
    "UnprocessableEntityError",
    "UnsupportedEndpointError",
    "__version__",
    "fold_chat_stream",
    "fold_completion_stream",
    "known_models",
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


# The clients send with httpx and need pydantic only to parse replies (`_replies`): importing
# them must not load it; the first client does. Each check runs in a fresh interpreter.
_REPLY_SIDE = {"pydantic", "pydantic_core", "friendli_core.types", "friendli_core._replies"}


def _loaded_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(  # noqa: S603 - the running interpreter, our own snippet
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return set(json.loads(done.stdout))


@pytest.mark.parametrize(
    "statement",
    [
        "from friendli_core import FriendliClient, AsyncFriendliClient",
        "from friendli_core import ClientConfig, RetryPolicy, FriendliError, APIStatusError",
    ],
)
def test_importing_the_clients_does_not_load_pydantic(statement: str) -> None:
    loaded = _loaded_after(statement)
    assert not loaded & _REPLY_SIDE, sorted(loaded & _REPLY_SIDE)


@pytest.mark.parametrize("client", ["FriendliClient", "AsyncFriendliClient"])
def test_the_first_client_loads_the_reply_side(client: str) -> None:
    loaded = _loaded_after(f"from friendli_core import {client}\n{client}(token='flp_x')")
    assert loaded >= _REPLY_SIDE
