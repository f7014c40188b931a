"""The closed state of a core client: after `close()`, requests raise `ClientClosedError`."""

from __future__ import annotations

import asyncio
import os
import sys

import httpx
import pytest

from friendli_core import (
    APIConnectionError,
    AsyncFriendliClient,
    ClientClosedError,
    FriendliClient,
    FriendliError,
)
from friendli_core.testing import LocalServer

CHAT = {"model": "deepseek-ai/DeepSeek-V3.2", "messages": [{"role": "user", "content": "Hi"}]}
CALLS = [
    ("chat", CHAT),
    ("stream_chat", CHAT),
    ("completions", {"model": "m", "prompt": "Hi"}),
    ("stream_completions", {"model": "m", "prompt": "Hi"}),
    ("list_models", {}),
]


def test_the_error_is_a_friendli_error_never_a_connection_error() -> None:
    assert issubclass(ClientClosedError, FriendliError)
    assert not issubclass(ClientClosedError, APIConnectionError)


@pytest.mark.parametrize(("method", "params"), CALLS)
async def test_every_request_after_close_raises_and_sends_nothing(
    kit, mode: str, method: str, params: dict[str, object]
) -> None:
    recorder = kit.Recorder([httpx.Response(200, json={})])
    harness = kit.make_harness(mode, recorder, max_retries=3)
    await harness.close()
    with pytest.raises(ClientClosedError, match="is closed: create a new client"):
        await harness.call(method, **params)
    assert recorder.requests == []  # sent nothing, and was not retried
    assert harness.sleeps == []


async def test_a_user_http_client_stays_open_but_the_core_client_is_closed(kit, mode: str) -> None:
    harness = kit.make_harness(mode, kit.Recorder([]))
    await harness.close()
    assert not harness.client._http.is_closed  # the caller's, to close
    with pytest.raises(ClientClosedError):
        await harness.call("tokenize", "Hi", model="m")


def test_a_client_that_made_its_own_pool_refuses_after_close(
    friendli_server: LocalServer,
) -> None:
    client = FriendliClient(token=friendli_server.token, base_url=friendli_server.serverless_url)
    assert client.chat(**CHAT).choices
    with client:
        pass  # the context manager closes it
    with pytest.raises(ClientClosedError, match="FriendliClient is closed"):
        client.chat(**CHAT)


def test_the_async_client_refuses_after_close(friendli_server: LocalServer) -> None:
    async def run() -> None:
        client = AsyncFriendliClient(
            token=friendli_server.token, base_url=friendli_server.serverless_url
        )
        assert (await client.chat(**CHAT)).choices
        await client.close()
        with pytest.raises(ClientClosedError, match="AsyncFriendliClient is closed"):
            await client.chat(**CHAT)

    asyncio.run(run())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork exists on POSIX only")
def test_a_closed_client_stays_closed_in_a_forked_child(friendli_server: LocalServer) -> None:
    client = FriendliClient(token=friendli_server.token, base_url=friendli_server.serverless_url)
    client.close()
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if the request is refused as closed
        code = 1
        try:
            client.chat(**CHAT)
        except ClientClosedError:
            code = 0
        except BaseException:
            code = 2
        sys.stdout.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
