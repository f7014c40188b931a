"""The connection fields and client lifecycle shared by every Friendli LangChain class.

`FriendliConnection` holds the model and the connection settings, derived from the core's one
declaration (`friendli_core.config.CONNECTION_SETTINGS`) in LangChain's conventions (the token
is `friendli_token`, alias `api_key`; unset values are read from their environment variables
when the model is built), for `ChatFriendli`, `Friendli` and `FriendliEmbeddings`. Its
clients come from `friendli_core.kit.ModelClients`: built on first use, rebuilt when a
connection setting changes, one async client per event loop, never shared with a forked child,
never pickled (nor are the token and the proxy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from langchain_core.utils import from_env, secret_from_env
from pydantic import ConfigDict, Field, PrivateAttr, model_validator

from friendli_core.config import (
    CONNECTION_SETTINGS,
    ConnectionSetting,
    LangChainConnectionFields,
    env_value,
    require_base_url,
)
from friendli_core.kit import (
    ConstructorChecks,
    LifecycleMethods,
    ModelClients,
    connection_model,
)

if TYPE_CHECKING:
    # Imported when the first client is built: importing the integration loads no httpx.
    from friendli_core import AsyncFriendliClient, FriendliClient

__all__ = ["MODEL_CONFIG", "FriendliConnection"]

MODEL_CONFIG = ConfigDict(
    populate_by_name=True,
    arbitrary_types_allowed=True,
    extra="forbid",
    defer_build=False,
    hide_input_in_errors=True,
)
"""The pydantic config of `ChatFriendli`, `Friendli` and `FriendliEmbeddings` (set on each: their
LangChain base class's config would win otherwise). Their schemas are built when the classes
are defined. Errors do not repeat the input: it holds the token."""


def _field(setting: ConnectionSetting) -> Any:
    """A connection field in LangChain's conventions (environment read at construction)."""
    options: dict[str, Any] = {
        "alias": setting.alias.get("langchain"),
        "description": setting.doc,
        # the user's httpx clients and a secret no environment variable holds stay out of
        # serialized output (the token is replaced by its variable: `lc_secrets`)
        "exclude": setting.client_only or (setting.secret and not setting.env),
    }
    if setting.env:
        read = secret_from_env if setting.secret else from_env
        return Field(default_factory=read(setting.env, default=None), **options)
    return Field(default=setting.default, **options)


if TYPE_CHECKING:  # the fields typed in the declaration's module
    _Settings = LangChainConnectionFields
else:
    _Settings = connection_model(
        "langchain", _field, ConfigDict(**{**MODEL_CONFIG, "defer_build": True})
    )


class FriendliConnection(LifecycleMethods, ConstructorChecks, _Settings):
    """Connection settings and the lazily built `friendli_core` clients."""

    # A base class, never instantiated: the concrete classes build their schema with their
    # own config, MODEL_CONFIG.
    model_config = ConfigDict(**{**MODEL_CONFIG, "defer_build": True})

    model: str | None = Field(default=None, alias="model_name")
    """Model code (serverless), endpoint ID (dedicated; `endpoint-id:adapter-route` selects a
    LoRA adapter), or None for a container, which serves one model."""

    _clients: ModelClients = PrivateAttr(default_factory=ModelClients)
    _FRAMEWORK: ClassVar[str] = "langchain"

    @model_validator(mode="before")
    @classmethod
    def _endpoint_environment(cls, data: Any) -> Any:
        """Read unset settings from the endpoint kind's variables, not Friendli's.

        The fields' defaults read `FRIENDLI_*`; an "openai-compatible" model reads
        `OPENAI_COMPATIBLE_API_KEY` and `OPENAI_COMPATIBLE_BASE_URL` instead (never a Friendli
        or OpenAI key, which must not reach a third-party server) and takes no team
        (`ConnectionSetting.env_by_endpoint`).
        """
        endpoint = data.get("endpoint") if isinstance(data, dict) else None
        if not isinstance(endpoint, str):  # the fields' own defaults apply
            return data
        filled = {
            s.field_name("langchain"): env_value(s.env_for(endpoint))
            for s in CONNECTION_SETTINGS
            if endpoint in s.env_by_endpoint
            and data.keys().isdisjoint({s.field_name("langchain"), s.alias.get("langchain")})
        }
        return {**filled, **data}

    @model_validator(mode="after")
    def _require_base_url(self) -> Self:
        require_base_url(self.endpoint, self.base_url)
        return self

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Map the token field to its environment variable for serialization."""
        return {
            s.field_name("langchain"): env
            for s in CONNECTION_SETTINGS
            if s.secret and (env := s.env_for(self.endpoint)) is not None
        }

    @property
    def client(self) -> FriendliClient:
        """The sync `friendli_core` client for the current settings, built on first use."""
        return self._sync_client()

    @property
    def async_client(self) -> AsyncFriendliClient:
        """The `friendli_core` async client of the running event loop, built on first use."""
        return self._async_client()

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        """Deep-copy the settings; user-supplied httpx clients are shared, not copied."""
        memo = {} if memo is None else memo
        for http in (self.http_client, self.http_async_client):
            if http is not None:
                memo[id(http)] = http
        return super().__deepcopy__(memo)
