"""Fields and lazy client construction shared by `ChatFriendli` and `Friendli`.

`FriendliBase` holds the connection settings and the sampling parameters common to the chat and
completions bodies. It builds the `friendli_core` clients on first use and never pickles or
copies them: a copy or an unpickled model starts without clients and builds its own. The sync
client is shared by all threads; an async client is built per running event loop, because
httpx async connections must not be reused across loops.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

from langchain_core.language_models import LangSmithParams
from langchain_core.utils import from_env, secret_from_env
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr

from friendli_core._httpx_fields import HttpAsyncClient, HttpClient
from friendli_core.config import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from langchain_friendli._convert import combine_stop
from langchain_friendli._errors import translate_errors

if TYPE_CHECKING:
    # Imported when the first client is built: importing the integration loads no httpx.
    from friendli_core import AsyncFriendliClient, FriendliClient

__all__ = ["MODEL_CONFIG", "FriendliBase"]

MODEL_CONFIG = ConfigDict(
    populate_by_name=True, arbitrary_types_allowed=True, extra="forbid", defer_build=False
)
"""The pydantic config of `ChatFriendli` and `Friendli` (set on each: their LangChain base
class's config would win otherwise). Their schemas are built when the classes are defined."""


class _ClientCache:
    """Holds the lazily built clients; copies and unpickled instances start empty."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sync: FriendliClient | None = None
        self.by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncFriendliClient]
        self.by_loop = weakref.WeakKeyDictionary()

    def __copy__(self) -> _ClientCache:
        return _ClientCache()

    def __deepcopy__(self, memo: dict[int, Any]) -> _ClientCache:
        return _ClientCache()

    def __reduce__(self) -> tuple[type[_ClientCache], tuple[()]]:
        return (_ClientCache, ())


class FriendliBase(BaseModel):
    """Connection settings and shared sampling parameters of the Friendli LangChain models."""

    # Never instantiated on its own, so its schema is not built (that of ChatFriendli and
    # Friendli is, with their own config, MODEL_CONFIG).
    model_config = ConfigDict(**{**MODEL_CONFIG, "defer_build": True})

    model: str | None = Field(default=None, alias="model_name")
    """Model code (serverless), endpoint ID (dedicated; `endpoint-id:adapter-route` selects a
    LoRA adapter), or None for a container, which serves one model."""
    friendli_token: SecretStr | None = Field(
        default_factory=secret_from_env("FRIENDLI_TOKEN", default=None), alias="api_key"
    )
    """Friendli personal access token; read from `FRIENDLI_TOKEN` when not given."""
    friendli_team: str | None = Field(
        default_factory=from_env("FRIENDLI_TEAM", default=None), alias="team_id"
    )
    """Team to run requests as (`X-Friendli-Team`); read from `FRIENDLI_TEAM` when not given."""
    endpoint: Literal["serverless", "dedicated", "container"] = "serverless"
    """Which Friendli product serves the model; picks the default base URL."""
    base_url: str | None = Field(default_factory=from_env("FRIENDLI_BASE_URL", default=None))
    """API prefix, e.g. `https://api.friendli.ai/serverless/v1`; read from `FRIENDLI_BASE_URL`,
    else derived from `endpoint`."""
    timeout: float | None = DEFAULT_TIMEOUT
    """Seconds to wait for a response (None: no timeout)."""
    max_retries: int = DEFAULT_MAX_RETRIES
    """Retries for connection errors, 408, 409, 429 and 5xx (with backoff and Retry-After)."""
    default_headers: dict[str, str] | None = None
    """Extra HTTP headers sent with every request."""
    http_client: HttpClient | None = Field(default=None, exclude=True)
    """An `httpx.Client` to send sync requests with (proxies, certificates, transports)."""
    http_async_client: HttpAsyncClient | None = Field(default=None, exclude=True)
    """An `httpx.AsyncClient` to send async requests with; used on every event loop."""
    extra_body: dict[str, Any] | None = None
    """Fields merged into every request body as they are (for fields not listed here)."""

    temperature: float | None = None
    """Sampling temperature (>= 0); higher is more random."""
    max_tokens: int | None = None
    """Maximum number of tokens to generate."""
    min_tokens: int | None = None
    """Minimum number of tokens to generate (not with tools or response_format)."""
    top_p: float | None = None
    """Nucleus sampling: keep the smallest token set whose probability reaches top_p, (0, 1]."""
    top_k: int | None = None
    """Keep only the k most likely tokens (0 disables)."""
    min_p: float | None = None
    """Drop tokens less likely than min_p times the most likely one, [0, 1]."""
    frequency_penalty: float | None = None
    """Penalise tokens by how often they appeared so far, [-2, 2]."""
    presence_penalty: float | None = None
    """Penalise tokens that appeared at all so far, [-2, 2]."""
    repetition_penalty: float | None = None
    """Multiplicative penalty on repeated tokens (1.0 means none)."""
    stop: list[str] | None = None
    """Stop sequences (combined with those passed per call); excluded from the output."""
    seed: int | list[int] | None = None
    """Random seed, or one seed per sample when n > 1."""
    n: int | None = None
    """Number of independent samples to generate."""
    eos_token: list[int] | None = None
    """Extra end-of-sequence token IDs."""
    xtc_threshold: float | None = None
    """XTC sampling threshold, [0, 1]."""
    xtc_probability: float | None = None
    """XTC sampling probability, [0, 1]."""

    _clients: _ClientCache = PrivateAttr(default_factory=_ClientCache)

    _BODY_FIELDS: ClassVar[tuple[str, ...]] = (
        "temperature",
        "max_tokens",
        "min_tokens",
        "top_p",
        "top_k",
        "min_p",
        "frequency_penalty",
        "presence_penalty",
        "repetition_penalty",
        "seed",
        "n",
        "eos_token",
        "xtc_threshold",
        "xtc_probability",
    )

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Map the token field to its environment variable for serialization."""
        return {"friendli_token": "FRIENDLI_TOKEN"}

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.model, "endpoint": self.endpoint, **self._body_defaults()}

    def _add_friendli_ls_params(
        self, params: LangSmithParams, stop: list[str] | None, kwargs: dict[str, Any]
    ) -> LangSmithParams:
        """Fill LangSmith's provider, model (per-call override first) and combined stop."""
        params["ls_provider"] = "friendli"
        if model := kwargs.get("model") or self.model:
            params["ls_model_name"] = model
        if ls_stop := combine_stop(self.stop, stop, kwargs.get("stop")):
            params["ls_stop"] = ls_stop
        return params

    def get_token_ids(self, text: str) -> list[int]:
        """Token IDs of `text` from Friendli's tokenize endpoint (the model's own tokenizer)."""
        with translate_errors():
            return self.client.tokenize(text, model=self.model)

    def get_num_tokens(self, text: str) -> int:
        """Number of tokens in `text`, from Friendli's tokenize endpoint."""
        return len(self.get_token_ids(text))

    def _body_defaults(self) -> dict[str, Any]:
        """The instance's request-body fields that are set (None means "server default")."""
        values = self.__dict__  # the field values (read per request: fields may be reassigned)
        params = {} if self.model is None else {"model": self.model}
        for name in self._BODY_FIELDS:
            if (value := values[name]) is not None:
                params[name] = value
        return params

    def _client_options(self) -> dict[str, Any]:
        token = self.friendli_token.get_secret_value() if self.friendli_token else None
        return {
            "token": token,
            "team_id": self.friendli_team,
            "endpoint": self.endpoint,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }

    @property
    def client(self) -> FriendliClient:
        """The sync `friendli_core` client, built on first use."""
        cache = self._clients
        if (client := cache.sync) is not None:
            return client
        from friendli_core import FriendliClient  # noqa: PLC0415 - on first use, see above

        with cache.lock:
            if cache.sync is None:
                cache.sync = FriendliClient(http_client=self.http_client, **self._client_options())
            return cache.sync

    @property
    def async_client(self) -> AsyncFriendliClient:
        """The async `friendli_core` client of the running event loop, built on first use."""
        loop = asyncio.get_running_loop()
        cache = self._clients
        if (client := cache.by_loop.get(loop)) is not None:
            return client
        from friendli_core import AsyncFriendliClient  # noqa: PLC0415 - on first use, see above

        with cache.lock:
            client = cache.by_loop.get(loop)
            if client is None:
                client = AsyncFriendliClient(
                    http_client=self.http_async_client, **self._client_options()
                )
                cache.by_loop[loop] = client
            return client

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        """Deep-copy the settings; user-supplied httpx clients are shared, not copied."""
        memo = {} if memo is None else memo
        for http in (self.http_client, self.http_async_client):
            if http is not None:
                memo[id(http)] = http
        return super().__deepcopy__(memo)
