"""The connection fields and client lifecycle of the Friendli LlamaIndex classes.

`FriendliConnectionFields` holds the connection settings, derived from the core's one
declaration (`friendli_core.config.CONNECTION_SETTINGS`) in LlamaIndex's conventions (the token
is `api_key`, the async client `async_http_client`, each with a `description`), for
`FriendliLLM` and `FriendliEmbedding`. Unset token, team and base URL are read from
`FRIENDLI_TOKEN`, `FRIENDLI_TEAM` and `FRIENDLI_BASE_URL` when the client is built
(`OPENAI_COMPATIBLE_API_KEY` and `OPENAI_COMPATIBLE_BASE_URL` for
endpoint="openai-compatible", which takes no team). The clients come from
`friendli_core.kit.ModelClients`: built on first use, rebuilt when a setting changes, one async
client per event loop, never shared with a forked child, never pickled (nor are the token and
the proxy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from llama_index.core.bridge.pydantic import (
    ConfigDict,
    Field,
    PrivateAttr,
    model_validator,
)

from friendli_core.config import (
    ConnectionSetting,
    LlamaIndexConnectionFields,
    require_base_url,
)
from friendli_core.kit import (
    ConstructorChecks,
    LifecycleMethods,
    ModelClients,
    connection_model,
)

__all__ = ["FriendliConnectionFields"]


def _field(setting: ConnectionSetting) -> Any:
    """A connection field in LlamaIndex's conventions (environment read by the client).

    Secrets and the user's httpx clients are left out of serialized output and the repr.
    """
    hidden = setting.secret or setting.client_only
    return Field(default=setting.default, description=setting.doc, exclude=hidden, repr=not hidden)


if TYPE_CHECKING:  # the fields typed in the declaration's module
    _Settings = LlamaIndexConnectionFields
else:
    # A mixin: the concrete class builds the schema with its own config.
    _Settings = connection_model(
        "llama_index", _field, ConfigDict(arbitrary_types_allowed=True, defer_build=True)
    )


class FriendliConnectionFields(LifecycleMethods, ConstructorChecks, _Settings):
    """Connection settings and the lazily built `friendli_core` clients (a mixin)."""

    # A mixin: the concrete class builds the schema with its own config. Errors do not repeat
    # the input: it holds the token.
    model_config = ConfigDict(
        arbitrary_types_allowed=True, defer_build=True, hide_input_in_errors=True
    )

    _clients: ModelClients = PrivateAttr(default_factory=ModelClients)
    _FRAMEWORK: ClassVar[str] = "llama_index"
    _ALSO_TAKES: ClassVar[tuple[str, ...]] = ("class_name",)  # in `to_dict()`'s output
    _BODY_HINT: ClassVar[str] = "pass further request fields in additional_kwargs={...}"

    @model_validator(mode="after")
    def _require_base_url(self) -> Self:
        """An endpoint kind without a default host needs a base URL (argument or variable)."""
        require_base_url(self.endpoint, self.base_url)
        return self
