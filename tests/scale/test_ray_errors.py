"""Errors raised inside Ray tasks reach the driver as their friendli classes."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

import friendli_core as fc
from friendli_core.testing import LocalServer

MODEL = "friendli-local-model"


def _call(kind: str, base_url: str, token: str) -> str:
    """Run in a Ray worker: one request with no retries (the server answers 429)."""
    if kind == "core":
        client = fc.FriendliClient(token=token, base_url=base_url, max_retries=0)
        reply = client.chat(model=MODEL, messages=[{"role": "user", "content": "hi"}])
        return str(reply.choices[0].message.content)
    if kind == "chat":
        from langchain_friendli import ChatFriendli

        model = ChatFriendli(model=MODEL, api_key=token, base_url=base_url, max_retries=0)
        return str(model.invoke("hi").content)
    from llama_index_friendli import FriendliLLM

    llm = FriendliLLM(model=MODEL, api_key=token, base_url=base_url, max_retries=0)
    return llm.complete("hi").text


@pytest.mark.parametrize("kind", ["core", "chat", "llama"])
def test_an_error_in_a_ray_task_is_caught_in_the_driver_as_its_class(
    kind: str, ray_cluster: ModuleType, friendli_server: LocalServer, friendli_requests: Any
) -> None:
    friendli_server.inject_fault("status:429,retry_after:0.1")
    task = ray_cluster.remote(max_retries=0)(_call)
    with pytest.raises(fc.RateLimitError) as info:
        ray_cluster.get(task.remote(kind, friendli_server.serverless_url, friendli_server.token))
    error = info.value
    assert error.status_code == 429
    assert error.request_id == friendli_requests.last.request_id
    assert error.retry_after == pytest.approx(0.1)
    if kind == "chat":
        from langchain_core.exceptions import ModelRateLimitError

        assert isinstance(error, ModelRateLimitError)
