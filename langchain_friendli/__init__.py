"""LangChain integration for the FriendliAI inference API.

`ChatFriendli` is a chat model over `/chat/completions`; `Friendli` is a text-completion LLM
over `/completions`; `FriendliEmbeddings` embeds texts over `/embeddings` (dedicated and
container endpoints). They run on `friendli_core` (serverless, dedicated and container
endpoints). Their errors are `friendli_core` errors that are also LangChain `ModelError`s; the
classes are exported here.

`get_friendli_callback()` sums the tokens and USD cost of the calls run inside it.

`Friendli` (which pulls in LangChain's `BaseLLM` machinery), `FriendliEmbeddings` and the cost
callback are imported on first use (PEP 562), so `from langchain_friendli import ChatFriendli`
does not pay for them.
"""

# The same style as `friendli_core`: each public name is spelled once, in its module's
# `__all__`; cheap modules are imported now, the costly ones on first use (PEP 562).
from typing import TYPE_CHECKING as _TYPE_CHECKING

from friendli_core.kit import lazy_names as _lazy_names
from friendli_core.kit import require

require("langchain_friendli", "langchain_core")  # before the imports that need it

from friendli_core import __version__  # noqa: E402 - after the check of the extra
from langchain_friendli import _errors, chat_models  # noqa: E402
from langchain_friendli._errors import *  # noqa: E402, F403
from langchain_friendli.chat_models import *  # noqa: E402, F403

if _TYPE_CHECKING:
    # the callbacks are a public module with a name of its own: two of its names are here
    from langchain_friendli.callbacks import FriendliCallbackHandler as FriendliCallbackHandler
    from langchain_friendli.callbacks import get_friendli_callback as get_friendli_callback
    from langchain_friendli.embeddings import *  # noqa: F403
    from langchain_friendli.llms import *  # noqa: F403

_LAZY = {
    "Friendli": "langchain_friendli.llms",
    "FriendliEmbeddings": "langchain_friendli.embeddings",
    "FriendliCallbackHandler": "langchain_friendli.callbacks",
    "get_friendli_callback": "langchain_friendli.callbacks",
}
__getattr__, __dir__ = _lazy_names(__name__, globals(), _LAZY)

__all__ = ["__version__"]
__all__ += list(_LAZY)
__all__ += _errors.__all__
__all__ += chat_models.__all__
