"""`FriendliStage`: a Ray Data `map_batches` stage that asks a model for each prompt of a batch.

Works with `langchain_friendli.ChatFriendli` and `Friendli` (through `invoke`) and with
`llama_index_friendli.FriendliLLM` (through `complete`); nothing here imports Ray or the
frameworks. Two ways to use it (README, "Batch jobs and scale-out")::

    # a callable class: Ray builds the model once per actor, from its class and kwargs
    ds.map_batches(
        FriendliStage,
        fn_constructor_args=(ChatFriendli,),
        fn_constructor_kwargs={"model": "deepseek-ai/DeepSeek-V3.2"},
        concurrency=4,
    )
    # a model built in the driver, shipped (pickled) to each task
    ds.map_batches(FriendliStage(ChatFriendli(model="deepseek-ai/DeepSeek-V3.2")))

Each batch's prompts are sent `max_concurrency` at a time from a thread pool (the models' sync
clients are thread-safe); the reply texts are added as a new column, in the prompts' order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from friendli_core._extras import require

__all__ = ["FriendliStage"]


def _asker(model: Any) -> Callable[[str], str]:
    """How to get a reply's text from `model`: LangChain `invoke`, else LlamaIndex `complete`."""
    if callable(getattr(model, "invoke", None)):

        def invoke(prompt: str) -> str:
            reply = model.invoke(prompt)
            return reply if isinstance(reply, str) else str(reply.text)  # chat: an AIMessage

        return invoke
    if callable(getattr(model, "complete", None)):
        return lambda prompt: str(model.complete(prompt).text)
    msg = (
        f"{type(model).__name__} has neither invoke() (LangChain) nor complete() (LlamaIndex); "
        "pass ChatFriendli, Friendli or FriendliLLM."
    )
    raise TypeError(msg)


class FriendliStage:
    """Adds each prompt's reply to a batch; usable as a Ray Data callable class or function."""

    def __init__(
        self,
        model: Any,
        /,
        *,
        prompt_column: str = "prompt",
        reply_column: str = "reply",
        max_concurrency: int = 8,
        **model_kwargs: Any,
    ) -> None:
        """Take a built model, or a model class and its keyword arguments (built here, once).

        Args:
            model: A model (`ChatFriendli(...)`, `Friendli(...)`, `FriendliLLM(...)`), or its
                class, built with `model_kwargs`.
            prompt_column: The column holding the prompts (strings).
            reply_column: The column the replies go to.
            max_concurrency: Requests in flight per batch.
            **model_kwargs: Keyword arguments of the model class (`model=...`, ...).
        """
        require("FriendliStage (a Ray Data stage)", "ray")
        if isinstance(model, type):
            model = model(**model_kwargs)
        elif model_kwargs:
            msg = "model keyword arguments are for a model class, not a built model"
            raise TypeError(msg)
        if max_concurrency < 1:
            msg = f"max_concurrency must be >= 1; got {max_concurrency}"
            raise ValueError(msg)
        self.model = model
        self.prompt_column = prompt_column
        self.reply_column = reply_column
        self.max_concurrency = max_concurrency
        self._ask = _asker(model)

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, Any]:
        """The batch with the replies of its prompts in `reply_column`."""
        prompts = [str(prompt) for prompt in batch[self.prompt_column]]
        workers = max(1, min(self.max_concurrency, len(prompts)))
        with ThreadPoolExecutor(workers, thread_name_prefix="friendli-stage") as pool:
            replies = list(pool.map(self._ask, prompts))
        return {**batch, self.reply_column: replies}
