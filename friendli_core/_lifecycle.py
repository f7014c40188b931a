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
* after `os.fork`, never the parent's connections: each core client leaves its parent's pool
  before its first request in the child (the package's one fork check, `_forks`), and the
  holder takes a new lock (a parent's thread may have held the old one);
* nothing in a pickle or a copy: those start empty and build their own (and a pickled model
  leaves its secrets behind, `pickle_state_without_secrets`);
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
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar, cast

from friendli_core._forks import after_fork_in_child
from friendli_core.config import CONNECTION_SETTINGS, ClientConfig, mask_secret

if TYPE_CHECKING:
    from friendli_core._client import AsyncFriendliClient, FriendliClient

__all__ = [
    "Connection",
    "LifecycleMethods",
    "ModelClients",
    "pickle_state_without_secrets",
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


def pickle_state_without_secrets(state: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """A pydantic model's pickle state with its secret fields (token, proxy) emptied.

    Secrets never travel in a pickle: the unpickled model's token is None, so its client reads
    its endpoint kind's variable (`FRIENDLI_TOKEN`, or `OPENAI_COMPATIBLE_API_KEY` for
    "openai-compatible") in the process that uses it (a worker, a Ray task); likewise the
    proxy (HTTPS_PROXY applies there).
    """
    return {**state, "__dict__": {**state["__dict__"], **dict.fromkeys(fields)}}


class Connection(tuple[Any, ...]):
    """Every setting a model's clients depend on, in `CONNECTION_SETTINGS` order.

    Clients are rebuilt when any value differs; the httpx clients compare by identity. Values
    not given take their declared default. Its repr masks the secrets and leaves out the
    httpx clients.
    """

    __slots__ = ()

    def __new__(cls, *values: Any) -> Self:
        """The settings' values, by position; the ones not given take their default."""
        rest = tuple(s.default for s in CONNECTION_SETTINGS[len(values) :])
        return super().__new__(cls, (*values, *rest))

    def value(self, name: str) -> Any:
        """The value of the setting `name`."""
        return self[_POSITION[name]]

    def config(self) -> ClientConfig:
        """The client configuration (unset token, team and URL from the environment)."""
        return ClientConfig.from_env(
            **{
                s.name: v
                for s, v in zip(CONNECTION_SETTINGS, self, strict=True)
                if not s.client_only
            }
        )

    def __repr__(self) -> str:
        """Show the settings with the secrets masked."""
        shown = ", ".join(
            f"{s.name}={mask_secret(v) if s.secret else repr(v)}"
            for s, v in zip(CONNECTION_SETTINGS, self, strict=True)
            if not s.client_only
        )
        return f"Connection({shown})"


_POSITION = {s.name: i for i, s in enumerate(CONNECTION_SETTINGS)}
_SECRET_POSITIONS = tuple(i for i, s in enumerate(CONNECTION_SETTINGS) if s.secret)


_Entries = list[tuple[Connection, Any]]
_LIVE: weakref.WeakSet[ModelClients] = weakref.WeakSet()


def _new_locks() -> None:
    for holder in list(_LIVE):
        holder._new_lock()  # noqa: SLF001 - this module's own class


after_fork_in_child(_new_locks)


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
        self._sync: _Entries = []
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Entries] = (
            weakref.WeakKeyDictionary()
        )
        _LIVE.add(self)

    def _new_lock(self) -> None:
        """In a forked child: a new lock (a parent's thread may have held the old one)."""
        self._lock = threading.Lock()

    def sync(self, connection: Connection) -> FriendliClient:
        """The sync client for `connection`, built on first use."""
        entries = self._sync
        if entries and entries[0][0] == connection:
            client: FriendliClient = entries[0][1]
            return client
        with self._lock:
            return _checkout(self._sync, connection, lambda: _new_sync(connection))

    def async_(self, connection: Connection) -> AsyncFriendliClient:
        """The async client for `connection` on the running event loop, built on first use."""
        loop = asyncio.get_running_loop()
        entries = self._async.get(loop)
        if entries and entries[0][0] == connection:
            client: AsyncFriendliClient = entries[0][1]
            return client
        with self._lock:
            entries = self._async.setdefault(loop, [])
            return _checkout(entries, connection, lambda: _new_async(connection))

    def close(self) -> None:
        """Close the sync clients (a user-supplied httpx client stays open)."""
        with self._lock:
            entries, self._sync = self._sync, []
        for _, client in entries:
            client.close()

    async def aclose(self) -> None:
        """Close the running loop's async clients (a user-supplied httpx client stays open)."""
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

    return FriendliClient(config=connection.config(), http_client=connection.value("http_client"))


def _new_async(connection: Connection) -> AsyncFriendliClient:
    from friendli_core._client import AsyncFriendliClient  # noqa: PLC0415 - on first use

    return AsyncFriendliClient(
        config=connection.config(), http_client=connection.value("http_async_client")
    )


@functools.cache
def _reader(names: tuple[str, ...]) -> Callable[[object], tuple[Any, ...]]:
    return operator.attrgetter(*names)  # a tuple for two or more names


def connection_fields(framework: str) -> tuple[str, ...]:
    """A framework's field names of the connection settings, in `Connection` order."""
    return tuple(s.field_name(framework) for s in CONNECTION_SETTINGS)


class LifecycleMethods:
    """What every adapter class does with its `ModelClients` (a mixin for pydantic models).

    The adapter holds a `ModelClients` as `_clients` and names its framework in `_FRAMEWORK`;
    its connection fields are `connection_fields(_FRAMEWORK)` (`friendli_core.kit` declares
    them). Put it before the pydantic base class.
    """

    _clients: ModelClients
    _CONNECTION_FIELDS: ClassVar[tuple[str, ...]]
    _SECRET_FIELDS: ClassVar[tuple[str, ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Name the connection fields of the subclass's framework, once per class."""
        super().__init_subclass__(**kwargs)
        framework = getattr(cls, "_FRAMEWORK", None)
        if framework is not None:
            cls._CONNECTION_FIELDS = connection_fields(framework)
            cls._SECRET_FIELDS = tuple(cls._CONNECTION_FIELDS[i] for i in _SECRET_POSITIONS)

    def _connection(self) -> Connection:
        """Every setting the clients depend on, read per request (fields may be reassigned)."""
        values = list(_reader(self._CONNECTION_FIELDS)(self))
        for i in _SECRET_POSITIONS:
            values[i] = secret_value(values[i])
        return Connection(*values)

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
        """Pickle without the secrets: the unpickled model reads its kind's variables there."""
        state = cast("dict[Any, Any]", super().__getstate__())  # pydantic's state dict
        return pickle_state_without_secrets(state, self._SECRET_FIELDS)
