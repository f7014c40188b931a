"""Client configuration: endpoint, base URL, credentials, timeouts, retries, pool and proxy.

`CONNECTION_SETTINGS` declares every connection setting once: its name, environment variable
(per endpoint kind where one differs), whether it is a secret, its name in each framework where
that differs, and whether `friendli-batch` takes it as a flag. `ClientConfig` holds the values
of one client, `ConnectionOptions` the core clients' keywords, and the typed views
(`SharedConnectionFields` and each framework's) the adapters' fields as type checkers see them:
each sits next to the declaration, and a test keeps it in step. The adapters' connection
fields (`friendli_core.kit.connection_model`), the command's flags and the variables of each
endpoint kind (`ENV_VARS`) are derived from it.

`ClientConfig` is frozen and per instance: two clients with different tokens or teams in one
process never share credentials (there is no module-level state). Its repr masks the secrets
(the token and the proxy URL, which may carry credentials), and a pickle leaves them behind.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field, fields, replace
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    NamedTuple,
    Self,
    TypeAlias,
    TypedDict,
    Unpack,
    cast,
    get_args,
)
from urllib.parse import urlsplit

from friendli_core._names import refuse_unknown
from friendli_core.errors import InvalidRequestError

if TYPE_CHECKING:
    import httpx
    from httpx import AsyncClient as HttpAsyncClient
    from httpx import Client as HttpClient
    from pydantic import BaseModel, NonNegativeInt, PositiveInt, SecretStr

__all__ = [
    "CLOUD_ENDPOINTS",
    "CONNECTION_SETTINGS",
    "DEFAULT_BASE_URLS",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "ENV_VARS",
    "ClientConfig",
    "ConnectionOptions",
    "ConnectionSetting",
    "Endpoint",
    "EnvVars",
    "TimeoutTypes",
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


def env_value(name: str | None) -> str | None:
    """The value of an environment variable; None when unnamed, unset or empty."""
    return (os.environ.get(name) or None) if name else None


DEFAULT_MAX_RETRIES = 2
DEFAULT_TIMEOUT = 600.0
"""Seconds for a whole read; connect uses `DEFAULT_CONNECT_TIMEOUT`. Long generations need it."""
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_MAX_CONNECTIONS = 256
"""Connections a client's own pool opens at most, and keeps open when idle.

Keep-alive equals it: a pool that closes idle connections while requests wait for one
(httpx's default keeps 20 of 100) reopens a connection per request under load. Against a real
server it bounds how many generations run at once; the pool opens only what is in flight, and
its CPU per request hardly depends on its size. Chosen from `make bench-scale`
(benchmarks/README.md, "Pool size").
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


def check_embeddings_endpoint(endpoint: str) -> None:
    """Refuse the serverless endpoint, which serves no embeddings.

    Raises:
        InvalidRequestError: `endpoint` is "serverless".
    """
    if endpoint == "serverless":
        msg = (
            "Friendli serverless endpoints do not serve embeddings. Use endpoint='dedicated' "
            "with your embedding model's endpoint ID as the model, endpoint='container' for a "
            "Friendli Container, or endpoint='openai-compatible' for another server that speaks "
            "OpenAI's API (both with base_url=...)."
        )
        raise InvalidRequestError(msg)


@dataclass(frozen=True, slots=True)
class ConnectionSetting:
    """One connection setting, declared once in `CONNECTION_SETTINGS`.

    Attributes:
        name: Its `ClientConfig` field and core client keyword (httpx's name where httpx has one).
        annotation: The type of the adapters' field, as source text (resolved by the kit). The
            typed views for type checkers spell it again (`SharedConnectionFields`, and each
            framework's view for the renamed ones); a test keeps them equal.
        default: The adapters' default (the same as `ClientConfig`'s).
        doc: One sentence for users: the adapters' field docs and the command's help.
        env: The environment variable read when the setting is not given.
        env_by_endpoint: The variable an endpoint kind reads instead of `env` (None: that kind
            reads none and takes no such setting).
        secret: Masked in reprs and logs, never pickled (the token, the proxy URL).
        names: Its field name in a framework whose convention differs (`langchain`,
            `llama_index`); `alias`: a second name LangChain accepts, by its convention.
        flag: Whether `friendli-batch` takes it as `--name` (the token never: FRIENDLI_TOKEN).
        client_only: Not a `ClientConfig` value: the adapters' user-supplied httpx clients.
    """

    name: str
    annotation: str
    default: object
    doc: str
    _: KW_ONLY
    env: str | None = None
    env_by_endpoint: Mapping[str, str | None] = field(default_factory=dict)
    secret: bool = False
    names: Mapping[str, str] = field(default_factory=dict)
    alias: Mapping[str, str] = field(default_factory=dict)
    flag: bool = True
    client_only: bool = False

    def field_name(self, framework: str) -> str:
        """Its field name in `framework` (`langchain`, `llama_index`)."""
        return self.names.get(framework, self.name)

    def env_for(self, endpoint: str) -> str | None:
        """The environment variable the endpoint kind reads the setting from, if any."""
        return self.env_by_endpoint.get(endpoint, self.env)


CONNECTION_SETTINGS: tuple[ConnectionSetting, ...] = (
    ConnectionSetting(
        "token",
        "SecretStr | None",
        None,
        "Friendli personal access token, or the server's key for openai-compatible; read from "
        "FRIENDLI_TOKEN (OPENAI_COMPATIBLE_API_KEY for openai-compatible) when not given.",
        env="FRIENDLI_TOKEN",
        # Never FRIENDLI_TOKEN nor OPENAI_API_KEY: no Friendli or OpenAI key reaches a third party.
        env_by_endpoint={"openai-compatible": "OPENAI_COMPATIBLE_API_KEY"},
        secret=True,
        names={"langchain": "friendli_token", "llama_index": "api_key"},
        alias={"langchain": "api_key"},
        flag=False,
    ),
    ConnectionSetting(
        "team_id",
        "str | None",
        None,
        "Team to run requests as (X-Friendli-Team); read from FRIENDLI_TEAM when not given "
        "(serverless and dedicated only).",
        env="FRIENDLI_TEAM",
        env_by_endpoint={"openai-compatible": None},  # no team there
        names={"langchain": "friendli_team"},
        alias={"langchain": "team_id"},
    ),
    ConnectionSetting(
        "endpoint",
        "Endpoint",
        "serverless",
        "Which Friendli product serves the model: serverless, dedicated or container; or "
        "openai-compatible for any other server that speaks OpenAI's API (needs base_url).",
    ),
    ConnectionSetting(
        "base_url",
        "str | None",
        None,
        "API prefix the paths are appended to; read from FRIENDLI_BASE_URL "
        "(OPENAI_COMPATIBLE_BASE_URL for openai-compatible), else the endpoint's URL.",
        env="FRIENDLI_BASE_URL",
        env_by_endpoint={"openai-compatible": "OPENAI_COMPATIBLE_BASE_URL"},
    ),
    ConnectionSetting(
        "timeout",
        "float | None",
        DEFAULT_TIMEOUT,
        "Seconds to wait for a response (None: no timeout).",
    ),
    ConnectionSetting(
        "max_retries",
        "NonNegativeInt",
        DEFAULT_MAX_RETRIES,
        "Retries for connection errors, 408, 409, 429 and 5xx (with backoff and Retry-After).",
    ),
    ConnectionSetting(
        "default_headers",
        "dict[str, str] | None",
        None,
        "Extra HTTP headers sent with every request.",
        flag=False,
    ),
    ConnectionSetting(
        "max_connections",
        "PositiveInt",
        DEFAULT_MAX_CONNECTIONS,
        "Most connections the client's own pool opens (and keeps alive); a user-supplied "
        "httpx client keeps its own limits.",
    ),
    ConnectionSetting(
        "proxy",
        "SecretStr | None",
        None,
        "Proxy URL for every request, e.g. http://user:pass@proxy:3128 (a secret: it may carry "
        "credentials); unset, HTTPS_PROXY and NO_PROXY apply.",
        secret=True,
    ),
    ConnectionSetting(
        "verify",
        "bool | str",
        True,  # noqa: FBT003 - the declared default
        "TLS verification: True, False (not verified), or the path of a CA bundle file.",
    ),
    ConnectionSetting(
        "http_client",
        "HttpClient | None",
        None,
        "An httpx.Client to send sync requests with (its own proxy, certificates, limits).",
        flag=False,
        client_only=True,
    ),
    ConnectionSetting(
        "http_async_client",
        "HttpAsyncClient | None",
        None,
        "An httpx.AsyncClient to send async requests with (its own proxy, certificates, limits).",
        names={"llama_index": "async_http_client"},
        flag=False,
        client_only=True,
    ),
)
"""Every connection setting, declared once (see the module docstring)."""


# Type checkers see a pydantic model (its fields become the adapters' fields and constructor
# keywords through pydantic's dataclass_transform). At run time the adapters' fields are built
# from the declaration (`friendli_core.kit.connection_model`) and no pydantic is loaded here:
# the views are plain classes whose annotations a test compares with the built fields.
if TYPE_CHECKING:
    _TypedView = BaseModel
else:
    _TypedView = object

DECLARED: Any = None
"""The default of a typed view's field: the declared default, which the built field has."""


class SharedConnectionFields(_TypedView):
    """The adapters' connection fields every framework names alike, typed for type checkers.

    Each setting of `CONNECTION_SETTINGS` without framework `names`, with its `annotation`
    (names resolved as the kit resolves the declaration's). Each framework's view derives from
    it and adds only the settings some framework renames, under that framework's names.
    """

    endpoint: Endpoint = DECLARED
    base_url: str | None = DECLARED
    timeout: float | None = DECLARED
    max_retries: NonNegativeInt = DECLARED
    default_headers: dict[str, str] | None = DECLARED
    max_connections: PositiveInt = DECLARED
    proxy: SecretStr | None = DECLARED
    verify: bool | str = DECLARED
    http_client: HttpClient | None = DECLARED


class LangChainConnectionFields(SharedConnectionFields):
    """LangChain's connection fields, typed: the shared ones and those some framework renames."""

    friendli_token: SecretStr | None = DECLARED
    friendli_team: str | None = DECLARED
    http_async_client: HttpAsyncClient | None = DECLARED


class LlamaIndexConnectionFields(SharedConnectionFields):
    """LlamaIndex's connection fields, typed: the shared ones and those some framework renames."""

    api_key: SecretStr | None = DECLARED
    team_id: str | None = DECLARED
    async_http_client: HttpAsyncClient | None = DECLARED


TYPED_CONNECTION_FIELDS: Mapping[str, type] = {
    "langchain": LangChainConnectionFields,
    "llama_index": LlamaIndexConnectionFields,
}
"""Each framework's typed view of its connection fields (a test compares it with the built ones)."""


class EnvVars(NamedTuple):
    """The environment variables an endpoint kind reads its unset settings from."""

    token: str
    team: str | None  # None: the kind takes no team
    base_url: str


def _env_vars(endpoint: Endpoint) -> EnvVars:
    env = {s.name: s.env_for(endpoint) for s in CONNECTION_SETTINGS}
    return EnvVars(cast("str", env["token"]), env["team_id"], cast("str", env["base_url"]))


ENV_VARS: Mapping[Endpoint, EnvVars] = {kind: _env_vars(kind) for kind in get_args(Endpoint)}
"""Per endpoint kind, where the token, team and base URL come from when not given (derived
from `CONNECTION_SETTINGS`)."""


class ConnectionOptions(TypedDict, total=False):
    """The core clients' keyword options: `ClientConfig`'s fields (a test keeps them in step)."""

    token: str | None
    team_id: str | None
    endpoint: Endpoint
    base_url: str | None
    timeout: TimeoutTypes
    max_retries: int
    default_headers: Mapping[str, str] | None
    max_connections: int
    proxy: str | None
    verify: bool | str


def _config_names() -> tuple[str, ...]:
    return tuple(s.name for s in CONNECTION_SETTINGS if not s.client_only)


def _secret_names() -> frozenset[str]:
    return frozenset(s.name for s in CONNECTION_SETTINGS if s.secret)


@dataclass(frozen=True, repr=False)
class ClientConfig:
    """Everything a client needs to build requests and its connection pool.

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
        max_connections: Most connections of the client's own pool (all kept alive).
        proxy: Proxy URL (`http://`, `https://`, `socks5://`); None leaves HTTPS_PROXY and
            NO_PROXY in charge. A secret: masked in the repr, left out of a pickle.
        verify: TLS verification: True, False, or a CA bundle path (an `ssl.SSLContext` is
            built from it when the pool is made).
    """

    token: str | None = None
    team_id: str | None = None
    endpoint: Endpoint = "serverless"
    base_url: str = ""
    timeout: TimeoutTypes = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    default_headers: Mapping[str, str] = field(default_factory=dict)
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    proxy: str | None = None
    verify: bool | str = True

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
        object.__setattr__(self, "default_headers", dict(self.default_headers or {}))
        _check_pool(self.max_connections, self.proxy, self.verify)

    @classmethod
    def from_env(cls, **options: Unpack[ConnectionOptions]) -> ClientConfig:
        """Build a config from `ConnectionOptions`, taking unset values from the environment.

        Each setting with an environment variable is read from the endpoint kind's variable
        (`ConnectionSetting.env_for`) when not passed, or passed as None (or "" for the base
        URL): `FRIENDLI_TOKEN`, `FRIENDLI_TEAM` and `FRIENDLI_BASE_URL` for Friendli's
        endpoints, `OPENAI_COMPATIBLE_API_KEY` and `OPENAI_COMPATIBLE_BASE_URL` for
        "openai-compatible" (which takes no team). An explicit `token=""` means no token.

        Raises:
            InvalidRequestError: For an argument it does not take, naming the one to use.
        """
        if unknown := options.keys() - ConnectionOptions.__annotations__:
            refuse_unknown(f"{cls.__name__}.from_env", dict.fromkeys(unknown), _config_names())
        settings: dict[str, Any] = dict(options)
        endpoint = str(settings.get("endpoint") or "serverless")
        unset = {f.name: f.default for f in fields(cls)}  # None, or "" for the base URL
        for setting in CONNECTION_SETTINGS:
            value = settings.get(setting.name)
            if setting.env and (value is None or value == unset[setting.name]):
                settings[setting.name] = env_value(setting.env_for(endpoint))
        return cls(**{k: v for k, v in settings.items() if v is not None or k == "timeout"})

    def with_options(self, **changes: object) -> ClientConfig:
        """Return a copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle without the secrets: the unpickled config reads its kind's variable where it runs.

        (`FRIENDLI_TOKEN`, or `OPENAI_COMPATIBLE_API_KEY` for "openai-compatible".)
        """
        secret = _secret_names()
        kept = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in secret}
        return (_unpickle, (kept,))

    def __repr__(self) -> str:
        """Show the configuration with the secrets masked (headers left out: they may hold one)."""
        secret = _secret_names()
        shown = ", ".join(
            f"{f.name}={mask_secret(getattr(self, f.name)) if f.name in secret else ''}"
            + ("" if f.name in secret else repr(getattr(self, f.name)))
            for f in fields(self)
            if f.name != "default_headers"
        )
        return f"ClientConfig({shown})"

    __str__ = __repr__


def _check_pool(max_connections: object, proxy: object, verify: object) -> None:
    """Refuse a pool setting that httpx would only refuse at the first request, or never."""
    if (
        isinstance(max_connections, bool)
        or not isinstance(max_connections, int)
        or max_connections < 1
    ):
        msg = f"max_connections must be an integer >= 1; got {max_connections!r}"
        raise InvalidRequestError(msg)
    if proxy is not None and (
        not isinstance(proxy, str) or not proxy.startswith(("http://", "https://", "socks5://"))
    ):
        scheme = proxy.split("://", 1)[0] if isinstance(proxy, str) else type(proxy).__name__
        msg = f"proxy must be an http://, https:// or socks5:// URL; got one starting {scheme!r}"
        raise InvalidRequestError(msg)
    if isinstance(verify, str) and not os.path.isfile(verify):  # noqa: PTH113 - a str path
        msg = f"verify must be True, False or the path of a CA bundle file; {verify!r} is no file"
        raise InvalidRequestError(msg)
    if not isinstance(verify, bool | str):
        msg = f"verify must be True, False or the path of a CA bundle file; got {verify!r}"
        raise InvalidRequestError(msg)


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
