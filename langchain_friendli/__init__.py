"""LangChain integration for the FriendliAI inference API.

`ChatFriendli` is a chat model over `/chat/completions`; `Friendli` is a text-completion LLM
over `/completions`. Both run on `friendli_core` (serverless, dedicated and container
endpoints). Their errors are `friendli_core` errors that are also LangChain `ModelError`s; the
classes are exported here.
"""

from friendli_core import __version__
from langchain_friendli._errors import (
    FriendliAPIStatusError,
    FriendliAuthenticationError,
    FriendliBadRequestError,
    FriendliConflictError,
    FriendliConnectionError,
    FriendliContextOverflowError,
    FriendliIncompleteStreamError,
    FriendliInternalServerError,
    FriendliInvalidRequestError,
    FriendliMissingTokenError,
    FriendliNotFoundError,
    FriendliPermissionDeniedError,
    FriendliRateLimitError,
    FriendliResponseValidationError,
    FriendliStreamError,
    FriendliTimeoutError,
    FriendliUnprocessableContextOverflowError,
    FriendliUnprocessableEntityError,
)
from langchain_friendli.chat_models import ChatFriendli
from langchain_friendli.llms import Friendli

__all__ = [
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
