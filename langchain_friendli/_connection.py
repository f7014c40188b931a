"""The connection fields and client lifecycle shared by every Friendli LangChain class.

`FriendliConnection` declares the settings (model, token, team, endpoint, base URL, timeout,
retries, headers, pool size, httpx clients) once, with their environment variables, for
`ChatFriendli`, `Friendli` and `FriendliEmbeddings`. Its clients come from
`friendli_core._lifecycle.ModelClients`: built on first use, rebuilt when a connection setting
changes, one async client per event loop, never shared with a forked child, never pickled (nor
is the token).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from langchain_core.utils import from_env, secret_from_env
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from friendli_core._adapter_checks import ConstructorChecks
from friendli_core._httpx_fields import HttpAsyncClient, HttpClient
from friendli_core._lifecycle import (
    LifecycleMethods,
    ModelClients,
)
from friendli_core.config import (
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ENV_VARS,
    Endpoint,
    env_value,
    require_base_url,
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


class FriendliConnection(LifecycleMethods, ConstructorChecks, BaseModel):
    """Connection settings and the lazily built `friendli_core` clients."""

    # A base class, never instantiated: the concrete classes build their schema with their
    # own config, MODEL_CONFIG.
    model_config = ConfigDict(**{**MODEL_CONFIG, "defer_build": True})

    model: str | None = Field(default=None, alias="model_name")
    """Model code (serverless), endpoint ID (dedicated; `endpoint-id:adapter-route` selects a
    LoRA adapter), or None for a container, which serves one model."""
    friendli_token: SecretStr | None = Field(
        default_factory=secret_from_env("FRIENDLI_TOKEN", default=None), alias="api_key"
    )
    """Friendli personal access token; read from `FRIENDLI_TOKEN` when not given (the server's
    key from `OPENAI_COMPATIBLE_API_KEY` for endpoint="openai-compatible")."""
    friendli_team: str | None = Field(
        default_factory=from_env("FRIENDLI_TEAM", default=None), alias="team_id"
    )
    """Team to run requests as (`X-Friendli-Team`); read from `FRIENDLI_TEAM` when not given
    (serverless and dedicated only)."""
    endpoint: Endpoint = "serverless"
    """Which Friendli product serves the model, picking the default base URL; or
    "openai-compatible" for any other server that speaks OpenAI's API (base_url required)."""
    base_url: str | None = Field(default_factory=from_env("FRIENDLI_BASE_URL", default=None))
    """API prefix, e.g. `https://api.friendli.ai/serverless/v1`; read from `FRIENDLI_BASE_URL`
    (`OPENAI_COMPATIBLE_BASE_URL` for endpoint="openai-compatible"), else derived from
    `endpoint`."""
    timeout: float | None = DEFAULT_TIMEOUT
    """Seconds to wait for a response (None: no timeout)."""
    max_retries: int = DEFAULT_MAX_RETRIES
    """Retries for connection errors, 408, 409, 429 and 5xx (with backoff and Retry-After)."""
    default_headers: dict[str, str] | None = None
    """Extra HTTP headers sent with every request."""
    max_connections: int = Field(default=DEFAULT_MAX_CONNECTIONS, ge=1)
    """Connections the model's own pools open at most and keep alive (one pool per client
    built); requests beyond it wait for one. Not used with a user-supplied httpx client."""
    http_client: HttpClient | None = Field(default=None, exclude=True)
    """An `httpx.Client` to send sync requests with (proxies, certificates, transports)."""
    http_async_client: HttpAsyncClient | None = Field(default=None, exclude=True)
    """An `httpx.AsyncClient` to send async requests with; used on every event loop."""

    _clients: ModelClients = PrivateAttr(default_factory=ModelClients)
    _CONNECTION_FIELDS: ClassVar[tuple[str, ...]] = (
        "friendli_token",
        "friendli_team",
        "endpoint",
        "base_url",
        "timeout",
        "max_retries",
        "default_headers",
        "max_connections",
        "http_client",
        "http_async_client",
    )
    """The fields that make the `Connection`, in its order (token first)."""

    @model_validator(mode="before")
    @classmethod
    def _endpoint_environment(cls, data: Any) -> Any:
        """Read unset settings from the endpoint kind's variables, not Friendli's.

        The fields' defaults read `FRIENDLI_*`; an "openai-compatible" model reads
        `OPENAI_COMPATIBLE_API_KEY` and `OPENAI_COMPATIBLE_BASE_URL` instead (never a Friendli
        or OpenAI key, which must not reach a third-party server) and takes no team.
        """
        endpoint = data.get("endpoint") if isinstance(data, dict) else None
        env = ENV_VARS.get(endpoint) if isinstance(endpoint, str) else None  # type: ignore[call-overload]
        if env is None or env == ENV_VARS["serverless"]:  # the fields' own defaults apply
            return data
        unset = {
            ("friendli_token", "api_key"): env_value(env.token),
            ("friendli_team", "team_id"): env_value(env.team),
            ("base_url",): env_value(env.base_url),
        }
        filled = {
            names[0]: value for names, value in unset.items() if data.keys().isdisjoint(names)
        }
        return {**filled, **data}

    @model_validator(mode="after")
    def _require_base_url(self) -> Self:
        require_base_url(self.endpoint, self.base_url)
        return self

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Map the token field to its environment variable for serialization."""
        return {"friendli_token": ENV_VARS[self.endpoint].token}

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
