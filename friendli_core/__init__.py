"""friendli_core: a small, typed httpx + pydantic client for the FriendliAI inference API.

Chat completions, text completions and embeddings, sync and async, streaming and not, with tools,
`response_format`, logprobs, usage, retries, timeouts and typed errors, for the serverless,
dedicated and container endpoints, and any other server that speaks OpenAI's API
(`endpoint="openai-compatible"`).

Example:
    >>> from friendli_core import FriendliClient
    >>> client = FriendliClient(token="flp_...")  # or FRIENDLI_TOKEN
    >>> reply = client.chat(model="deepseek-ai/DeepSeek-V3.2",
    ...                     messages=[{"role": "user", "content": "Hi"}])  # doctest: +SKIP
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from friendli_core._client import AsyncFriendliClient, FriendliClient
    from friendli_core._embedding_types import Embedding, Embeddings
    from friendli_core._embeddings import EmbeddingsParams
    from friendli_core._fields import ReasoningEffort
    from friendli_core._retry import RetryPolicy
    from friendli_core._streaming import (
        ChatStreamAccumulator,
        CompletionStreamAccumulator,
        fold_chat_stream,
        fold_completion_stream,
    )
    from friendli_core._streams import AsyncStream, Stream
    from friendli_core._version import __version__
    from friendli_core.catalog import ModelInfo, known_models
    from friendli_core.config import DEFAULT_BASE_URLS, ClientConfig, Endpoint
    from friendli_core.errors import (
        APIConnectionError,
        APIError,
        APIResponseValidationError,
        APIStatusError,
        APIStreamError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConflictError,
        FriendliError,
        IncompleteStreamError,
        InternalServerError,
        InvalidRequestError,
        MissingTokenError,
        ModelNotListedError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        StreamConsumedError,
        UnprocessableEntityError,
        UnsupportedEndpointError,
    )
    from friendli_core.types import (
        ChatCompletion,
        ChatCompletionChunk,
        ChatCompletionParams,
        Completion,
        CompletionChunk,
        CompletionParams,
    )

# Public names are imported on first use (PEP 562), so `import friendli_core` stays cheap for
# code that only needs part of it; the clients load pydantic and the response models when the
# first client is created (see `_replies`).
_EXPORTS: dict[str, str] = {
    "ReasoningEffort": "friendli_core._fields",
    "APIConnectionError": "friendli_core.errors",
    "APIError": "friendli_core.errors",
    "APIResponseValidationError": "friendli_core.errors",
    "APIStatusError": "friendli_core.errors",
    "APIStreamError": "friendli_core.errors",
    "APITimeoutError": "friendli_core.errors",
    "AsyncFriendliClient": "friendli_core._client",
    "AsyncStream": "friendli_core._streams",
    "AuthenticationError": "friendli_core.errors",
    "BadRequestError": "friendli_core.errors",
    "ChatCompletion": "friendli_core.types",
    "ChatCompletionChunk": "friendli_core.types",
    "ChatCompletionParams": "friendli_core.types",
    "ChatStreamAccumulator": "friendli_core._streaming",
    "ClientConfig": "friendli_core.config",
    "Completion": "friendli_core.types",
    "CompletionChunk": "friendli_core.types",
    "CompletionParams": "friendli_core.types",
    "CompletionStreamAccumulator": "friendli_core._streaming",
    "ConflictError": "friendli_core.errors",
    "DEFAULT_BASE_URLS": "friendli_core.config",
    "Embedding": "friendli_core._embedding_types",
    "Embeddings": "friendli_core._embedding_types",
    "EmbeddingsParams": "friendli_core._embeddings",
    "Endpoint": "friendli_core.config",
    "FriendliClient": "friendli_core._client",
    "FriendliError": "friendli_core.errors",
    "IncompleteStreamError": "friendli_core.errors",
    "InternalServerError": "friendli_core.errors",
    "InvalidRequestError": "friendli_core.errors",
    "MissingTokenError": "friendli_core.errors",
    "ModelInfo": "friendli_core.catalog",
    "ModelNotListedError": "friendli_core.errors",
    "NotFoundError": "friendli_core.errors",
    "PermissionDeniedError": "friendli_core.errors",
    "RateLimitError": "friendli_core.errors",
    "RetryPolicy": "friendli_core._retry",
    "Stream": "friendli_core._streams",
    "StreamConsumedError": "friendli_core.errors",
    "UnprocessableEntityError": "friendli_core.errors",
    "UnsupportedEndpointError": "friendli_core.errors",
    "__version__": "friendli_core._version",
    "fold_chat_stream": "friendli_core._streaming",
    "fold_completion_stream": "friendli_core._streaming",
    "known_models": "friendli_core.catalog",
}


def __getattr__(name: str) -> _typing.Any:
    """Import a public name from its module on first access."""
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module 'friendli_core' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public names (they are imported lazily)."""
    return sorted(__all__)


__all__ = [
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
    "RetryPolicy",
    "Stream",
    "StreamConsumedError",
    "UnprocessableEntityError",
    "UnsupportedEndpointError",
    "__version__",
    "fold_chat_stream",
    "fold_completion_stream",
    "known_models",
]
