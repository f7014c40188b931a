"""Reasoning controls per model, decided once from the model's catalog entry (pure).

A catalog entry (`friendli_core.catalog.ModelInfo`) says whether a model reasons (`reasoning`)
and which reasoning controls it documents (`reasoning_options`, models.dev's list: a `toggle`,
`effort` with its `values`, `budget_tokens` with `min`/`max`). From those, before anything is
sent:

* a model the catalog says does not reason is refused the thinking switch (the adapters'
  `reasoning=` / `thinking=`, i.e. `chat_template_kwargs.enable_thinking`), `reasoning_effort`
  and `reasoning_budget`, naming the model;
* where the catalog lists effort values or a budget range, a value outside is refused, naming
  what the model takes;
* an empty or absent option list means unknown and lets everything through, as does a model
  the catalog does not list (`info=None`).

The switch itself is Friendli's documented on/off toggle: `with_thinking` sets
`enable_thinking` inside `chat_template_kwargs`, merged with the other template variables, and
refuses an explicit `enable_thinking` that says otherwise.

The adapters check with the entry their model was resolved from (the live catalog after
`from_server`, else the packaged snapshot); the core clients check serverless requests against
the snapshot (`check_snapshot_reasoning`). A serverless request thus passes both: a live entry
adds facts the snapshot lacks (a registered or container model's), it does not lift the
snapshot's. Prompt rendering (`template_variables`) sets the switch as the request does, so
exact token counts see the same chat template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from friendli_core._fields import THINKING_VARIABLE
from friendli_core.errors import InvalidRequestError

if TYPE_CHECKING:
    from friendli_core.catalog import ModelInfo

__all__ = [
    "THINKING_VARIABLE",
    "ReasoningControls",
    "check_reasoning",
    "check_snapshot_reasoning",
    "prepare_chat",
    "template_variables",
    "with_thinking",
]

_TEMPLATE = "chat_template_kwargs"


@dataclass(frozen=True, slots=True)
class ReasoningControls:
    """What a catalog entry says about a model's reasoning; None means "the catalog is silent".

    Attributes:
        model: The model's id in the catalog.
        reasons: Whether the model reasons.
        efforts: The `reasoning_effort` values it documents.
        budget: The `reasoning_budget` range it documents, as (min, max); either may be None.
    """

    model: str
    reasons: bool | None = None
    efforts: tuple[str, ...] | None = None
    budget: tuple[int | None, int | None] | None = None

    @classmethod
    def from_info(cls, info: ModelInfo) -> ReasoningControls:
        """The controls a catalog entry states (its `reasoning` flag and `reasoning_options`)."""
        options = info.reasoning_options or []
        efforts: tuple[str, ...] | None = None
        budget: tuple[int | None, int | None] | None = None
        for option in options:
            kind = option.get("type")
            if kind == "effort" and option.get("values"):
                efforts = tuple(str(v) for v in option["values"])
            elif kind == "budget_tokens" and (
                option.get("min") is not None or option.get("max") is not None
            ):
                budget = (_int_or_none(option.get("min")), _int_or_none(option.get("max")))
        reasons = info.reasoning
        if reasons is None and options:
            reasons = True  # models.dev lists options only for reasoning models
        return cls(info.id, reasons, efforts, budget)


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def with_thinking(
    params: Mapping[str, Any], *, thinking: bool | None, switch: str
) -> dict[str, Any]:
    """`params` with the thinking switch set as `chat_template_kwargs.enable_thinking`.

    `extra_body` is sent over the body, so chat-template variables it carries would replace
    the switch: the switch is set (and checked) there too.

    Args:
        params: The chat parameters (their `chat_template_kwargs` are kept and merged).
        thinking: The switch; None leaves `params` as they are.
        switch: The name the caller gave the switch (`reasoning`, `thinking`), for messages.

    Raises:
        InvalidRequestError: `chat_template_kwargs` is not a dict, or sets `enable_thinking`
            to the other value.
    """
    if thinking is None:
        return dict(params)
    if not isinstance(thinking, bool):
        msg = f"{switch} must be True or False (or None for the model's default); got {thinking!r}."
        raise InvalidRequestError(msg)
    switched = {
        **params,
        _TEMPLATE: _switched(
            params.get(_TEMPLATE), thinking=thinking, switch=switch, where=_TEMPLATE
        ),
    }
    extra = params.get("extra_body")
    if isinstance(extra, Mapping) and extra.get(_TEMPLATE) is not None:
        where = f"extra_body[{_TEMPLATE!r}]"
        template = _switched(extra[_TEMPLATE], thinking=thinking, switch=switch, where=where)
        switched["extra_body"] = {**extra, _TEMPLATE: template}
    return switched


def _switched(template: object, *, thinking: bool, switch: str, where: str) -> dict[str, Any]:
    """The template variables `template` with `enable_thinking` set (see `with_thinking`)."""
    template = template or {}
    if not isinstance(template, Mapping):
        msg = f"{where} must be a dict of chat-template variables; got {template!r:.80}."
        raise InvalidRequestError(msg)
    explicit = template.get(THINKING_VARIABLE)
    if explicit is not None and explicit != thinking:
        msg = (
            f"{switch}={thinking} conflicts with {where}={{{THINKING_VARIABLE!r}: "
            f"{explicit!r}}}: they set the same switch. Keep one of them."
        )
        raise InvalidRequestError(msg)
    return {**template, THINKING_VARIABLE: thinking}


def template_variables(
    template: Mapping[str, Any] | None, *, thinking: bool | None, switch: str
) -> dict[str, Any] | None:
    """The chat-template variables with the switch set (for rendering a prompt as sent).

    Raises:
        InvalidRequestError: See `with_thinking`.
    """
    merged = with_thinking({_TEMPLATE: template}, thinking=thinking, switch=switch)[_TEMPLATE]
    return dict(merged) if merged is not None else None


def check_reasoning(
    params: Mapping[str, Any], info: ModelInfo | None, *, switch: str | None = None
) -> None:
    """Refuse reasoning controls the model's catalog entry rules out (see the module).

    Args:
        params: The chat parameters, with the switch already in `chat_template_kwargs`.
        info: The model's catalog entry; None (not listed) lets everything through.
        switch: The adapter's name of the thinking switch, named in the messages.

    Raises:
        InvalidRequestError: Naming the model and what it takes.
    """
    if info is None or not _asks_reasoning(params):
        return
    effort = params.get("reasoning_effort")
    budget = params.get("reasoning_budget")
    controls = ReasoningControls.from_info(info)
    if controls.reasons is False:
        given = {"effort": effort, "budget": budget, "thinking": _thinking(params)}
        _refuse_non_reasoning(controls.model, given, switch)
    if effort is not None and controls.efforts is not None and effort not in controls.efforts:
        takes = ", ".join(repr(v) for v in controls.efforts)
        msg = f"Model {controls.model!r} takes reasoning_effort {takes} (catalog); got {effort!r}."
        raise InvalidRequestError(msg)
    if budget is not None and controls.budget is not None:
        _check_budget(controls.model, budget, controls.budget)


def check_snapshot_reasoning(params: Mapping[str, Any]) -> None:
    """`check_reasoning` against the packaged snapshot's entry of `params["model"]`.

    The core clients' check for serverless requests; the snapshot is only read when the
    request carries a reasoning control.
    """
    if _asks_reasoning(params):
        from friendli_core.catalog import known_model  # noqa: PLC0415 - pydantic, on demand

        check_reasoning(params, known_model(params.get("model")))


def prepare_chat(
    params: dict[str, Any],
    *,
    thinking: bool | None,
    switch: str,
    endpoint: str,
    served: ModelInfo | None = None,
) -> dict[str, Any]:
    """The adapters' step: set the thinking switch, then check against the model's entry.

    The entry is the one the model was resolved from: `served` (the live catalog's, after
    `from_server`) when it is the requested model's, else the snapshot's for a serverless
    model code, else none (everything passes).

    Args:
        params: The chat parameters of one call (fields and per-call arguments merged); returned
            as they are when the switch is unset.
        thinking: The switch (per call, else the field); None leaves the template alone.
        switch: The adapter's name of the switch, for messages.
        endpoint: The adapter's endpoint kind.
        served: The live catalog entry of the adapter's model, if it was read.

    Raises:
        InvalidRequestError: See `with_thinking` and `check_reasoning`.
    """
    prepared = params
    if thinking is not None:
        prepared = with_thinking(params, thinking=thinking, switch=switch)
    if _asks_reasoning(prepared):
        from friendli_core.catalog import find_model, known_model  # noqa: PLC0415

        model = prepared.get("model")
        if served is not None and (model is None or find_model(model, [served]) is not None):
            check_reasoning(prepared, served, switch=switch)
        elif endpoint == "serverless":
            check_reasoning(prepared, known_model(model), switch=switch)
    return prepared


def _thinking(params: Mapping[str, Any]) -> object:
    template = params.get(_TEMPLATE)
    return template.get(THINKING_VARIABLE) if isinstance(template, Mapping) else None


def _asks_reasoning(params: Mapping[str, Any]) -> bool:
    """Whether the request carries a reasoning control (most requests carry none)."""
    return (
        params.get("reasoning_effort") is not None
        or params.get("reasoning_budget") is not None
        or _thinking(params) is not None
    )


def _refuse_non_reasoning(model: str, given: Mapping[str, object], switch: str | None) -> None:
    template = f"{_TEMPLATE}.{THINKING_VARIABLE}"
    names = {
        "effort": "reasoning_effort",
        "budget": "reasoning_budget",
        "thinking": f"the thinking switch ({f'{switch}= or ' if switch else ''}{template})",
    }
    sent = [names[key] for key, value in given.items() if value is not None]
    them = "them" if len(sent) > 1 else "it"
    msg = (
        f"Model {model!r} does not reason (catalog), so {' and '.join(sent)} cannot apply to "
        f"it; remove {them} or choose a reasoning model (friendli_core.known_models())."
    )
    raise InvalidRequestError(msg)


def _check_budget(model: str, budget: object, bounds: tuple[int | None, int | None]) -> None:
    low, high = bounds
    if not isinstance(budget, int | float) or isinstance(budget, bool):
        return  # the field check names the type
    if (low is None or budget >= low) and (high is None or budget <= high):
        return
    if low is not None and high is not None:
        takes = f"between {low} and {high}"
    else:
        takes = f">= {low}" if low is not None else f"<= {high}"
    msg = f"Model {model!r} takes reasoning_budget {takes} tokens (catalog); got {budget}."
    raise InvalidRequestError(msg)
