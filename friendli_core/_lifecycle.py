"""The core clients of one framework model: built on first use, rebuilt when settings change.

`ChatFriendli`, `Friendli`, `FriendliEmbeddings`, `FriendliLLM` and `FriendliEmbedding` each
hold a `ModelClients` and ask it, per request, for the client that matches their current
`Connection` (every setting the clients depend on). It gives:

* one sync `FriendliClient`, shared by all threads, and one `AsyncFriendliClient` per running
  event loop (an httpx async pool must never be used from two loops);
* new clients when any connection setting changed since they were built (assignment,
  `model_copy(update=...)`, a copy that shares this object): a request is never sent with a stale
  token or to a stale URL. The last few distinct settings keep their clients, so a model and
  its copies used in turn do not rebuild on every call;
* after `os.fork`, nothing of the parent's: the child builds its own clients (`_forks`);
* nothing in a pickle or a copy: those start empty and build their own (and a pickled model
  leaves its token behind, `pickle_state_without_token`);
* `close()` / `aclose()` release the connections; the next request builds new clients. When
  the object is collected, the sync clients it built are closed.

A user-supplied httpx client is part of the connection (by identity) and is never closed here.
"""

from __future__ import annotations

import asyncio
import functools
import operator
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeVar, cast

from friendli_core._forks import fork_generation
from friendli_core.config import ClientConfig, Endpoint, TimeoutTypes, mask_secret

if TYPE_CHECKING:
    import httpx

    from friendli_core._client import AsyncFriendliClient, FriendliClient

__all__ = [
    "Connection",
    "LifecycleMethods",
    "ModelClients",
    "pickle_state_without_token",
    "secret_value",
]

_C = TypeVar("_C")
_KEEP = 4  # distinct connections kept per client kind (a model and a few copies of it)


def secret_value(secret: object) -> str | None:
    """The plain text of a token given as a pydantic `SecretStr`, a `str`, or None."""
    if secret is None or isinstance(secret, str):
        return secret
    reveal = getattr(secret, "get_secret_value", None)
    if reveal is None:
        msg = f"a token must be a str or a SecretStr; got {type(secret).__name__}"
        raise TypeError(msg)
    value: str = reveal()
    return value


def pickle_state_without_token(state: dict[str, Any], token_field: str) -> dict[str, Any]:
    """A pydantic model's pickle state with its token field emptied.

    Secrets never travel in a pickle: the unpickled model's token is None, so its client reads
    its endpoint kind's variable (`FRIENDLI_TOKEN`, or `OPENAI_COMPATIBLE_API_KEY` for
    "openai-compatible") in the process that uses it (a worker, a Ray task).
    """
    return {**state, "__dict__": {**state["__dict__"], token_field: None}}


class Connection(NamedTuple):
    """Every setting a model's clients depend on; clients are rebuilt when any differs.

    The first eight are `ClientConfig`'s fields (a test keeps them in step); the httpx clients
    compare by identity. Its repr masks the token.
    """

    token: str | None
    team_id: str | None
    endpoint: Endpoint
    base_url: str | None
    timeout: TimeoutTypes
    max_retries: int
    default_headers: Mapping[str, str] | None
    max_connections: int
    http_client: httpx.Client | None = None
    http_async_client: httpx.AsyncClient | None = None

    def config(self) -> ClientConfig:
        """The client configuration (unset token, team and URL from the environment)."""
        return ClientConfig.from_env(
            token=self.token,
            team_id=self.team_id,
            endpoint=self.endpoint,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
            default_headers=self.default_headers,
            max_connections=self.max_connections,
        )

    def __repr__(self) -> str:
        """Show the settings with the token masked."""
        return (
            f"Connection(endpoint={self.endpoint!r}, base_url={self.base_url!r}, "
            f"token={mask_secret(self.token)}, team_id={self.team_id!r}, "
            f"timeout={self.timeout!r}, max_retries={self.max_retries!r}, "
            f"max_connections={self.max_connections!r})"
        )


_Entries = list[tuple[Connection, Any]]


def _checkout(entries: _Entries, connection: Connection, build: Callable[[], _C]) -> _C:
    """The entry's client for `connection`, moved first, or a new one built and added.

    Beyond `_KEEP` entries the least recently used is dropped, not closed: another thread may
    still be sending through it, and it is released when collected.
    """
    for index, (known, client) in enumerate(entries):
        if known == connection:
            if index:
                entries.insert(0, entries.pop(index))
            found: _C = client
            return found
    built = build()
    entries.insert(0, (connection, built))
    del entries[_KEEP:]
    return built


class ModelClients:
    """The lazily built core clients of one model (see the module docstring)."""

    def __init__(self) -> None:
        """Start with no clients."""
        self._start()

    def _start(self) -> None:
        self._lock = threading.Lock()
        self._generation = fork_generation()
        self._sync: _Entries = []
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Entries] = (
            weakref.WeakKeyDictionary()
        )

    def _forget_parent(self) -> None:
        """After a fork, drop the parent's clients (and its lock, which a thread may hold)."""
        if self._generation != fork_generation():
            self._start()

    def sync(self, connection: Connection) -> FriendliClient:
        """The sync client for `connection`, built on first use."""
        entries = self._sync
        if entries and entries[0][0] == connection and self._generation == fork_generation():
            client: FriendliClient = entries[0][1]
            return client
        self._forget_parent()
        with self._lock:
            return _checkout(self._sync, connection, lambda: _new_sync(connection))

    def async_(self, connection: Connection) -> AsyncFriendliClient:
        """The async client for `connection` on the running event loop, built on first use."""
        loop = asyncio.get_running_loop()
        entries = self._async.get(loop)
        if entries and entries[0][0] == connection and self._generation == fork_generation():
            client: AsyncFriendliClient = entries[0][1]
            return client
        self._forget_parent()
        with self._lock:
            entries = self._async.setdefault(loop, [])
            return _checkout(entries, connection, lambda: _new_async(connection))

    def close(self) -> None:
        """Close the sync clients (a user-supplied httpx client stays open)."""
        self._forget_parent()
        with self._lock:
            entries, self._sync = self._sync, []
        for _, client in entries:
            client.close()

    async def aclose(self) -> None:
        """Close the running loop's async clients (a user-supplied httpx client stays open)."""
        self._forget_parent()
        with self._lock:
            entries = self._async.pop(asyncio.get_running_loop(), [])
        for _, client in entries:
            await client.close()

    def __copy__(self) -> ModelClients:
        """A copy starts without clients."""
        return ModelClients()

    def __deepcopy__(self, memo: dict[int, Any]) -> ModelClients:
        """A copy starts without clients."""
        return ModelClients()

    def __reduce__(self) -> tuple[type[ModelClients], tuple[()]]:
        """Pickle as an empty holder: clients, pools and locks belong to one process."""
        return (ModelClients, ())

    def __repr__(self) -> str:
        """Count the clients held, nothing of their settings."""
        return f"ModelClients(sync={len(self._sync)}, loops={len(self._async)})"


def _new_sync(connection: Connection) -> FriendliClient:
    from friendli_core._client import FriendliClient  # noqa: PLC0415 - on first use (_replies)

    return FriendliClient(config=connection.config(), http_client=connection.http_client)


def _new_async(connection: Connection) -> AsyncFriendliClient:
    from friendli_core._client import AsyncFriendliClient  # noqa: PLC0415 - on first use

    return AsyncFriendliClient(config=connection.config(), http_client=connection.http_async_client)


@functools.cache
def _reader(names: tuple[str, ...]) -> Callable[[object], tuple[Any, ...]]:
    return operator.attrgetter(*names)  # a tuple for two or more names


class LifecycleMethods:
    """What every adapter class does with its `ModelClients` (a mixin for pydantic models).

    The adapter declares the connection fields, holds a `ModelClients` as `_clients` and names
    its fields for `Connection`'s, in order, in `_CONNECTION_FIELDS` (token first): field names
    are each framework's own. Put it before the pydantic base class.
    """

    _clients: ModelClients
    _CONNECTION_FIELDS: ClassVar[tuple[str, ...]]

    def _connection(self) -> Connection:
        """Every setting the clients depend on, read per request (fields may be reassigned)."""
        token, *rest = _reader(self._CONNECTION_FIELDS)(self)
        return Connection(secret_value(token), *rest)

    def _sync_client(self) -> FriendliClient:
        """The sync client for the current settings, built on first use."""
        return self._clients.sync(self._connection())

    def _async_client(self) -> AsyncFriendliClient:
        """The async client of the running event loop, built on first use."""
        return self._clients.async_(self._connection())

    def close(self) -> None:
        """Close the sync client's connections; a later call opens new ones.

        A user-supplied `http_client` stays open. Async clients are closed by `aclose()`.
        """
        self._clients.close()

    async def aclose(self) -> None:
        """Close the running event loop's async client; a later call opens a new one."""
        await self._clients.aclose()

    def __getstate__(self) -> dict[Any, Any]:
        """Pickle without the token: the unpickled model reads its kind's variable where it runs."""
        state = cast("dict[Any, Any]", super().__getstate__())  # pydantic's state dict
        return pickle_state_without_token(state, self._CONNECTION_FIELDS[0])
