"""friendli_core: a small, typed httpx + pydantic client for the FriendliAI inference API.

Chat completions and text completions, sync and async, streaming and not, with tools,
`response_format`, logprobs, usage, retries, timeouts and typed errors, for the serverless,
dedicated and container endpoints (and any OpenAI-compatible server through `base_url`).

Example:
    >>> from friendli_core import FriendliClient
    >>> client = FriendliClient(token="flp_...")  # or FRIENDLI_TOKEN
    >>> reply = client.chat(model="meta-llama-3.1-8b-instruct",
    ...                     messages=[{"role": "user", "content": "Hi"}])  # doctest: +SKIP
"""

from friendli_core._client import AsyncFriendliClient, AsyncStream, FriendliClient, Stream
from friendli_core._retry import RetryPolicy
from friendli_core._streaming import (
    ChatStreamAccumulator,
    CompletionStreamAccumulator,
    fold_chat_stream,
    fold_completion_stream,
)
from friendli_core._version import __version__
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
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from friendli_core.types import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionParams,
    Completion,
    CompletionChunk,
    CompletionParams,
)

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
]
