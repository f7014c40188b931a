"""The one public place the adapters build on (`langchain_friendli`, `llama_index_friendli`).

An adapter keeps only its framework's conversion; what both share comes from here or from the
public modules (`errors`, `types`, `config`, `catalog`):

* the client lifecycle: `ModelClients`, `Connection`, `LifecycleMethods` (clients built on
  first use, rebuilt when a connection setting changes, never shared with a forked child);
* the toolbox: tools, messages, response formats (`function_tool`, `tool_call`,
  `assistant_message`, `media_part`, `json_schema_format`, ...) and the choice fold of a chat
  stream (`ChatChoiceFold` and its change flags);
* the connection fields, derived from `friendli_core.config.CONNECTION_SETTINGS` in each
  framework's naming and conventions (`connection_model`), and the pydantic field types of a
  user-supplied httpx client (`HttpClient`, `HttpAsyncClient`);
* which request-body fields each adapter declares (`adapter_fields`), and which fields an API
  takes on an endpoint kind (`api_fields`, `ENDPOINTS`);
* the constructor checks (`ConstructorChecks`), the check that a framework extra is installed
  (`require`), the snapshot lookup (`snapshot_model`), the fast-copy helper (`Prototype`) and
  the lazy exports of a package (`lazy_names`).

The core below this module imports nothing from it and names no adapter (a test of imports
enforces both). Importing it loads no httpx and none of the core's response models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, NonNegativeInt, PositiveInt, SecretStr, create_model

from friendli_core import _adapters, _exports, _fold, _httpx_fields, _lifecycle
from friendli_core._adapter_checks import ConstructorChecks
from friendli_core._adapters import *  # noqa: F403 - the toolbox, named by its __all__
from friendli_core._exports import *  # noqa: F403 - named by its __all__
from friendli_core._extras import require
from friendli_core._fields import ENDPOINTS, THINKING_VARIABLE, Api, BodyField, api_fields
from friendli_core._fold import *  # noqa: F403 - the choice fold, named by its __all__
from friendli_core._httpx_fields import *  # noqa: F403 - named by its __all__
from friendli_core._lifecycle import *  # noqa: F403 - named by its __all__
from friendli_core._upstream_hooks.pydantic_copy import Prototype
from friendli_core.catalog import known_model
from friendli_core.config import CONNECTION_SETTINGS, ConnectionSetting, Endpoint

if TYPE_CHECKING:
    from friendli_core.catalog import ModelInfo

__all__ = [
    "ADAPTER_API",
    "ENDPOINTS",
    "LEFT_OUT",
    "SWITCHES",
    "Adapter",
    "ConstructorChecks",
    "Prototype",
    "TemplateSwitch",
    "adapter_fields",
    "adapter_switches",
    "api_fields",
    "connection_model",
    "require",
    "snapshot_model",
]
__all__ += _adapters.__all__
__all__ += _exports.__all__
__all__ += _fold.__all__
__all__ += _httpx_fields.__all__
__all__ += _lifecycle.__all__

Adapter: TypeAlias = Literal["ChatFriendli", "Friendli", "FriendliLLM"]
"""The adapter classes that declare request-body fields as model-level settings."""

ADAPTER_API: Mapping[Adapter, Api] = {
    "ChatFriendli": "chat",
    "Friendli": "completions",
    # Chat first: with is_chat_model=False its fields common to both APIs go to /completions.
    "FriendliLLM": "chat",
}
"""The API whose model-level fields each adapter exposes."""

LEFT_OUT: Mapping[Adapter, Mapping[str, str]] = {
    "FriendliLLM": {
        "n": "A LlamaIndex call returns one response; the others would be lost.",
        "parallel_tool_calls": "Set per call: chat_with_tools(allow_parallel_tool_calls=...).",
    },
}
"""Body fields an adapter leaves out of its model-level settings, each with the reason."""


def adapter_fields(
    adapter: Adapter, *, apis: tuple[Api, ...] | None = None
) -> tuple[BodyField, ...]:
    """The model-level body fields of an adapter (optionally only those of exactly `apis`).

    These are its API's Friendli fields (OpenAI's extra ones go per call, for
    "openai-compatible") that are neither per call, nor declared by the adapter itself, nor
    left out of that adapter (`LEFT_OUT`).
    """
    left_out = LEFT_OUT.get(adapter, {})
    return tuple(
        f
        for f in api_fields(ADAPTER_API[adapter])
        if not (f.per_call or f.own or f.name in left_out) and (apis is None or f.apis == apis)
    )


@dataclass(frozen=True, slots=True)
class TemplateSwitch:
    """A model-level switch of the adapters that sets one chat-template variable.

    Attributes:
        variable: The key it sets in `chat_template_kwargs`.
        names: Its field name in each adapter that exposes it (the framework's convention).
        doc: One sentence for users; the adapters' field docs are made from it.
    """

    variable: str
    names: Mapping[Adapter, str]
    doc: str


SWITCHES: tuple[TemplateSwitch, ...] = (
    TemplateSwitch(
        THINKING_VARIABLE,
        {"ChatFriendli": "reasoning", "FriendliLLM": "thinking"},
        "Turn the model's thinking on (True) or off (False) with Friendli's chat-template "
        "switch chat_template_kwargs.enable_thinking, also per call; None keeps the model's "
        "default. Refused before sending for a model the catalog says does not reason.",
    ),
)
"""The adapters' model-level switches that set a chat-template variable, not a body field."""


def adapter_switches(adapter: Adapter) -> tuple[tuple[str, TemplateSwitch], ...]:
    """The switches an adapter exposes, with their field name in it."""
    return tuple((s.names[adapter], s) for s in SWITCHES if adapter in s.names)


def snapshot_model(model: str | None, endpoint: str) -> ModelInfo | None:
    """The packaged snapshot's entry for a serverless model (dedicated/container: None)."""
    return known_model(model) if endpoint == "serverless" else None


# The names the declaration's annotations use (`ConnectionSetting.annotation`).
_ANNOTATIONS: dict[str, Any] = {
    "Endpoint": Endpoint,
    "HttpAsyncClient": HttpAsyncClient,  # noqa: F405 - from _httpx_fields
    "HttpClient": HttpClient,  # noqa: F405 - from _httpx_fields
    "NonNegativeInt": NonNegativeInt,
    "PositiveInt": PositiveInt,
    "SecretStr": SecretStr,
}


def connection_model(
    framework: str,
    field: Callable[[ConnectionSetting], Any],
    config: ConfigDict,
    settings: tuple[ConnectionSetting, ...] = CONNECTION_SETTINGS,
) -> type[BaseModel]:
    """A pydantic model holding every connection setting as `framework` names it.

    `field(setting)` gives each field's pydantic `Field` in the framework's conventions
    (environment defaults, aliases, descriptions); the names and types come from the
    declaration, `settings`. Adapter classes derive from it, with `LifecycleMethods` first.
    """
    fields: dict[str, Any] = {
        s.field_name(framework): (eval(s.annotation, dict(_ANNOTATIONS)), field(s))  # noqa: S307 - our own declaration
        for s in settings
    }
    return create_model(
        f"{framework.title().replace('_', '')}ConnectionSettings",
        __config__=config,
        __module__=__name__,
        **fields,
    )
