"""Fields shared by `ChatFriendli` and `Friendli`.

`FriendliBase` adds the sampling parameters common to the chat and completions bodies to the
connection settings and client lifecycle of `_connection.FriendliConnection`.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

from langchain_core.language_models import LangSmithParams
from pydantic import ConfigDict

from langchain_friendli._connection import MODEL_CONFIG, FriendliConnection
from langchain_friendli._convert import combine_stop
from langchain_friendli._errors import translate_errors

__all__ = ["MODEL_CONFIG", "FriendliBase"]


class FriendliBase(FriendliConnection):
    """Connection settings and shared sampling parameters of the Friendli LangChain models."""

    # Never instantiated on its own, so its schema is not built (that of ChatFriendli and
    # Friendli is, with their own config, MODEL_CONFIG).
    model_config = ConfigDict(**{**MODEL_CONFIG, "defer_build": True})

    extra_body: dict[str, Any] | None = None
    """Fields merged into every request body as they are (for fields not listed here)."""

    temperature: float | None = None
    """Sampling temperature (>= 0); higher is more random."""
    max_tokens: int | None = None
    """Maximum number of tokens to generate."""
    min_tokens: int | None = None
    """Minimum number of tokens to generate (not with tools or response_format)."""
    top_p: float | None = None
    """Nucleus sampling: keep the smallest token set whose probability reaches top_p, (0, 1]."""
    top_k: int | None = None
    """Keep only the k most likely tokens (0 disables)."""
    min_p: float | None = None
    """Drop tokens less likely than min_p times the most likely one, [0, 1]."""
    frequency_penalty: float | None = None
    """Penalise tokens by how often they appeared so far, [-2, 2]."""
    presence_penalty: float | None = None
    """Penalise tokens that appeared at all so far, [-2, 2]."""
    repetition_penalty: float | None = None
    """Multiplicative penalty on repeated tokens (1.0 means none)."""
    stop: list[str] | None = None
    """Stop sequences (combined with those passed per call); excluded from the output."""
    seed: int | list[int] | None = None
    """Random seed, or one seed per sample when n > 1."""
    n: int | None = None
    """Number of independent samples to generate."""
    eos_token: list[int] | None = None
    """Extra end-of-sequence token IDs."""
    xtc_threshold: float | None = None
    """XTC sampling threshold, [0, 1]."""
    xtc_probability: float | None = None
    """XTC sampling probability, [0, 1]."""

    _BODY_FIELDS: ClassVar[tuple[str, ...]] = (
        "temperature",
        "max_tokens",
        "min_tokens",
        "top_p",
        "top_k",
        "min_p",
        "frequency_penalty",
        "presence_penalty",
        "repetition_penalty",
        "seed",
        "n",
        "eos_token",
        "xtc_threshold",
        "xtc_probability",
    )

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.model, "endpoint": self.endpoint, **self._body_defaults()}

    def _add_friendli_ls_params(
        self, params: LangSmithParams, stop: list[str] | None, kwargs: dict[str, Any]
    ) -> LangSmithParams:
        """Fill LangSmith's provider, model (per-call override first) and combined stop."""
        params["ls_provider"] = "friendli"
        if model := kwargs.get("model") or self.model:
            params["ls_model_name"] = model
        if ls_stop := combine_stop(self.stop, stop, kwargs.get("stop")):
            params["ls_stop"] = ls_stop
        return params

    def get_token_ids(self, text: str) -> list[int]:
        """Token IDs of `text` from Friendli's tokenize endpoint (the model's own tokenizer)."""
        with translate_errors():
            return self.client.tokenize(text, model=self.model)

    def get_num_tokens(self, text: str) -> int:
        """Number of tokens in `text`, from Friendli's tokenize endpoint."""
        return len(self.get_token_ids(text))

    def _body_defaults(self) -> dict[str, Any]:
        """The instance's request-body fields that are set (None means "server default")."""
        values = self.__dict__  # the field values (read per request: fields may be reassigned)
        params = {} if self.model is None else {"model": self.model}
        for name in self._BODY_FIELDS:
            if (value := values[name]) is not None:
                params[name] = value
        return params

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Store the signatures of `_generate`/`_agenerate` on them once.

        langchain-core inspects them on every call (does `_generate` take `run_manager`?),
        which costs about 25 µs per call; `inspect.signature` returns a stored `__signature__`
        at once. Done for every subclass, so a user's override is described by its own.
        """
        super().__pydantic_init_subclass__(**kwargs)
        for name in ("_generate", "_agenerate"):
            method = cls.__dict__.get(name)
            if inspect.isfunction(method) and "__signature__" not in method.__dict__:
                method.__signature__ = inspect.signature(method)  # type: ignore[attr-defined]

    def _dict_for_compat(self) -> dict[str, Any]:
        """`asdict()`, which langchain-core calls on every request for the invocation params.

        langchain-core wraps it in a warnings filter for subclasses that still override the
        deprecated `dict()`; that costs about 12 µs per call, so it is skipped unless a
        subclass does override it.
        """
        if type(self).dict.__module__.startswith("langchain_core."):
            return self.asdict()  # type: ignore[attr-defined, no-any-return]
        return super()._dict_for_compat()  # type: ignore[misc, no-any-return]
