"""The connection fields and client lifecycle of the Friendli LlamaIndex classes.

`FriendliConnectionFields` declares the settings (token, team, endpoint, base URL, timeout,
retries, headers, pool size, httpx clients) once for `FriendliLLM` and `FriendliEmbedding`.
Unset token, team and base URL are read from `FRIENDLI_TOKEN`, `FRIENDLI_TEAM` and
`FRIENDLI_BASE_URL` when the client is built (`OPENAI_COMPATIBLE_API_KEY` and
`OPENAI_COMPATIBLE_BASE_URL` for endpoint="openai-compatible", which takes no team). The
clients come from
`friendli_core._lifecycle.ModelClients`: built on first use, rebuilt when a setting changes,
one async client per event loop, never shared with a forked child, never pickled (nor is the
token).
"""

from __future__ import annotations

from typing import ClassVar, Self

from llama_index.core.bridge.pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    model_validator,
)

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
    Endpoint,
    require_base_url,
)

__all__ = ["FriendliConnectionFields"]


class FriendliConnectionFields(LifecycleMethods, ConstructorChecks, BaseModel):
    """Connection settings and the lazily built `friendli_core` clients (a mixin)."""

    # A mixin: the concrete class builds the schema with its own config. Errors do not repeat
    # the input: it holds the token.
    model_config = ConfigDict(
        arbitrary_types_allowed=True, defer_build=True, hide_input_in_errors=True
    )

    api_key: SecretStr | None = Field(
        default=None,
        exclude=True,
        repr=False,
        description=(
            "Friendli personal access token; defaults to the FRIENDLI_TOKEN variable "
            "(OPENAI_COMPATIBLE_API_KEY for endpoint='openai-compatible')."
        ),
    )
    team_id: str | None = Field(
        default=None,
        description="Team to run requests as (X-Friendli-Team); defaults to FRIENDLI_TEAM.",
    )
    endpoint: Endpoint = Field(
        default="serverless",
        description=(
            "Which Friendli product serves the model: serverless, dedicated, container; or "
            "openai-compatible for any other server that speaks OpenAI's API (needs base_url)."
        ),
    )
    base_url: str | None = Field(
        default=None,
        description=(
            "Base URL the API paths are appended to; defaults to FRIENDLI_BASE_URL "
            "(OPENAI_COMPATIBLE_BASE_URL for endpoint='openai-compatible'), then to the "
            "endpoint's URL."
        ),
    )
    timeout: float | None = Field(
        default=DEFAULT_TIMEOUT, description="Request timeout in seconds (None: no timeout)."
    )
    max_retries: int = Field(
        default=DEFAULT_MAX_RETRIES,
        ge=0,
        description="Retries for connection errors, 408, 409, 429 and 5xx.",
    )
    default_headers: dict[str, str] | None = Field(
        default=None, description="Extra headers sent with every request."
    )
    max_connections: int = Field(
        default=DEFAULT_MAX_CONNECTIONS,
        ge=1,
        description=(
            "Connections the model's own pools open at most and keep alive; requests beyond it "
            "wait for one. Not used with a user-supplied httpx client."
        ),
    )
    http_client: HttpClient | None = Field(
        default=None, exclude=True, repr=False, description="An httpx.Client to send with."
    )
    async_http_client: HttpAsyncClient | None = Field(
        default=None,
        exclude=True,
        repr=False,
        description="An httpx.AsyncClient to send with (bound to one event loop).",
    )

    _clients: ModelClients = PrivateAttr(default_factory=ModelClients)
    _CONNECTION_FIELDS: ClassVar[tuple[str, ...]] = (
        "api_key",
        "team_id",
        "endpoint",
        "base_url",
        "timeout",
        "max_retries",
        "default_headers",
        "max_connections",
        "http_client",
        "async_http_client",
    )
    """The fields that make the `Connection`, in its order (token first)."""
    _ALSO_TAKES: ClassVar[tuple[str, ...]] = ("class_name",)  # in `to_dict()`'s output
    _BODY_HINT: ClassVar[str] = "pass further request fields in additional_kwargs={...}"

    @model_validator(mode="after")
    def _require_base_url(self) -> Self:
        """An endpoint kind without a default host needs a base URL (argument or variable)."""
        require_base_url(self.endpoint, self.base_url)
        return self
