"""llama_index_friendli: the FriendliAI inference API as a LlamaIndex `FunctionCallingLLM`.

Example:
    >>> from llama_index_friendli import FriendliLLM
    >>> llm = FriendliLLM(model="meta-llama-3.1-8b-instruct")  # key from FRIENDLI_TOKEN
"""

from llama_index_friendli.base import FriendliLLM

__all__ = ["FriendliLLM"]
