"""llama_index_friendli: the FriendliAI inference API for LlamaIndex.

`FriendliLLM` is a `FunctionCallingLLM`; `FriendliEmbedding` is an embed model (dedicated and
container endpoints); `FriendliCostHandler` sums the tokens and USD cost of `FriendliLLM` calls.
`FriendliEmbedding` and `FriendliCostHandler` are imported on first use (PEP 562), so `from
llama_index_friendli import FriendliLLM` does not pay for the embeddings code.

Example:
    >>> from llama_index_friendli import FriendliLLM
    >>> llm = FriendliLLM(model="deepseek-ai/DeepSeek-V3.2")  # key from FRIENDLI_TOKEN
"""

from typing import TYPE_CHECKING, Any

from friendli_core._extras import require

require("llama_index_friendli", "llama_index.core")  # before the imports that need it

from llama_index_friendli.base import FriendliLLM  # noqa: E402 - after the check of the extra

if TYPE_CHECKING:
    from llama_index_friendli.cost import FriendliCostHandler
    from llama_index_friendli.embeddings import FriendliEmbedding

__all__ = ["FriendliCostHandler", "FriendliEmbedding", "FriendliLLM"]


def __getattr__(name: str) -> Any:
    if name == "FriendliCostHandler":
        from llama_index_friendli.cost import FriendliCostHandler  # noqa: PLC0415 - lazy

        globals()[name] = FriendliCostHandler
        return FriendliCostHandler
    if name == "FriendliEmbedding":
        from llama_index_friendli.embeddings import FriendliEmbedding  # noqa: PLC0415 - lazy

        globals()[name] = FriendliEmbedding
        return FriendliEmbedding
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
