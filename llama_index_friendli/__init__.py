"""llama_index_friendli: the FriendliAI inference API for LlamaIndex.

`FriendliLLM` is a `FunctionCallingLLM`; `FriendliEmbedding` is an embed model (dedicated and
container endpoints).

Example:
    >>> from llama_index_friendli import FriendliLLM
    >>> llm = FriendliLLM(model="meta-llama-3.1-8b-instruct")  # key from FRIENDLI_TOKEN
"""

from llama_index_friendli.base import FriendliLLM
from llama_index_friendli.embeddings import FriendliEmbedding

__all__ = ["FriendliEmbedding", "FriendliLLM"]
