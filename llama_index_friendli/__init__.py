"""llama_index_friendli: the FriendliAI inference API for LlamaIndex.

`FriendliLLM` is a `FunctionCallingLLM`; `FriendliEmbedding` is an embed model (dedicated and
container endpoints); `FriendliCostHandler` sums the tokens and USD cost of `FriendliLLM` calls.
`FriendliEmbedding` and `FriendliCostHandler` are imported on first use (PEP 562), so `from
llama_index_friendli import FriendliLLM` does not pay for the embeddings code.

Example:
    >>> from llama_index_friendli import FriendliLLM
    >>> llm = FriendliLLM(model="deepseek-ai/DeepSeek-V3.2")  # key from FRIENDLI_TOKEN
"""

# The same style as `friendli_core`: each public name is spelled once, in its module's
# `__all__`; cheap modules are imported now, the costly ones on first use (PEP 562).
from typing import TYPE_CHECKING as _TYPE_CHECKING

from friendli_core.kit import lazy_names as _lazy_names
from friendli_core.kit import require

require("llama_index_friendli", "llama_index.core")  # before the imports that need it

from llama_index_friendli import base  # noqa: E402 - after the check of the extra
from llama_index_friendli.base import *  # noqa: E402, F403

if _TYPE_CHECKING:
    from llama_index_friendli.cost import *  # noqa: F403
    from llama_index_friendli.embeddings import *  # noqa: F403

_LAZY = {
    "FriendliCostHandler": "llama_index_friendli.cost",
    "FriendliEmbedding": "llama_index_friendli.embeddings",
}
__getattr__, __dir__ = _lazy_names(__name__, globals(), _LAZY)

__all__ = list(_LAZY)
__all__ += base.__all__
