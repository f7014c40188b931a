"""`FriendliCallbackHandler` on literal LangChain results: what it counts and what it ignores."""

from __future__ import annotations

import uuid
from decimal import Decimal

from langchain_core.callbacks import CallbackManager
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, Generation, LLMResult

from friendli_core.catalog import ModelPricing, known_models
from langchain_friendli import FriendliCallbackHandler, get_friendli_callback
from langchain_friendli.callbacks import friendli_callback_var

PRICED = next(m for m in known_models() if isinstance(m.pricing, ModelPricing))


def _chat_result(prompt: int, completion: int, cached: int = 0, reasoning: int = 0) -> LLMResult:
    message = AIMessage(
        "hi",
        usage_metadata={
            "input_tokens": prompt,
            "output_tokens": completion,
            "total_tokens": prompt + completion,
            "input_token_details": {"cache_read": cached},
            "output_token_details": {"reasoning": reasoning},
        },
    )
    return LLMResult(generations=[[ChatGeneration(message=message)]])


def _run(handler: FriendliCallbackHandler, result: LLMResult, **params: object) -> None:
    run_id = uuid.uuid4()
    handler.on_chat_model_start({}, [[]], run_id=run_id, invocation_params=params)
    handler.on_llm_end(result, run_id=run_id)


def test_a_chat_run_is_priced_from_the_snapshot() -> None:
    handler = FriendliCallbackHandler()
    params = {"_type": "friendli-chat", "model": PRICED.id, "endpoint": "serverless"}
    _run(handler, _chat_result(100, 20, cached=40, reasoning=5), **params)
    pricing = PRICED.pricing
    assert isinstance(pricing, ModelPricing)
    assert pricing.input is not None
    assert pricing.output is not None
    cached = Decimal(pricing.input_cache_read or pricing.input)
    expected = 40 * cached + 60 * Decimal(pricing.input) + 20 * Decimal(pricing.output)
    assert handler.cost == expected
    assert (handler.prompt_tokens_cached, handler.reasoning_tokens) == (40, 5)
    assert repr(handler) == str(handler)


def test_runs_of_other_models_are_ignored_and_failed_runs_forgotten() -> None:
    handler = FriendliCallbackHandler()
    _run(handler, _chat_result(10, 1), _type="openai-chat", model="gpt-4o")
    run_id = uuid.uuid4()
    params = {"_type": "friendli-chat", "model": PRICED.id, "endpoint": "serverless"}
    handler.on_chat_model_start({}, [[]], run_id=run_id, invocation_params=params)
    handler.on_llm_error(RuntimeError("boom"), run_id=run_id)
    handler.on_llm_end(_chat_result(10, 1), run_id=run_id)
    assert handler.successful_requests == 0


def test_a_completions_run_reads_llm_output_and_a_run_without_usage_is_unpriced() -> None:
    handler = FriendliCallbackHandler()
    usage = {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
    result = LLMResult(generations=[[Generation(text="x")]], llm_output={"token_usage": usage})
    run_id = uuid.uuid4()
    params = {"_type": "friendli", "model": PRICED.id, "endpoint": "serverless"}
    handler.on_llm_start({}, ["p"], run_id=run_id, invocation_params=params)
    handler.on_llm_end(result, run_id=run_id)
    _run(handler, LLMResult(generations=[[Generation(text="x")]]), **params)
    assert (handler.prompt_tokens, handler.completion_tokens) == (7, 3)
    assert (handler.successful_requests, handler.unpriced_requests) == (2, 1)
    assert handler.cost > 0


def test_the_context_manager_registers_its_handler_for_new_callback_managers() -> None:
    assert friendli_callback_var.get() is None
    with get_friendli_callback() as cb:
        manager = CallbackManager.configure()
        assert cb in manager.handlers
        assert cb in manager.inheritable_handlers
    assert friendli_callback_var.get() is None
    assert cb not in CallbackManager.configure().handlers
