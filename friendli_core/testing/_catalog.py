"""The model catalog of the local server (pure; thread-safe registry).

``GET /serverless/v1/models`` lists, in order: the server's own models
(``ServerConfig.models``), the packaged snapshot (the data file of
``friendli_core.known_models()``), then models registered at run time
(``LocalServer.register_model``), later entries replacing earlier ones of the same id. Every
entry is completed to the spec's ``ModelCatalogResponseItem`` (fields the snapshot leaves
unknown get the emulator's own values: it serves tools and structured output for any model).
``GET /v1/models`` (container) lists the same ids OpenAI-style, with vLLM's ``max_model_len``;
``GET /serverless/v1/openrouter/models`` lists them in the spec's
``OpenRouterModelCatalogResponseItem`` form (modalities, supported features and sampling
parameters, deprecation date), taken from the same entries.

A chat request whose rendered prompt plus ``max_tokens`` exceeds the model's
``context_length`` is refused with 400, as a real server does.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from friendli_core.testing._state import ServerConfig

__all__ = ["ModelRegistry", "catalog_items", "context_error", "openai_items", "openrouter_items"]

_CREATED = 1_700_000_000
_LOCAL_CONTEXT = 131_072
_FUNCTIONALITY = {
    "tool_call": True,
    "builtin_tool": False,
    "parallel_tool_call": True,
    "structured_output": True,
}

# Sampling parameters of the chat body the emulator accepts, in OpenRouter's names.
_SAMPLING = (
    "temperature",
    "top_p",
    "top_k",
    "min_p",
    "frequency_penalty",
    "presence_penalty",
    "repetition_penalty",
    "seed",
    "stop",
    "max_tokens",
    "logit_bias",
    "logprobs",
    "top_logprobs",
)
# OpenRouter feature name -> the catalog flag that grants it
_FEATURES = (
    ("tools", "tool_call"),
    ("json_mode", "structured_output"),
    ("structured_outputs", "structured_output"),
)


class ModelRegistry:
    """Catalog entries registered on a running server (``LocalServer.register_model``)."""

    def __init__(self) -> None:
        """Start empty."""
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] = {}

    def add(self, entry: Mapping[str, Any]) -> None:
        """Register (or replace) the entry with ``entry["id"]``."""
        model_id = entry.get("id")
        if not isinstance(model_id, str) or not model_id:
            msg = "a registered model needs a non-empty string 'id'"
            raise ValueError(msg)
        with self._lock:
            self._entries[model_id] = dict(entry)

    def remove(self, model_id: str) -> None:
        """Forget a registered model (no error when absent)."""
        with self._lock:
            self._entries.pop(model_id, None)

    def entries(self) -> list[dict[str, Any]]:
        """The registered entries, oldest first."""
        with self._lock:
            return list(self._entries.values())


def _local_entry(name: str, config: ServerConfig) -> dict[str, Any]:
    reasoning = " (reasoning)" if config.is_reasoning(name) else ""
    return {
        "id": name,
        "name": name,
        "hugging_face_id": name,
        "context_length": _LOCAL_CONTEXT,
        "max_completion_tokens": _LOCAL_CONTEXT,
        "description": f"Local deterministic emulator model{reasoning}.",
        "deprecation_date": None,
    }


def _complete(entry: Mapping[str, Any]) -> dict[str, Any]:
    """``entry`` with every required field of ``ModelCatalogResponseItem`` filled."""
    model_id = str(entry["id"])
    context = entry.get("context_length") or _LOCAL_CONTEXT
    item: dict[str, Any] = {
        "id": model_id,
        "name": model_id,
        "created": _CREATED,
        "max_completion_tokens": context,
        "pricing": {"input": "0", "output": "0", "prompt": "0", "completion": "0"},
        "description": f"{model_id} (served by the local emulator).",
        "hugging_face_url": f"https://huggingface.co/{model_id}",
        "license": "https://www.apache.org/licenses/LICENSE-2.0",
    }
    item.update({k: v for k, v in entry.items() if v is not None or k == "deprecation_date"})
    item["context_length"] = context
    item["functionality"] = {
        **_FUNCTIONALITY,
        **{k: v for k, v in (entry.get("functionality") or {}).items() if v is not None},
    }
    return item


@functools.cache
def _snapshot_entries() -> tuple[dict[str, Any], ...]:
    # The data file, not `friendli_core.catalog`: the server shares no code with the client.
    text = resources.files("friendli_core").joinpath("_data/catalog.json").read_text("utf-8")
    return tuple(json.loads(text)["models"])


def _entries(config: ServerConfig, registry: ModelRegistry) -> dict[str, dict[str, Any]]:
    merged = {name: _local_entry(name, config) for name in config.models}
    for entry in _snapshot_entries():
        merged[entry["id"]] = entry
    for entry in registry.entries():
        merged[entry["id"]] = entry
    return merged


def catalog_items(config: ServerConfig, registry: ModelRegistry) -> list[dict[str, Any]]:
    """The entries of ``GET /serverless/v1/models``."""
    return [_complete(entry) for entry in _entries(config, registry).values()]


def openai_items(config: ServerConfig, registry: ModelRegistry) -> list[dict[str, Any]]:
    """The entries of ``GET /v1/models`` (OpenAI list objects, with vLLM's ``max_model_len``)."""
    return [
        {
            "id": item["id"],
            "object": "model",
            "created": _CREATED,
            "owned_by": "friendli-local",
            "max_model_len": item["context_length"],
        }
        for item in catalog_items(config, registry)
    ]


def openrouter_items(config: ServerConfig, registry: ModelRegistry) -> list[dict[str, Any]]:
    """The entries of ``GET /serverless/v1/openrouter/models``, from the same catalog."""
    items = []
    for item in catalog_items(config, registry):
        functionality = item["functionality"]
        features = [name for name, flag in _FEATURES if functionality.get(flag)]
        if item.get("reasoning") or config.is_reasoning(item["id"]):
            features.append("reasoning")
        pricing = item["pricing"]
        items.append(
            {
                "id": item["id"],
                "hugging_face_id": item.get("hugging_face_id", ""),
                "name": item["name"],
                "created": item["created"],
                "input_modalities": item.get("input_modalities") or ["text"],
                "output_modalities": item.get("output_modalities") or ["text"],
                "quantization": None,
                "context_length": item["context_length"],
                "max_output_length": item["max_completion_tokens"],
                "pricing": {
                    "prompt": pricing["prompt"],
                    "completion": pricing["completion"],
                    "input_cache_read": pricing.get("input_cache_read"),
                },
                "supported_sampling_parameters": list(_SAMPLING),
                "supported_features": features,
                "description": item["description"],
                "deprecation_date": item.get("deprecation_date"),
                "is_ready": True,
                "is_free": pricing["prompt"] == pricing["completion"] == "0",
            }
        )
    return items


def context_error(
    model: str | None,
    prompt_tokens: int,
    max_tokens: int | None,
    config: ServerConfig,
    registry: ModelRegistry,
) -> str | None:
    """The 400 message when the request does not fit the model's context, else None."""
    entry = _entries(config, registry).get(model or config.default_model)
    limit = entry.get("context_length") if entry else None
    if not isinstance(limit, int):
        return None
    needed = prompt_tokens + (max_tokens or 0)
    if needed <= limit:
        return None
    return (
        f"This model's maximum context length is {limit} tokens; the request needs {needed} "
        f"({prompt_tokens} in the prompt, {max_tokens or 0} for max_tokens). Shorten the "
        "messages or lower max_tokens."
    )
