"""A local Ray cluster shared by the session (start-up is slow on 2 cores: start it once).

`ray_cluster` starts `ray.init(num_cpus=2)` on the loopback interface only (no dashboard, no
usage stats), yields the `ray` module, and shuts the cluster down at the end of the session.
Tasks and actors reach the local Friendli server (`friendli_server`) on 127.0.0.1 like any
process of this machine.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from friendli_core.testing import LOCAL_TOKEN, LocalServer

MODEL = "friendli-local-model"


PYCACHE = Path(tempfile.gettempdir()) / "friendli-integrations-ray-pycache"


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[ModuleType]:
    import ray

    with pytest.MonkeyPatch.context() as env:
        # Ray's own processes (GCS, raylet, agents, workers) import much of Ray each: with
        # PYTHONDONTWRITEBYTECODE and a venv without .pyc files they compile it every time,
        # and the raylet gives up on an agent that is not up within 15 s. A bytecode cache
        # (outside the repository) makes start-up a matter of seconds, as after a pip install.
        env.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
        env.setenv("PYTHONPYCACHEPREFIX", str(PYCACHE))
        env.setenv("RAY_USAGE_STATS_ENABLED", "0")
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            log_to_driver=False,
            _node_ip_address="127.0.0.1",
            # a model built in the driver travels without its token (tokens are never
            # pickled): the workers read it from their environment, as the README says
            runtime_env={"env_vars": {"FRIENDLI_TOKEN": LOCAL_TOKEN}},
        )
    try:
        from ray.data import DataContext

        DataContext.get_current().enable_progress_bars = False
        yield ray
    finally:
        ray.shutdown()


def _chat(server: LocalServer) -> Any:
    from langchain_friendli import ChatFriendli

    return ChatFriendli, {
        "model": MODEL,
        "api_key": server.token,
        "base_url": server.serverless_url,
    }


def _llm(server: LocalServer) -> Any:
    from langchain_friendli import Friendli

    return Friendli, {"model": MODEL, "api_key": server.token, "base_url": server.serverless_url}


def _llama_index(server: LocalServer) -> Any:
    from llama_index_friendli import FriendliLLM

    return FriendliLLM, {"model": MODEL, "api_key": server.token, "base_url": server.serverless_url}


MODELS: dict[str, Callable[[LocalServer], Any]] = {
    "ChatFriendli": _chat,
    "Friendli": _llm,
    "FriendliLLM": _llama_index,
}


def prompt(i: int) -> str:
    """A prompt whose code (`ray-NNN`) the local model repeats in its reply, chat or completion."""
    return f"Please repeat the code ray-{i:03d}"
