"""Ray Data on a real local cluster: each model through both patterns, every reply its own.

One pipeline per model: an actor stage (the model built once per actor from its class and
keyword arguments) then a task stage (a model built in the driver, pickled to the tasks).
"""

from __future__ import annotations

import re
from types import ModuleType

import pytest

from friendli_core.scale import FriendliStage
from friendli_core.testing import LocalServer
from tests.scale.conftest import MODELS, prompt

PROMPTS = 200
CODE = re.compile(r"ray-\d{3}")


@pytest.mark.parametrize("kind", list(MODELS))
def test_ray_data_gives_every_prompt_its_own_reply(
    ray_cluster: ModuleType, friendli_server: LocalServer, kind: str
) -> None:
    from ray import data

    cls, kwargs = MODELS[kind](friendli_server)
    ds = data.from_items([{"i": i, "prompt": prompt(i)} for i in range(PROMPTS)])
    ds = ds.map_batches(
        FriendliStage,
        fn_constructor_args=(cls,),
        fn_constructor_kwargs={**kwargs, "reply_column": "actor_reply"},
        concurrency=1,
        num_cpus=0.5,
        batch_size=50,
    )
    ds = ds.map_batches(
        FriendliStage(cls(**kwargs), reply_column="task_reply"), batch_size=50, num_cpus=0.5
    )
    rows = ds.take_all()
    assert sorted(int(row["i"]) for row in rows) == list(range(PROMPTS))
    for row in rows:
        own = [f"ray-{int(row['i']):03d}"]
        assert CODE.findall(str(row["actor_reply"])) == own, row
        assert CODE.findall(str(row["task_reply"])) == own, row
