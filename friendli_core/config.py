"""Client configuration: endpoint, base URL, credentials, timeouts, retries and pool size.

`ClientConfig` is frozen and per instance: two clients with different tokens or teams in one
process never share credentials (there is no module-level state). Its repr masks the token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Self, TypeAlias, get_args
from urllib.parse import urlsplit

from friendli_core._names import refuse_unknown
from friendli_core.errors import InvalidRequestError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "API_PATHS",
    "CLOUD_ENDPOINTS",
    "DEFAULT_BASE_URLS",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "ENV_VARS",
    "ClientConfig",
    "Endpoint",
    "EnvVars",
    "TimeoutTypes",
    "check_base_url",
    "env_value",
    "mask_secret",
    "missing_base_url",
    "require_base_url",
    "url_origin",
]

Endpoint: TypeAlias = Literal["serverless", "dedicated", "container", "openai-compatible"]
"""Friendli serverless, dedicated, Friendli Container, or any other OpenAI-compatible server."""
TimeoutTypes: TypeAlias = "float | httpx.Timeout | None"

CLOUD_ENDPOINTS: tuple[Endpoint, ...] = ("serverless", "dedicated")
"""Friendli's hosted endpoints: they need a model and a token, and take a team."""

DEFAULT_BASE_URLS: Mapping[Endpoint, str] = {
    "serverless": "https://api.friendli.ai/serverless/v1",
    "dedicated": "https://api.friendli.ai/dedicated/v1",
    "container": "http://localhost:8000/v1",
}
"""No default for "openai-compatible": the server is the user's to name."""


class EnvVars(NamedTuple):
    """The environment variables an endpoint kind reads its unset settings from."""

    token: str
    team: str | None  # None: the kind takes no team
    base_url: str


_FRIENDLI_ENV = EnvVars("FRIENDLI_TOKEN", "FRIENDLI_TEAM", "FRIENDLI_BASE_URL")
ENV_VARS: Mapping[Endpoint, EnvVars] = {
    "serverless": _FRIENDLI_ENV,
    "dedicated": _FRIENDLI_ENV,
    "container": _FRIENDLI_ENV,
    # Never FRIENDLI_TOKEN nor OPENAI_API_KEY: no Friendli or OpenAI key reaches a third party.
    "openai-compatible": EnvVars("OPENAI_COMPATIBLE_API_KEY", None, "OPENAI_COMPATIBLE_BASE_URL"),
}
"""Per endpoint kind, where the token, team and base URL come from when not given."""


def env_value(name: str | None) -> str | None:
    """The value of an environment variable; None when unnamed, unset or empty."""
    return (os.environ.get(name) or None) if name else None


DEFAULT_MAX_RETRIES = 2
DEFAULT_TIMEOUT = 600.0
"""Seconds for a whole read; connect uses `DEFAULT_CONNECT_TIMEOUT`. Long generations need it."""
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_MAX_CONNECTIONS = 64
"""Connections a client's own pool opens at most, and keeps open when idle.

Keep-alive equals it: a pool that closes idle connections while requests wait for one
(httpx's default keeps 20 of 100) reopens a connection per request under load. Chosen from
`make bench-scale` (benchmarks/README.md, "Pool size").
"""


API_PATHS = (
    "/chat/completions",
    "/chat/render",
    "/completions",
    "/embeddings",
    "/tokenize",
    "/detokenize",
)
"""The paths the clients append to `base_url` (a base URL that ends in one is refused)."""


def url_origin(url: str) -> str:
    """`scheme://host:port` of `url`, the port filled in: no credentials, path or query."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # not a number: say what was given, without credentials
        port = None
    port = port or {"http": 80, "https": 443}.get(parts.scheme)
    host = f"[{parts.hostname}]" if parts.hostname and ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host or ''}" + (f":{port}" if port else "")


def check_base_url(url: str, *, option: str = "") -> str:
    """`url` without a trailing slash, if it can be a base URL.

    Args:
        url: The base URL given.
        option: The command-line option it came from (`--base-url`), named in the message
            instead of the `base_url=` argument.

    Raises:
        InvalidRequestError: Not http(s), or it ends in an API path (the client appends
            that), saying what to pass instead.
    """
    name = option or "base_url"
    base = url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        msg = f"{name} must start with http:// or https://; got {base!r}"
        raise InvalidRequestError(msg)
    path = urlsplit(base).path.rstrip("/")
    for api_path in API_PATHS:
        if path.endswith(api_path):
            parts = urlsplit(base)  # the prefix, without credentials or query (secrets)
            host = parts.netloc.rpartition("@")[2]
            prefix = f"{parts.scheme}://{host}{path.removesuffix(api_path)}"
            instead = f"{option} {prefix}" if option else f"base_url={prefix!r}"
            msg = (
                f"{name} ends in the API path {api_path!r}, which the client appends itself "
                f"(requests would go to ...{api_path}{api_path}). Pass the prefix before it: "
                f"{instead}."
            )
            raise InvalidRequestError(msg)
    return base


def mask_secret(secret: str | None) -> str:
    """Return a form of a secret that is safe to print: whether it is set, never any of it."""
    return "'**********'" if secret else "None"


@dataclass(frozen=True, repr=False)
class ClientConfig:
    """Everything a client needs to build requests.

    Attributes:
        token: Friendli personal access token (`flp_...`), or the OpenAI-compatible server's
            key. Sent as `Authorization: Bearer`. Required for serverless and dedicated;
            optional for container and openai-compatible.
        team_id: Team to run requests as, sent as `X-Friendli-Team` (serverless and dedicated
            only).
        endpoint: Which Friendli product the model runs on, or "openai-compatible" for any
            other server that speaks OpenAI's API (vLLM, llama.cpp, a hosted API).
        base_url: Prefix that `/chat/completions`, `/completions`, `/tokenize`, ... are appended
            to. Defaults by endpoint; required for "openai-compatible".
        timeout: Seconds (float) or an `httpx.Timeout`; None disables timeouts.
        max_retries: Retries after the first attempt for connection errors, 408, 409, 429, 5xx.
        default_headers: Extra headers sent with every request.
        max_connections: Connections the client's own pool opens at most and keeps alive;
            requests beyond it wait for one. Ignored with a user-supplied `http_client`.
    """

    token: str | None = None
    team_id: str | None = None
    endpoint: Endpoint = "serverless"
    base_url: str = ""
    timeout: TimeoutTypes = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    default_headers: Mapping[str, str] = field(default_factory=dict)
    max_connections: int = DEFAULT_MAX_CONNECTIONS

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:  # noqa: ARG004 - the dataclass __init__ takes them
        """Refuse an unknown argument with a suggestion (before the generated `__init__`)."""
        if kwargs:
            refuse_unknown(cls.__name__, kwargs, (f.name for f in fields(cls)))
        return super().__new__(cls)

    def __post_init__(self) -> None:
        """Validate the values and fill the base URL from the endpoint."""
        if self.endpoint not in get_args(Endpoint):
            kinds = ", ".join(repr(k) for k in get_args(Endpoint))
            msg = f"endpoint must be one of {kinds}; got {self.endpoint!r}"
            raise InvalidRequestError(msg)
        if not isinstance(self.max_retries, int) or self.max_retries < 0:
            msg = f"max_retries must be an integer >= 0; got {self.max_retries!r}"
            raise InvalidRequestError(msg)
        if (
            not isinstance(self.max_connections, int)
            or isinstance(self.max_connections, bool)
            or self.max_connections < 1
        ):
            msg = f"max_connections must be an integer >= 1; got {self.max_connections!r}"
            raise InvalidRequestError(msg)
        if not self.base_url and self.endpoint not in DEFAULT_BASE_URLS:
            raise InvalidRequestError(missing_base_url(self.endpoint))
        if self.team_id and ENV_VARS[self.endpoint].team is None:
            msg = (
                f"team_id is Friendli's (X-Friendli-Team); endpoint={self.endpoint!r} takes no "
                "team and would not send it: drop team_id."
            )
            raise InvalidRequestError(msg)
        base = check_base_url(self.base_url or DEFAULT_BASE_URLS[self.endpoint])
        object.__setattr__(self, "base_url", base)
        object.__setattr__(self, "default_headers", dict(self.default_headers))

    @classmethod
    def from_env(
        cls,
        *,
        token: str | None = None,
        team_id: str | None = None,
        endpoint: Endpoint = "serverless",
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        **unknown: object,
    ) -> ClientConfig:
        """Build a config, taking unset values from the environment.

        The endpoint kind's variables (`ENV_VARS`) fill `token`, `team_id` and `base_url` when
        they are not passed: `FRIENDLI_TOKEN`, `FRIENDLI_TEAM` and `FRIENDLI_BASE_URL` for
        Friendli's endpoints, `OPENAI_COMPATIBLE_API_KEY` and `OPENAI_COMPATIBLE_BASE_URL` for
        "openai-compatible" (which takes no team).

        Raises:
            InvalidRequestError: For an argument it does not take, naming the one to use.
        """
        if unknown:  # its arguments are the fields, so a typo gets the constructor's hint
            refuse_unknown(f"{cls.__name__}.from_env", unknown, (f.name for f in fields(cls)))
        env = ENV_VARS.get(endpoint, _FRIENDLI_ENV)  # an unknown kind is refused by __post_init__
        return cls(
            token=token if token is not None else env_value(env.token),
            team_id=team_id if team_id is not None else env_value(env.team),
            endpoint=endpoint,
            base_url=base_url or env_value(env.base_url) or "",
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers or {},
            max_connections=max_connections,
        )

    def with_options(self, **changes: object) -> ClientConfig:
        """Return a copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle without the token: the unpickled config reads its kind's variable where it runs.

        (`FRIENDLI_TOKEN`, or `OPENAI_COMPATIBLE_API_KEY` for "openai-compatible".)
        """
        kept = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "token"}
        return (_unpickle, (kept,))

    def __repr__(self) -> str:
        """Show the configuration with the token masked."""
        return (
            f"ClientConfig(endpoint={self.endpoint!r}, base_url={self.base_url!r}, "
            f"token={mask_secret(self.token)}, team_id={self.team_id!r}, "
            f"timeout={self.timeout!r}, max_retries={self.max_retries!r}, "
            f"max_connections={self.max_connections!r})"
        )

    __str__ = __repr__


def missing_base_url(endpoint: Endpoint) -> str:
    """The error text for an endpoint kind without a default host and no base URL given."""
    return (
        f"endpoint={endpoint!r} needs the server's base URL, the prefix its /chat/completions "
        "and /completions paths follow (e.g. http://localhost:8080/v1 for llama.cpp, "
        f"https://api.atoma.network/v1): pass base_url=... or set {ENV_VARS[endpoint].base_url}."
    )


def require_base_url(endpoint: Endpoint, base_url: str | None) -> None:
    """Refuse a kind without a default host when neither `base_url` nor its variable is set.

    Raises:
        InvalidRequestError: No base URL for "openai-compatible", naming the variable.
    """
    if base_url or endpoint in DEFAULT_BASE_URLS or env_value(ENV_VARS[endpoint].base_url):
        return
    raise InvalidRequestError(missing_base_url(endpoint))


def _unpickle(kept: dict[str, Any]) -> ClientConfig:
    return ClientConfig(token=env_value(ENV_VARS[kept["endpoint"]].token), **kept)
