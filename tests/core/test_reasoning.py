"""Reasoning controls per model (`friendli_core.reasoning`), on literal catalog entries.

The entries mirror models.dev f3fc692 (providers/friendli/models, resolved through their
`base_model`): DeepSeek-V3.2 reasons with a toggle, GLM-5.2 documents effort high/max,
MiniMax-M2.5 an empty option list. No Friendli model lists a budget range
there, so `BUDGETED` is an invented model.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from friendli_core import FriendliClient, InvalidRequestError
from friendli_core.catalog import ModelInfo, known_model
from friendli_core.reasoning import (
    ReasoningControls,
    check_reasoning,
    check_snapshot_reasoning,
    prepare_chat,
    template_variables,
    with_thinking,
)

MSGS = [{"role": "user", "content": "Hi"}]
DEEPSEEK = ModelInfo.model_validate(
    {
        "id": "deepseek-ai/DeepSeek-V3.2",
        "reasoning": True,
        "reasoning_options": [{"type": "toggle"}],
        "interleaved": {"field": "reasoning_content"},
    }
)
GLM = ModelInfo.model_validate(
    {
        "id": "zai-org/GLM-5.2",
        "reasoning": True,
        "reasoning_options": [{"type": "effort", "values": ["high", "max"]}],
        "interleaved": {"field": "reasoning_content"},
    }
)
MINIMAX = ModelInfo.model_validate(
    {"id": "MiniMaxAI/MiniMax-M2.5", "reasoning": True, "reasoning_options": []}
)
BUDGETED = ModelInfo.model_validate(
    {
        "id": "acme/budgeted",
        "reasoning": True,
        "reasoning_options": [{"type": "toggle"}, {"type": "budget_tokens", "min": 1, "max": 8}],
    }
)
PLAIN = ModelInfo.model_validate({"id": "acme/plain-7b", "reasoning": False})
SILENT = ModelInfo.model_validate({"id": "acme/silent"})


def chat(**params: Any) -> dict[str, Any]:
    return {"model": "m", "messages": MSGS, **params}


# --------------------------------------------------------------------------- controls


def test_controls_read_from_the_entry() -> None:
    assert ReasoningControls.from_info(DEEPSEEK) == ReasoningControls(
        "deepseek-ai/DeepSeek-V3.2", reasons=True
    )
    assert ReasoningControls.from_info(GLM).efforts == ("high", "max")
    assert ReasoningControls.from_info(BUDGETED).budget == (1, 8)
    assert ReasoningControls.from_info(MINIMAX) == ReasoningControls(MINIMAX.id, reasons=True)
    assert ReasoningControls.from_info(PLAIN).reasons is False
    assert ReasoningControls.from_info(SILENT) == ReasoningControls("acme/silent")


def test_options_imply_reasoning_when_the_flag_is_missing() -> None:
    entry = ModelInfo.model_validate({"id": "x", "reasoning_options": [{"type": "toggle"}]})
    assert ReasoningControls.from_info(entry) == ReasoningControls("x", reasons=True)


# --------------------------------------------------------------------------- the switch


@pytest.mark.parametrize("thinking", [True, False])
def test_switch_sets_enable_thinking_and_keeps_the_other_variables(thinking: bool) -> None:
    params = chat(chat_template_kwargs={"lang": "ko"}, temperature=0)
    out = with_thinking(params, thinking=thinking, switch="reasoning")
    assert out == chat(
        chat_template_kwargs={"lang": "ko", "enable_thinking": thinking}, temperature=0
    )
    assert params["chat_template_kwargs"] == {"lang": "ko"}  # the caller's dict is not changed
    assert with_thinking(chat(), thinking=thinking, switch="reasoning") == chat(
        chat_template_kwargs={"enable_thinking": thinking}
    )


def test_switch_unset_leaves_the_template_alone() -> None:
    params = chat(chat_template_kwargs={"enable_thinking": True})
    assert with_thinking(params, thinking=None, switch="reasoning") == params


def test_switch_agreeing_with_an_explicit_enable_thinking_is_fine() -> None:
    params = chat(chat_template_kwargs={"enable_thinking": False})
    assert with_thinking(params, thinking=False, switch="thinking") == params


def test_conflicting_explicit_enable_thinking_is_refused() -> None:
    params = chat(chat_template_kwargs={"enable_thinking": False})
    with pytest.raises(InvalidRequestError) as caught:
        with_thinking(params, thinking=True, switch="thinking")
    message = str(caught.value)
    assert "thinking=True" in message
    assert "'enable_thinking': False" in message
    assert "Keep one" in message


def test_the_switch_reaches_template_variables_in_extra_body() -> None:
    # extra_body is sent over the body: its chat_template_kwargs would replace the switch
    params = chat(chat_template_kwargs={"a": 1}, extra_body={"chat_template_kwargs": {"b": 2}})
    switched = with_thinking(params, thinking=True, switch="reasoning")
    assert switched["chat_template_kwargs"] == {"a": 1, "enable_thinking": True}
    assert switched["extra_body"] == {"chat_template_kwargs": {"b": 2, "enable_thinking": True}}
    untouched = chat(extra_body={"top_k": 3})
    assert with_thinking(untouched, thinking=False, switch="reasoning")["extra_body"] == {
        "top_k": 3
    }
    conflict = chat(extra_body={"chat_template_kwargs": {"enable_thinking": False}})
    with pytest.raises(
        InvalidRequestError,
        match=r"reasoning=True conflicts with extra_body\['chat_template_kwargs'\]",
    ):
        with_thinking(conflict, thinking=True, switch="reasoning")
    malformed = chat(extra_body={"chat_template_kwargs": "x"})
    with pytest.raises(InvalidRequestError, match="must be a dict of chat-template variables"):
        with_thinking(malformed, thinking=True, switch="reasoning")


@pytest.mark.parametrize(
    ("params", "thinking", "words"),
    [
        (chat(), "yes", ["reasoning must be True or False", "'yes'"]),
        (chat(chat_template_kwargs=["x"]), True, ["chat_template_kwargs must be a dict"]),
    ],
)
def test_malformed_switch_or_template_is_refused(
    params: dict[str, Any], thinking: Any, words: list[str]
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        with_thinking(params, thinking=thinking, switch="reasoning")
    assert all(w in str(caught.value) for w in words)


# --------------------------------------------------------------------------- the checks


@pytest.mark.parametrize(
    ("params", "named"),
    [
        (chat(chat_template_kwargs={"enable_thinking": True}), "thinking switch"),
        (chat(chat_template_kwargs={"enable_thinking": False}), "thinking switch"),
        (chat(reasoning_effort="high"), "reasoning_effort"),
        (chat(reasoning_budget=100), "reasoning_budget"),
    ],
)
def test_a_model_that_does_not_reason_is_refused_every_control(
    params: dict[str, Any], named: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check_reasoning(params, PLAIN)
    message = str(caught.value)
    assert "'acme/plain-7b' does not reason" in message
    assert named in message
    assert "remove it or choose a reasoning model" in message


def test_refusal_names_every_control_sent() -> None:
    params = chat(reasoning_effort="low", reasoning_budget=5)
    with pytest.raises(
        InvalidRequestError, match=r"reasoning_effort and reasoning_budget .*; remove them or"
    ):
        check_reasoning(params, PLAIN)


def test_a_model_that_does_not_reason_takes_requests_without_controls() -> None:
    check_reasoning(chat(chat_template_kwargs={"lang": "ko"}, parse_reasoning=True), PLAIN)


def test_effort_outside_the_listed_values_is_refused_naming_them() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check_reasoning(chat(reasoning_effort="low"), GLM)
    message = str(caught.value)
    assert "'zai-org/GLM-5.2' takes reasoning_effort 'high', 'max'" in message
    assert "got 'low'" in message
    check_reasoning(chat(reasoning_effort="max"), GLM)


@pytest.mark.parametrize(("budget", "ok"), [(1, True), (8, True), (9, False), (0, False)])
def test_budget_outside_the_listed_range_is_refused(budget: int, *, ok: bool) -> None:
    params = chat(reasoning_budget=budget)
    if ok:
        check_reasoning(params, BUDGETED)
        return
    with pytest.raises(InvalidRequestError, match=r"takes reasoning_budget between 1 and 8"):
        check_reasoning(params, BUDGETED)


def test_one_sided_budget_range_says_which_side() -> None:
    entry = ModelInfo.model_validate(
        {"id": "x", "reasoning": True, "reasoning_options": [{"type": "budget_tokens", "max": 4}]}
    )
    with pytest.raises(InvalidRequestError, match="takes reasoning_budget <= 4 tokens"):
        check_reasoning(chat(reasoning_budget=5), entry)


@pytest.mark.parametrize("entry", [MINIMAX, DEEPSEEK, SILENT, None], ids=str)
def test_unknown_options_or_models_pass_everything_through(entry: ModelInfo | None) -> None:
    everything = chat(
        reasoning_effort="ultracode",
        reasoning_budget=10**9,
        chat_template_kwargs={"enable_thinking": True},
    )
    check_reasoning(everything, entry)


# --------------------------------------------------------------------------- which entry


def test_prepare_chat_checks_the_served_entry_of_the_model() -> None:
    live = ModelInfo.model_validate({"id": "my-org/served", "reasoning": False})
    with pytest.raises(InvalidRequestError, match="'my-org/served' does not reason"):
        prepare_chat(
            chat(model="my-org/served"),
            thinking=True,
            switch="reasoning",
            endpoint="container",
            served=live,
        )
    # a container's only model may be requested without a name
    with pytest.raises(InvalidRequestError, match="does not reason"):
        prepare_chat(
            {"messages": MSGS},
            thinking=False,
            switch="reasoning",
            endpoint="container",
            served=live,
        )
    # another model than the served one: the served entry does not apply
    out = prepare_chat(
        chat(model="other"), thinking=True, switch="reasoning", endpoint="container", served=live
    )
    assert out["chat_template_kwargs"] == {"enable_thinking": True}


def test_prepare_chat_uses_the_snapshot_for_serverless_only() -> None:
    snapshot = known_model("zai-org/GLM-5.2")
    assert snapshot is not None
    assert ReasoningControls.from_info(snapshot).efforts == ("high", "max")
    params = chat(model="zai-org/GLM-5.2", reasoning_effort="low")
    with pytest.raises(InvalidRequestError, match="takes reasoning_effort 'high', 'max'"):
        prepare_chat(params, thinking=None, switch="reasoning", endpoint="serverless")
    for endpoint in ("dedicated", "container"):
        prepare_chat(params, thinking=None, switch="reasoning", endpoint=endpoint)
    # a live entry of the model that is silent about efforts replaces the snapshot's
    live = ModelInfo.model_validate({"id": "zai-org/GLM-5.2"})
    prepare_chat(params, thinking=None, switch="reasoning", endpoint="serverless", served=live)


def test_snapshot_check_reads_nothing_without_controls() -> None:
    check_snapshot_reasoning(chat(model="zai-org/GLM-5.2", chat_template_kwargs={"a": 1}))
    with pytest.raises(InvalidRequestError):
        check_snapshot_reasoning(chat(model="zai-org/GLM-5.2", reasoning_effort="minimal"))


# --------------------------------------------------------------------------- the core path


def _client(endpoint: str, sent: list[dict[str, Any]]) -> FriendliClient:
    def reply(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(
            200,
            json={
                "id": "c",
                "object": "chat.completion",
                "created": 1,
                "model": "zai-org/GLM-5.2",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "ok"},
                        "finish_reason": "stop",
                    }
                ],
            },
        )

    http = httpx.Client(transport=httpx.MockTransport(reply))
    return FriendliClient(token="flp_x", endpoint=endpoint, http_client=http)  # type: ignore[arg-type]


def test_core_client_refuses_serverless_controls_the_snapshot_rules_out() -> None:
    sent: list[dict[str, Any]] = []
    client = _client("serverless", sent)
    with pytest.raises(InvalidRequestError, match="takes reasoning_effort 'high', 'max'"):
        client.chat(model="zai-org/GLM-5.2", messages=MSGS, reasoning_effort="low")
    with pytest.raises(InvalidRequestError, match="takes reasoning_effort"):
        client.stream_chat(model="zai-org/GLM-5.2", messages=MSGS, reasoning_effort="low")
    assert sent == []
    client.chat(model="zai-org/GLM-5.2", messages=MSGS, reasoning_effort="max")
    client.chat(model="acme/unlisted", messages=MSGS, reasoning_effort="low")
    assert [b["reasoning_effort"] for b in sent] == ["max", "low"]


def test_core_client_leaves_dedicated_endpoints_to_their_own_models() -> None:
    sent: list[dict[str, Any]] = []
    client = _client("dedicated", sent)
    client.chat(model="zai-org/GLM-5.2", messages=MSGS, reasoning_effort="low")
    assert sent[0]["reasoning_effort"] == "low"


def test_template_variables_for_rendering() -> None:
    assert template_variables(None, thinking=None, switch="reasoning") is None
    assert template_variables({"a": 1}, thinking=None, switch="reasoning") == {"a": 1}
    assert template_variables(None, thinking=True, switch="reasoning") == {"enable_thinking": True}
    with pytest.raises(InvalidRequestError, match="thinking=False conflicts"):
        template_variables({"enable_thinking": True}, thinking=False, switch="thinking")
