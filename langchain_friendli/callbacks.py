"""`get_friendli_callback()`: tokens and USD cost of the Friendli calls run inside it.

It mirrors langchain-community's `get_openai_callback()`: a context manager yielding a
handler registered in a context variable with langchain-core's `register_configure_hook`, so
every run started inside it (chains, agents, `batch` threads, asyncio tasks) reports to it.
The handler counts each `ChatFriendli` / `Friendli` run once, when it ends, from the usage the
server returned (for a stream, the usage of its final chunk); runs that fail, including
retries the server never answered, are not counted. Other models' runs are ignored.

The price of a run comes from `friendli_core.pricing`: serverless models only, from the live
catalog after `from_server`, else from the packaged snapshot; a run it cannot price is counted
in `unpriced_requests` and left out of `total_cost`. Nothing runs per request when no callback
is active: the handler exists only inside the `with` block.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tracers.context import register_configure_hook

from friendli_core.pricing import UsageCounts, priced_entry, usage_cost
from friendli_core.usage import CostTally

if TYPE_CHECKING:
    from uuid import UUID

    from langchain_core.messages import BaseMessage

    from friendli_core.catalog import ModelInfo

__all__ = ["FriendliCallbackHandler", "friendli_callback_var", "get_friendli_callback"]

# The `_llm_type` of ChatFriendli and Friendli: runs of other models are not Friendli's to bill.
_FRIENDLI_TYPES = frozenset({"friendli-chat", "friendli"})

_RUNS_LOCK = threading.Lock()  # shared: the handler stays picklable, as plain data

friendli_callback_var: ContextVar[FriendliCallbackHandler | None] = ContextVar(
    "friendli_callback", default=None
)
register_configure_hook(friendli_callback_var, inheritable=True)


class FriendliCallbackHandler(CostTally, BaseCallbackHandler):
    """Sums tokens and cost of Friendli runs (see the module; attributes of `CostTally`)."""

    def __init__(self) -> None:
        """Start at zero."""
        super().__init__()
        self._runs: dict[UUID, tuple[str | None, ModelInfo | None]] = {}

    def __repr__(self) -> str:
        """The totals, as `str()` gives them (as `get_openai_callback`'s handler does)."""
        return str(self)

    @property
    def always_verbose(self) -> bool:
        """Receive events even from models built with `verbose=False`."""
        return True

    def _start(self, run_id: UUID, invocation_params: Mapping[str, Any] | None) -> None:
        params = invocation_params or {}
        if params.get("_type") not in _FRIENDLI_TYPES:
            return
        model = params.get("model")
        entry = priced_entry(model, str(params.get("endpoint")))
        with _RUNS_LOCK:
            self._runs[run_id] = (model, entry)

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],  # noqa: ARG002 - the base signature
        messages: list[list[BaseMessage]],  # noqa: ARG002
        *,
        run_id: UUID,
        invocation_params: dict[str, Any] | None = None,
        **kwargs: Any,  # noqa: ARG002
    ) -> None:
        """Note the model and price entry of a Friendli chat run."""
        self._start(run_id, invocation_params)

    def on_llm_start(
        self,
        serialized: dict[str, Any],  # noqa: ARG002 - the base signature
        prompts: list[str],  # noqa: ARG002
        *,
        run_id: UUID,
        invocation_params: dict[str, Any] | None = None,
        **kwargs: Any,  # noqa: ARG002
    ) -> None:
        """Note the model and price entry of a Friendli completions run."""
        self._start(run_id, invocation_params)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:  # noqa: ARG002
        """Count the run's usage and cost."""
        with _RUNS_LOCK:
            run = self._runs.pop(run_id, None)
        if run is None:
            return
        model, entry = run
        usage = _usage_of(response)
        if usage is not None:
            self.add(model, usage, usage_cost(usage, entry))
        elif (response.llm_output or {}).get("token_usage") == {} and entry is not None:
            # `Friendli.generate([...])` answers each prompt with a request and reports the
            # summed usage on the first prompt's run (`LLMResult.flatten`): billed there.
            self.add(model, UsageCounts(0, 0), Decimal(0))
        else:
            self.add(model, UsageCounts(0, 0), None)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:  # noqa: ARG002
        """Forget a failed run: no usage came back to count."""
        with _RUNS_LOCK:
            self._runs.pop(run_id, None)


def _usage_of(response: LLMResult) -> UsageCounts | None:
    """The run's usage: the message's `usage_metadata`, else `llm_output["token_usage"]`."""
    first = response.generations[0][0] if response.generations and response.generations[0] else None
    if isinstance(first, ChatGeneration) and (meta := first.message.usage_metadata) is not None:  # type: ignore[attr-defined]
        details = meta.get("input_token_details") or {}
        output = meta.get("output_token_details") or {}
        return UsageCounts(
            meta["input_tokens"],
            meta["output_tokens"],
            details.get("cache_read") or 0,
            output.get("reasoning") or 0,
        )
    token_usage = (response.llm_output or {}).get("token_usage")
    return UsageCounts.from_usage(token_usage) if token_usage else None


@contextmanager
def get_friendli_callback() -> Iterator[FriendliCallbackHandler]:
    """Count the tokens and USD cost of every Friendli call run inside the block.

    Example:
        ```python no-run
        from langchain_friendli import ChatFriendli, get_friendli_callback

        with get_friendli_callback() as cb:
            ChatFriendli(model="deepseek-ai/DeepSeek-V3.2").invoke("Hello")
        print(cb.total_cost, cb.prompt_tokens_cached, cb.per_model)
        ```

    Yields:
        The handler; its totals (`prompt_tokens`, `prompt_tokens_cached`,
        `completion_tokens`, `reasoning_tokens`, `total_tokens`, `successful_requests`,
        `total_cost`, `unpriced_requests`, `per_model`) grow as runs end.
    """
    handler = FriendliCallbackHandler()
    token = friendli_callback_var.set(handler)
    try:
        yield handler
    finally:
        friendli_callback_var.reset(token)
