"""`FriendliStage` called directly (no Ray): every reply its own, in order, for each model."""

from __future__ import annotations

import re

import pytest

from friendli_core.scale import FriendliStage
from friendli_core.testing import LocalServer
from tests.scale.conftest import MODELS, prompt

CODE = re.compile(r"ray-\d{3}")


@pytest.mark.parametrize("kind", list(MODELS))
def test_a_stage_adds_each_prompts_own_reply(friendli_server: LocalServer, kind: str) -> None:
    cls, kwargs = MODELS[kind](friendli_server)
    prompts = [prompt(i) for i in range(24)]
    for stage in (FriendliStage(cls, max_concurrency=4, **kwargs), FriendliStage(cls(**kwargs))):
        out = stage({"prompt": prompts, "id": list(range(24))})
        assert out["id"] == list(range(24))
        assert [CODE.findall(reply) for reply in out["reply"]] == [
            [f"ray-{i:03d}"] for i in range(24)
        ]


def test_columns_are_configurable_and_mistakes_are_refused(friendli_server: LocalServer) -> None:
    cls, kwargs = MODELS["ChatFriendli"](friendli_server)
    stage = FriendliStage(cls, prompt_column="q", reply_column="a", **kwargs)
    assert stage({"q": [prompt(7)]})["a"][0].endswith(prompt(7))
    with pytest.raises(TypeError, match="for a model class"):
        FriendliStage(cls(**kwargs), model="other")
    with pytest.raises(TypeError, match="neither invoke"):
        FriendliStage(object())
    with pytest.raises(ValueError, match="max_concurrency"):
        FriendliStage(cls(**kwargs), max_concurrency=0)
