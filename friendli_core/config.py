"""Client configuration: endpoint, base URL, credentials, timeouts and retries.

`ClientConfig` is frozen and per instance: two clients with different tokens or teams in one
process never share credentials (there is no module-level state). Its repr masks the token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Literal, Self, TypeAlias, get_args
from urllib.parse import urlsplit

from friendli_core._names import refuse_unknown
from friendli_core.errors import InvalidRequestError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "API_PATHS",
    "DEFAULT_BASE_URLS",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "ClientConfig",
    "Endpoint",
    "TimeoutTypes",
    "check_base_url",
    "mask_secret",
    "url_origin",
]

Endpoint: TypeAlias = Literal["serverless", "dedicated", "container"]
TimeoutTypes: TypeAlias = "float | httpx.Timeout | None"

DEFAULT_BASE_URLS: Mapping[str, str] = {
    "serverless": "https://api.friendli.ai/serverless/v1",
    "dedicated": "https://api.friendli.ai/dedicated/v1",
    "container": "http://localhost:8000/v1",
}
DEFAULT_MAX_RETRIES = 2
DEFAULT_TIMEOUT = 600.0
"""Seconds for a whole read; connect uses `DEFAULT_CONNECT_TIMEOUT`. Long generations need it."""
DEFAULT_CONNECT_TIMEOUT = 5.0


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
        token: Friendli personal access token (`flp_...`). Sent as `Authorization: Bearer`.
            Required for serverless and dedicated; optional for container.
        team_id: Team to run requests as, sent as `X-Friendli-Team` (never for container).
        endpoint: Which Friendli product the model runs on.
        base_url: Prefix that `/chat/completions`, `/completions`, `/tokenize`, ... are appended
            to. Defaults by endpoint; any OpenAI-compatible server works.
        timeout: Seconds (float) or an `httpx.Timeout`; None disables timeouts.
        max_retries: Retries after the first attempt for connection errors, 408, 409, 429, 5xx.
        default_headers: Extra headers sent with every request.
    """

    token: str | None = None
    team_id: str | None = None
    endpoint: Endpoint = "serverless"
    base_url: str = ""
    timeout: TimeoutTypes = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    default_headers: Mapping[str, str] = field(default_factory=dict)

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:  # noqa: ARG004 - the dataclass __init__ takes them
        """Refuse an unknown argument with a suggestion (before the generated `__init__`)."""
        if kwargs:
            refuse_unknown(cls.__name__, kwargs, (f.name for f in fields(cls)))
        return super().__new__(cls)

    def __post_init__(self) -> None:
        """Validate the values and fill the base URL from the endpoint."""
        if self.endpoint not in get_args(Endpoint):
            msg = (
                f"endpoint must be one of 'serverless', 'dedicated', 'container'; "
                f"got {self.endpoint!r}"
            )
            raise InvalidRequestError(msg)
        if not isinstance(self.max_retries, int) or self.max_retries < 0:
            msg = f"max_retries must be an integer >= 0; got {self.max_retries!r}"
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
        **unknown: object,
    ) -> ClientConfig:
        """Build a config, taking unset values from the environment.

        `FRIENDLI_TOKEN`, `FRIENDLI_TEAM` and `FRIENDLI_BASE_URL` fill `token`, `team_id` and
        `base_url` when they are not passed.

        Raises:
            InvalidRequestError: For an argument it does not take, naming the one to use.
        """
        if unknown:  # its arguments are the fields, so a typo gets the constructor's hint
            refuse_unknown(f"{cls.__name__}.from_env", unknown, (f.name for f in fields(cls)))
        return cls(
            token=token if token is not None else (os.environ.get("FRIENDLI_TOKEN") or None),
            team_id=team_id if team_id is not None else (os.environ.get("FRIENDLI_TEAM") or None),
            endpoint=endpoint,
            base_url=base_url or os.environ.get("FRIENDLI_BASE_URL") or "",
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers or {},
        )

    def with_options(self, **changes: object) -> ClientConfig:
        """Return a copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle without the token: the unpickled config reads FRIENDLI_TOKEN where it runs."""
        kept = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "token"}
        return (_unpickle, (kept,))

    def __repr__(self) -> str:
        """Show the configuration with the token masked."""
        return (
            f"ClientConfig(endpoint={self.endpoint!r}, base_url={self.base_url!r}, "
            f"token={mask_secret(self.token)}, team_id={self.team_id!r}, "
            f"timeout={self.timeout!r}, max_retries={self.max_retries!r})"
        )

    __str__ = __repr__


def _unpickle(kept: dict[str, Any]) -> ClientConfig:
    return ClientConfig(token=os.environ.get("FRIENDLI_TOKEN") or None, **kept)
