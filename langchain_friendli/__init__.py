"""LangChain integration for the FriendliAI inference API.

`ChatFriendli` is a chat model over `/chat/completions`; `Friendli` is a text-completion LLM
over `/completions`; `FriendliEmbeddings` embeds texts over `/embeddings` (dedicated and
container endpoints). They run on `friendli_core` (serverless, dedicated and container
endpoints). Their errors are `friendli_core` errors that are also LangChain `ModelError`s; the
classes are exported here.

`get_friendli_callback()` sums the tokens and USD cost of the calls run inside it.

`Friendli` (which pulls in LangChain's `BaseLLM` machinery), `FriendliEmbeddings`, the cost
callback and `__version__` are imported on first use (PEP 562), so `from langchain_friendli import
ChatFriendli` does not pay for them.
"""

from typing import TYPE_CHECKING, Any

from friendli_core._extras import require

require("langchain_friendli", "langchain_core")  # before the imports that need it

from langchain_friendli._errors import (  # noqa: E402 - after the check of the extra
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
from langchain_friendli.chat_models import ChatFriendli  # noqa: E402

if TYPE_CHECKING:
    from friendli_core import __version__
    from langchain_friendli.callbacks import FriendliCallbackHandler, get_friendli_callback
    from langchain_friendli.embeddings import FriendliEmbeddings
    from langchain_friendli.llms import Friendli

__all__ = [
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


def __getattr__(name: str) -> Any:
    if name == "Friendli":
        from langchain_friendli.llms import Friendli  # noqa: PLC0415 - lazy by design

        value: Any = Friendli
    elif name == "FriendliEmbeddings":
        from langchain_friendli.embeddings import FriendliEmbeddings  # noqa: PLC0415 - lazy

        value = FriendliEmbeddings
    elif name in {"get_friendli_callback", "FriendliCallbackHandler"}:
        from langchain_friendli import callbacks  # noqa: PLC0415 - lazy by design

        value = getattr(callbacks, name)
    elif name == "__version__":
        from friendli_core import __version__  # noqa: PLC0415 - lazy by design

        value = __version__
    else:
        msg = f"module 'langchain_friendli' has no attribute {name!r}"
        raise AttributeError(msg)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
