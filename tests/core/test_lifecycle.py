"""`ModelClients`: one client per connection, rebuilt on change, empty in copies, per process."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import os
import pickle

import httpx
import pytest

from friendli_core import ClientConfig
from friendli_core._base import ClientOptions
from friendli_core._forks import fork_generation
from friendli_core._lifecycle import Connection, ModelClients, secret_value

URL = "http://127.0.0.1:9/v1"


def _connection(**changes: object) -> Connection:
    base = Connection("flp_token_one", "team", "serverless", URL, 5.0, 1, {"X-A": "1"}, 8)
    return base._replace(**changes)


def test_connection_names_every_client_config_field() -> None:
    config_fields = [f.name for f in dataclasses.fields(ClientConfig)]
    assert list(Connection._fields[: len(config_fields)]) == config_fields
    keywords = inspect.signature(ClientConfig.from_env).parameters.values()
    # from_env's typo suggestions are drawn from the fields: its keywords must stay the fields
    assert {p.name for p in keywords if p.kind is p.KEYWORD_ONLY} == set(config_fields)
    assert set(config_fields) <= set(ClientOptions.__annotations__)


def test_connection_builds_its_config_and_masks_the_token() -> None:
    connection = _connection()
    config = connection.config()
    assert (config.token, config.team_id, config.base_url) == ("flp_token_one", "team", URL)
    assert (config.timeout, config.max_retries, config.max_connections) == (5.0, 1, 8)
    assert "flp_token_one" not in repr(connection)


def test_secret_value_reads_secret_str_and_str() -> None:
    from pydantic import SecretStr

    assert secret_value(SecretStr("flp_x")) == "flp_x"
    assert secret_value("flp_y") == "flp_y"
    assert secret_value(None) is None
    with pytest.raises(TypeError, match="str or a SecretStr"):
        secret_value(42)


def test_same_settings_same_client_changed_settings_new_client() -> None:
    clients = ModelClients()
    first = clients.sync(_connection())
    assert clients.sync(_connection()) is first
    for change in (
        {"token": "flp_token_two"},
        {"team_id": "other"},
        {"endpoint": "dedicated"},
        {"base_url": "http://127.0.0.1:9/other"},
        {"timeout": 6.0},
        {"max_retries": 2},
        {"default_headers": {"X-A": "2"}},
        {"max_connections": 9},
        {"http_client": httpx.Client()},
    ):
        changed = clients.sync(_connection(**change))
        assert changed is not first, change
        assert clients.sync(_connection()) is first  # kept: a model and its copy in turn


def test_only_the_most_recent_connections_are_kept() -> None:
    clients = ModelClients()
    built = [clients.sync(_connection(max_retries=n)) for n in range(6)]
    assert clients.sync(_connection(max_retries=5)) is built[5]
    assert clients.sync(_connection(max_retries=0)) is not built[0]


async def test_async_clients_are_per_loop_and_per_connection() -> None:
    clients = ModelClients()
    first = clients.async_(_connection())
    assert clients.async_(_connection()) is first
    assert clients.async_(_connection(token="flp_token_two")) is not first
    await clients.aclose()
    assert clients.async_(_connection()) is not first


def test_copies_and_pickles_start_empty() -> None:
    clients = ModelClients()
    first = clients.sync(_connection())
    for other in (copy.copy(clients), copy.deepcopy(clients), pickle.loads(pickle.dumps(clients))):  # noqa: S301
        assert repr(other) == "ModelClients(sync=0, loops=0)"
        assert other.sync(_connection()) is not first


def test_close_closes_and_the_next_call_rebuilds() -> None:
    clients = ModelClients()
    first = clients.sync(_connection())
    clients.close()
    assert first._http.is_closed
    assert clients.sync(_connection()) is not first


def test_a_user_http_client_is_never_closed() -> None:
    http = httpx.Client()
    clients = ModelClients()
    clients.sync(_connection(http_client=http))
    clients.close()
    assert not http.is_closed
    http.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork does not exist on this platform")
def test_a_forked_child_builds_its_own_clients() -> None:
    clients = ModelClients()
    parent = clients.sync(_connection())
    parent_pool = parent._http
    pid = os.fork()
    if pid == 0:  # the child: exit status says what it saw
        child = clients.sync(_connection())
        ok = child is not parent and child._http is not parent_pool
        # a core client used directly also leaves the parent's pool before sending
        ok = ok and parent._generation != fork_generation()
        parent._leave_parent_pool()
        ok = ok and parent._http is not parent_pool
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert clients.sync(_connection()) is parent
    assert parent._http is parent_pool
