"""`ChatFriendli.profile` from Friendli's model catalog, and exact chat token counts.

The profile of a serverless model comes from the packaged snapshot (`friendli_core.known_models`)
when the model is built; `ChatFriendli.from_server` reads the live catalog of the endpoint
instead (Friendli's `/models`, with the snapshot's reasoning facts and modalities where it
does not state them, or a container's / any OpenAI-compatible server's `/models`, whose entries
give at least the context length). Keys the catalog does not state are left out: a missing key
means "unknown", never "unsupported".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from langchain_core.utils.function_calling import convert_to_openai_tool

from friendli_core.catalog import (
    ModelInfo,
    known_model,
    reading_live_catalog,
    served_model,
)
from friendli_core.errors import FriendliError, UnsupportedEndpointError
from friendli_core.pricing import remember_served
from friendli_core.reasoning import template_variables
from langchain_friendli._errors import reraise, translate_errors
from langchain_friendli._messages import convert_messages

if TYPE_CHECKING:
    from langchain_core.language_models import ModelProfile
    from langchain_core.messages import BaseMessage

    from langchain_friendli.chat_models import ChatFriendli

__all__ = [
    "count_message_tokens",
    "profile_from_info",
    "snapshot_info",
    "snapshot_profile",
    "with_server_profile",
]

_Chat = TypeVar("_Chat", bound="ChatFriendli")


def profile_from_info(info: ModelInfo) -> ModelProfile:
    """The LangChain profile a catalog entry supports (only the keys it states)."""
    profile: dict[str, Any] = {}
    if (window := info.context_window) is not None:
        profile["max_input_tokens"] = window
    if info.max_completion_tokens is not None:
        profile["max_output_tokens"] = info.max_completion_tokens
    functionality = info.functionality
    if functionality is not None and functionality.tool_call is not None:
        # Friendli's chat API takes tool_choice wherever it takes tools.
        profile["tool_calling"] = profile["tool_choice"] = functionality.tool_call
    if functionality is not None and functionality.structured_output is not None:
        profile["structured_output"] = functionality.structured_output
    options = info.reasoning_options
    if info.reasoning is not None:
        profile["reasoning_output"] = info.reasoning
    elif options is not None:  # a catalog without the flag: documented controls imply it
        profile["reasoning_output"] = bool(options)
    if options is not None:
        levels = [v for o in options if o.get("type") == "effort" for v in o.get("values", [])]
        if levels:
            profile["reasoning_effort_levels"] = levels
    if (modalities := info.input_modalities) is not None:
        for name in ("text", "image", "video", "audio", "pdf"):
            profile[f"{name}_inputs"] = name in modalities
    return profile  # type: ignore[return-value]


def snapshot_info(model: str | None, endpoint: str) -> ModelInfo | None:
    """The packaged snapshot's entry for a serverless model (dedicated/container: None)."""
    return known_model(model) if endpoint == "serverless" else None


def snapshot_profile(model: str | None, endpoint: str) -> ModelProfile | None:
    """The profile of a serverless model listed in the snapshot, else None (unknown model)."""
    info = snapshot_info(model, endpoint)
    return profile_from_info(info) if info is not None else None


def with_server_profile(cls: type[_Chat], kwargs: dict[str, Any]) -> _Chat:
    """`cls(**kwargs)` with its profile read from the live catalog of its endpoint.

    Keys of an explicit `profile=` win over the catalog's.

    Raises:
        UnsupportedEndpointError: A dedicated endpoint (it publishes no model catalog).
        ModelNotListedError: The catalog does not list the model.
    """
    with reading_live_catalog():  # the live entry's deprecation date counts, not the snapshot's
        chat = cls(**kwargs)

    def fetch() -> list[ModelInfo]:
        with translate_errors():
            return chat.client.list_models()

    info = served_model(
        chat.endpoint,
        chat.model,
        lambda: chat.client.config.base_url,
        fetch,
        instead="construct ChatFriendli directly and pass profile={...} (e.g. max_input_tokens).",
    )
    chat.profile = {**profile_from_info(info), **(kwargs.get("profile") or {})}
    chat._served_entry = info
    remember_served(chat.endpoint, info)
    return chat


def count_message_tokens(
    chat: ChatFriendli, messages: list[BaseMessage], tools: Sequence[Any] | None
) -> int:
    """Prompt tokens of `messages` (and `tools`) exactly as the model sees them.

    `/chat/render` applies the model's chat template, `/tokenize` counts the rendered text.

    Raises:
        UnsupportedEndpointError: A container endpoint (no render route); nothing is sent.
    """
    with translate_errors():
        converted = convert_messages(messages)
        specs = [convert_to_openai_tool(tool) for tool in tools] if tools else None
        variables = template_variables(
            chat.chat_template_kwargs, thinking=chat.reasoning, switch="reasoning"
        )
    try:
        return chat.client.count_chat_tokens(
            model=chat.model, messages=converted, tools=specs, chat_template_kwargs=variables
        )
    except UnsupportedEndpointError:
        raise
    except FriendliError as error:
        reraise(error)
