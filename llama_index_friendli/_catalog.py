"""`FriendliLLM.metadata` from Friendli's model catalog; its exact tokenizer and token counts.

Each of `context_window`, `num_output` and `is_function_calling_model` is, in order: the
field when set explicitly; the catalog entry of the model (the packaged snapshot for a
serverless model, or the live catalog read by `FriendliLLM.from_server`); else the documented
default below. `num_output` is the room LlamaIndex keeps for the answer when it packs a prompt
(`max_tokens` when set), so the catalog only caps it: LlamaIndex's default of 256, or the
model's `max_completion_tokens` when that is smaller.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from llama_index.core.constants import DEFAULT_NUM_OUTPUTS

from friendli_core.catalog import ModelInfo, known_model, reading_live_catalog, served_model
from friendli_core.pricing import remember_served
from friendli_core.reasoning import template_variables
from llama_index_friendli._messages import to_friendli_message_dicts, tool_specs

if TYPE_CHECKING:
    from llama_index.core.base.llms.types import ChatMessage
    from llama_index.core.tools.types import BaseTool

    from llama_index_friendli.base import FriendliLLM

__all__ = [
    "DEFAULT_CONTEXT_WINDOW",
    "DEFAULT_FUNCTION_CALLING",
    "FriendliTokenizer",
    "ModelLimits",
    "count_message_tokens",
    "limits",
    "llm_from_server",
    "snapshot_entry",
]

DEFAULT_CONTEXT_WINDOW = 32_768
"""Context window assumed for a model the catalog does not list (and no field sets)."""
DEFAULT_FUNCTION_CALLING = True
"""Whether a model the catalog does not describe is treated as able to call tools."""

_L = TypeVar("_L", bound="FriendliLLM")


class ModelLimits(NamedTuple):
    """The values `FriendliLLM.metadata` reports."""

    context_window: int
    num_output: int
    is_function_calling_model: bool


def snapshot_entry(model: str | None, endpoint: str) -> ModelInfo | None:
    """The packaged snapshot's entry for a serverless model (dedicated/container: None)."""
    return known_model(model) if endpoint == "serverless" else None


def limits(llm: FriendliLLM) -> ModelLimits:
    """Explicit fields first, then the model's catalog entry, then the defaults."""
    info = snapshot_entry(llm.model, llm.endpoint)
    functionality = info.functionality if info is not None else None
    window = llm.context_window or (info.context_window if info is not None else None)
    calling = llm.is_function_calling_model
    if calling is None and functionality is not None:
        calling = functionality.tool_call
    output_cap = info.max_completion_tokens if info is not None else None
    return ModelLimits(
        window or DEFAULT_CONTEXT_WINDOW,
        llm.max_tokens
        or llm.num_output
        or min(DEFAULT_NUM_OUTPUTS, output_cap or DEFAULT_NUM_OUTPUTS),
        DEFAULT_FUNCTION_CALLING if calling is None else calling,
    )


def llm_from_server(cls: type[_L], kwargs: dict[str, Any]) -> _L:
    """`cls(**kwargs)` with unset limits filled from the live catalog of its endpoint.

    Raises:
        UnsupportedEndpointError: A dedicated endpoint (it publishes no model catalog).
        ModelNotListedError: The catalog does not list the model.
    """
    with reading_live_catalog():  # the live entry's deprecation date counts, not the snapshot's
        llm = cls(**kwargs)
    info = served_model(
        llm.endpoint,
        llm.model,
        lambda: llm._sync_client().config.base_url,
        lambda: llm._sync_client().list_models(),
        instead="construct FriendliLLM directly and set context_window "
        "(and is_function_calling_model).",
    )
    remember_served(llm.endpoint, info)
    functionality = info.functionality
    cap = info.max_completion_tokens
    found = {
        "context_window": info.context_window,
        "num_output": min(cap, DEFAULT_NUM_OUTPUTS) if cap else None,
        "is_function_calling_model": functionality.tool_call if functionality else None,
    }
    for name, value in found.items():
        if value is not None and name not in kwargs:
            setattr(llm, name, value)
    llm._served_entry = info
    return llm


class FriendliTokenizer:
    """`text -> token ids` from the model's own tokenizer (`/tokenize`): `Settings.tokenizer`.

    LlamaIndex's splitters and prompt packing tokenize the same pieces over and over, and each
    call is a request, so the ids of recent texts are kept (`_CACHED` texts, least recently
    used dropped) for this tokenizer's model.
    """

    _CACHED = 4096

    def __init__(self, llm: FriendliLLM) -> None:
        """Tokenize with `llm`'s model and connection settings."""
        self._llm = llm
        self._ids = functools.lru_cache(maxsize=self._CACHED)(self._fetch)

    def _fetch(self, model: str | None, text: str) -> tuple[int, ...]:
        client = self._llm._sync_client()  # noqa: SLF001 - the adapter's own client
        return tuple(client.tokenize(text, model=model))

    def __call__(self, text: str) -> list[int]:
        """The token ids of `text`."""
        return list(self._ids(self._llm.model, text))

    def __repr__(self) -> str:
        """Name the model only."""
        return f"FriendliTokenizer(model={self._llm.model!r})"


def count_message_tokens(
    llm: FriendliLLM, messages: Sequence[ChatMessage], tools: Sequence[BaseTool] | None = None
) -> int:
    """Exact prompt tokens of `messages` and `tools`: `/chat/render`, then `/tokenize`.

    Raises:
        UnsupportedEndpointError: A container endpoint (no render route); nothing is sent.
    """
    chat_template_kwargs = template_variables(
        llm.additional_kwargs.get("chat_template_kwargs", llm.chat_template_kwargs),
        thinking=llm.additional_kwargs.get("thinking", llm.thinking),
        switch="thinking",
    )
    return llm._sync_client().count_chat_tokens(  # noqa: SLF001 - the adapter's own client
        model=llm.model,
        messages=to_friendli_message_dicts(messages),
        tools=tool_specs(tools) if tools else None,
        chat_template_kwargs=chat_template_kwargs,
    )
