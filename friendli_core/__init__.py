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

# The public names are those of the modules below, each spelled once, in its module's
# `__all__`. Cheap modules are imported now; the costly ones (httpx, pydantic and the response
# models) on first use of one of their names (PEP 562), so `import friendli_core` stays cheap.
from typing import TYPE_CHECKING as _TYPE_CHECKING

from friendli_core import _version, errors
from friendli_core._exports import lazy_names as _lazy_names
from friendli_core._version import *  # noqa: F403
from friendli_core.errors import *  # noqa: F403

if _TYPE_CHECKING:
    from friendli_core._client import *  # noqa: F403
    from friendli_core._embedding_types import *  # noqa: F403
    from friendli_core._embeddings import *  # noqa: F403
    from friendli_core._retry import *  # noqa: F403
    from friendli_core._streaming import *  # noqa: F403

    # the catalog is a public module with helpers of its own: two of its names are here
    from friendli_core.catalog import ModelInfo as ModelInfo
    from friendli_core.catalog import known_models as known_models
    from friendli_core.config import *  # noqa: F403
    from friendli_core.types import *  # noqa: F403

_COSTLY: dict[str, str] = {
    "friendli_core._client": "AsyncFriendliClient AsyncStream FriendliClient Stream",
    "friendli_core._embedding_types": "Embedding Embeddings",
    "friendli_core._embeddings": "EmbeddingsParams",
    "friendli_core._retry": "RetryPolicy",  # random and its hashes
    "friendli_core._fields": "ReasoningEffort",  # dataclasses; type checkers see it in `types`
    "friendli_core.config": (  # dataclasses
        "CLOUD_ENDPOINTS CONNECTION_SETTINGS DEFAULT_BASE_URLS DEFAULT_MAX_CONNECTIONS "
        "DEFAULT_MAX_RETRIES DEFAULT_TIMEOUT ENV_VARS ClientConfig ConnectionOptions "
        "ConnectionSetting Endpoint EnvVars TimeoutTypes"
    ),
    "friendli_core._streaming": (
        "ChatStreamAccumulator CompletionStreamAccumulator fold_chat_stream fold_completion_stream"
    ),
    "friendli_core.catalog": "ModelInfo known_models",
    "friendli_core.types": (
        "ChatCompletion ChatCompletionChunk ChatCompletionParams ChatLogprobs ChatMessage "
        "Choice ChoiceDelta ChunkChoice Completion CompletionChoice CompletionChunk "
        "CompletionChunkChoice CompletionLogprobs CompletionParams FunctionCall "
        "FunctionCallDelta LogprobContent MessageParam PromptTokensDetails ResponseFormatParam "
        "StreamOptionsParam TokenSequence ToolCall ToolCallDelta ToolChoiceParam ToolParam "
        "TopLogprob Usage"
    ),
}
_LAZY = {name: module for module, names in _COSTLY.items() for name in names.split()}
__getattr__, __dir__ = _lazy_names(__name__, globals(), _LAZY)

__all__ = list(_LAZY)
__all__ += errors.__all__
__all__ += _version.__all__
