"""`FriendliCostHandler`: tokens and USD cost of `FriendliLLM` calls, from LlamaIndex events.

An event handler of `llama_index.core.instrumentation`: add it once to the root dispatcher
and every `FriendliLLM` chat or completion call (query engines, chat engines, agents,
streams, sync or async) reports to it when it ends. The counts are the server's own `usage`
(a stream's is on its final chunk), never a local re-tokenization; a call that fails is not
counted. The price comes from `friendli_core.pricing` (serverless only: the live catalog after
`from_server`, else the packaged snapshot); calls it cannot price are counted in
`unpriced_requests`. The totals have the names of LangChain's `get_friendli_callback()`.

The start event names the model and endpoint (`FriendliLLM.to_payload`); its end event is
matched to it by span and by the very message objects (or prompt) both events carry.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events.llm import (
    LLMChatEndEvent,
    LLMChatStartEvent,
    LLMCompletionEndEvent,
    LLMCompletionStartEvent,
)

from friendli_core.catalog import ModelInfo
from friendli_core.pricing import UsageCounts, priced_entry, usage_cost
from friendli_core.usage import CostTally

__all__ = ["FriendliCostHandler"]

_Key = tuple[Any, ...]
_PENDING_LOCK = threading.Lock()  # shared: the handler stays picklable, as plain data
_PENDING_LIMIT = 10_000  # calls that never end (errors raise without an end event) are dropped


def _key(event: Any) -> _Key:
    if isinstance(event, LLMCompletionStartEvent | LLMCompletionEndEvent):
        return (event.span_id, event.prompt)
    return (event.span_id, *map(id, event.messages))


def _usage(raw: Any) -> UsageCounts | None:
    """The `usage` of a response's `raw` (a dict, or a typed chunk), if it has one."""
    usage = raw.get("usage") if isinstance(raw, Mapping) else getattr(raw, "usage", None)
    return UsageCounts.from_usage(usage) if usage is not None else None


class FriendliCostHandler(CostTally, BaseEventHandler):
    """Sums the tokens and USD cost of `FriendliLLM` calls (see the module).

    Example:
        ```python no-run
        from llama_index.core.instrumentation import get_dispatcher
        from llama_index_friendli import FriendliCostHandler

        cost = FriendliCostHandler()
        get_dispatcher().add_event_handler(cost)  # once, on the root dispatcher
        ...  # run queries, chats, agents
        print(cost.total_cost, cost.prompt_tokens_cached, cost.per_model)
        ```
    """

    _pending: dict[_Key, list[tuple[str | None, ModelInfo | None]]]

    def __init__(self) -> None:
        """Start at zero."""
        BaseEventHandler.__init__(self)  # pydantic's; CostTally's state follows
        self._start_tally()
        self._pending = {}

    @classmethod
    def class_name(cls) -> str:
        """The serialisation name."""
        return "FriendliCostHandler"

    def __repr__(self) -> str:
        """The totals, as `str()` gives them."""
        return str(self)

    def handle(self, event: Any, **kwargs: Any) -> None:  # noqa: ARG002 - the base signature
        """Note a FriendliLLM call when it starts; count it when it ends."""
        if isinstance(event, LLMChatStartEvent | LLMCompletionStartEvent):
            payload = event.model_dict
            if payload.get("class_name") != "FriendliLLM":
                return
            model = payload.get("model_name") or None
            entry = priced_entry(model, str(payload.get("endpoint")))
            with _PENDING_LOCK:
                if len(self._pending) >= _PENDING_LIMIT:
                    self._pending.pop(next(iter(self._pending)))
                self._pending.setdefault(_key(event), []).append((model, entry))
        elif isinstance(event, LLMChatEndEvent | LLMCompletionEndEvent):
            with _PENDING_LOCK:
                waiting = self._pending.get(key := _key(event))
                if not waiting:
                    return
                model, entry = waiting.pop(0)
                if not waiting:
                    del self._pending[key]
            usage = _usage(event.response.raw) if event.response is not None else None
            cost = usage_cost(usage, entry) if usage is not None else None
            self.add(model, usage or UsageCounts(0, 0), cost)
