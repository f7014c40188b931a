"""The fields and behaviour shared by `ChatFriendli` and `Friendli`.

`FriendliBase` adds the sampling parameters common to the chat and completions bodies
(`SharedFields`, generated from the core's field table) to the connection settings and client
lifecycle of `FriendliConnection` (`_connection`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from langchain_core.language_models import LangSmithParams
from pydantic import ConfigDict

from langchain_friendli._connection import MODEL_CONFIG, FriendliConnection
from langchain_friendli._convert import combine_stop
from langchain_friendli._errors import translate_errors
from langchain_friendli._fields import SharedFields

__all__ = ["MODEL_CONFIG", "FriendliBase"]


class FriendliBase(SharedFields, FriendliConnection):
    """Connection settings and shared sampling parameters of the Friendli LangChain models.

    The sampling parameters are declared in `_fields` (generated from the core's field table).
    """

    # Never instantiated on its own, so its schema is not built (that of ChatFriendli and
    # Friendli is, with their own config, MODEL_CONFIG).
    model_config = ConfigDict(**{**MODEL_CONFIG, "defer_build": True})

    extra_body: dict[str, Any] | None = None
    """Fields merged into every request body as they are (for fields not listed here)."""

    _BODY_FIELDS: ClassVar[tuple[str, ...]] = tuple(SharedFields.model_fields)
    """The request-body fields among the model's fields (`model` aside)."""

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
