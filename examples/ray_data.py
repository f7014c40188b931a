"""Ray Data over Friendli: ChatFriendli and FriendliLLM in `map_batches`, both patterns.

    python examples/ray_data.py            # extra `scale` (ray[data]), plus langchain/llama-index

With `FRIENDLI_TOKEN` set it talks to Friendli serverless (model from `FRIENDLI_MODEL`);
otherwise it starts the local Friendli-compatible server on 127.0.0.1. A local Ray cluster
(2 CPUs) runs:

1. a callable-class stage: each actor builds `ChatFriendli` once, from its class and kwargs;
2. a task stage: a `FriendliLLM` built here, in the driver, and shipped to every task.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from friendli_core.scale import FriendliStage
from langchain_friendli import ChatFriendli
from llama_index_friendli import FriendliLLM

PROMPTS = [f"Write one line about the number {i}." for i in range(40)]


@contextlib.contextmanager
def settings() -> Iterator[dict[str, str]]:
    """The model's connection settings: Friendli serverless, or the local server."""
    model = os.environ.get("FRIENDLI_MODEL", "deepseek-ai/DeepSeek-V3.2")
    if os.environ.get("FRIENDLI_TOKEN"):
        # no api_key here: main() passes FRIENDLI_TOKEN to the workers' environment
        yield {"model": model}
        return
    from friendli_core.testing import LocalServer

    with LocalServer() as server:
        print(f"Using the local Friendli-compatible server at {server.url}")
        yield {"model": model, "api_key": server.token, "base_url": server.serverless_url}


def main() -> None:
    """Run both patterns over the prompts and print a few replies."""
    with settings() as kwargs:
        llm = FriendliLLM(**kwargs)  # built once here, pickled to each task
        # first, so that without Ray the error names the extra to install
        llm_stage = FriendliStage(llm, reply_column="llama_index")
        import ray
        from ray import data

        # Tokens are never pickled: the model built below reaches the workers without its
        # token, and they read FRIENDLI_TOKEN, which runtime_env sets on every worker.
        token = kwargs.get("api_key") or os.environ["FRIENDLI_TOKEN"]
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            log_to_driver=False,
            runtime_env={"env_vars": {"FRIENDLI_TOKEN": token}},
        )
        try:
            ds = data.from_items([{"prompt": p} for p in PROMPTS])
            ds = ds.map_batches(
                FriendliStage,
                fn_constructor_args=(ChatFriendli,),
                fn_constructor_kwargs={**kwargs, "reply_column": "chat", "max_concurrency": 8},
                concurrency=1,
                num_cpus=0.5,
                batch_size=20,
            )
            ds = ds.map_batches(llm_stage, batch_size=20, num_cpus=0.5)
            rows = ds.take_all()
        finally:
            ray.shutdown()
    print(f"{len(rows)} prompts, two replies each; the first three:")
    for row in rows[:3]:
        print(f"- {row['prompt']}")
        print(f"  ChatFriendli: {row['chat']}\n  FriendliLLM:  {row['llama_index']}")


if __name__ == "__main__":
    try:
        main()
    except ModuleNotFoundError as missing:  # an extra not installed: its message says which
        sys.exit(str(missing))
