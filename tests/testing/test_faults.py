import pytest

from friendli_core.testing._faults import FaultError, Faults, parse_faults, split_model
from friendli_core.testing._state import FaultQueue, ServerConfig


def test_parse_every_kind() -> None:
    spec = "status:429:slow down, retry_after:0.05, delay:0.1, slow:0.01, long:500, no_done, malformed:2, error_event:3, disconnect_after:4"
    assert parse_faults(spec) == Faults(
        status=429,
        message="slow down",
        retry_after=0.05,
        delay=0.1,
        slow=0.01,
        long=500,
        no_done=True,
        malformed_after=2,
        error_after=3,
        disconnect_after=4,
    )
    assert parse_faults("hang") == Faults(hang=True)
    assert parse_faults("disconnect") == Faults(disconnect=True)
    assert parse_faults("malformed") == Faults(malformed_after=1)
    assert parse_faults("") == Faults()


@pytest.mark.parametrize(
    "spec", ["boom", "status:200", "status:abc", "delay:-1", "long:x", "hang:1", "slow:fast"]
)
def test_invalid_specs_raise(spec: str) -> None:
    with pytest.raises(FaultError):
        parse_faults(spec)


def test_merge_prefers_later_non_defaults() -> None:
    merged = Faults(status=503, delay=1.0).merge(Faults(status=429))
    assert merged == Faults(status=429, delay=1.0)


def test_split_model() -> None:
    assert split_model("fault:status:503/zai-org/GLM-5.2") == ("zai-org/GLM-5.2", "status:503")
    assert split_model("plain/model") == ("plain/model", "")
    assert split_model(None) == (None, "")
    with pytest.raises(FaultError):
        split_model("fault:status:503")


def test_fault_queue_counts_uses() -> None:
    queue = FaultQueue()
    queue.push("status:503", times=2)
    queue.push("delay:0", times=1)
    assert len(queue) == 3
    assert queue.take() == Faults(status=503)
    assert queue.take() == Faults(status=503)
    assert queue.take() == Faults()
    assert queue.take() is None
    with pytest.raises(ValueError):
        queue.push("hang", times=0)
    with pytest.raises(FaultError):
        queue.push("nope", times=1)


def test_reasoning_model_rules_and_tokens() -> None:
    default = ServerConfig()
    assert default.is_reasoning("deepseek-ai/DeepSeek-R1-0528")
    assert default.is_reasoning("my-Reasoning-model")
    assert default.is_reasoning("qwen-thinking")
    assert not default.is_reasoning("deepseek-ai/DeepSeek-V3.2")
    assert not default.is_reasoning(None)
    explicit = ServerConfig(reasoning_models=frozenset({"x"}))
    assert explicit.is_reasoning("x")
    assert not explicit.is_reasoning("r1")
    assert default.token_ok("anything")
    assert not default.token_ok("")
    assert not default.token_ok(None)
    assert ServerConfig(tokens=frozenset({"a"})).token_ok("a")
    assert not ServerConfig(tokens=frozenset({"a"})).token_ok("b")
