"""The request-body fields are declared once (`friendli_core._fields`) and nothing drifts from it.

Fails when a body field of the spec (chat and completions request schemas of the vendored
OpenAPI document) has no table entry or a type the spec does not give it, when the public
TypedDicts disagree with the table, when a model-level entry has no field in `ChatFriendli`,
`Friendli` or `FriendliLLM` (unless the entry says why), when an adapter declares a body field
the core does not know or takes per call only, or when the generated field modules are stale.
"""

from __future__ import annotations

import collections.abc
import functools
import operator
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict

import pytest
from langchain_core.language_models import BaseChatModel, BaseLLM
from llama_index.core.llms.function_calling import FunctionCallingLLM

from friendli_core import InvalidRequestError
from friendli_core._embeddings import EmbeddingsParams
from friendli_core._fields import (
    ADAPTER_API,
    APIS,
    BODY_FIELDS,
    METHOD_FIELDS,
    REASONING_EFFORTS,
    Adapter,
    Api,
    BodyField,
    adapter_fields,
    adapter_switches,
    api_fields,
)
from friendli_core.testing import LOCAL_TOKEN, LocalServer, RequestLog, _openapi
from friendli_core.types import ChatCompletionParams, CompletionParams
from langchain_friendli import ChatFriendli, Friendli
from langchain_friendli._connection import FriendliConnection
from llama_index_friendli import FriendliLLM
from llama_index_friendli import base as llama_base
from llama_index_friendli._connection import FriendliConnectionFields
from scripts.gen_fields import TARGETS, annotation, rendered

FAMILIES = ("Serverless", "Dedicated", "Container")
BODY = {
    "chat": "{}ChatCompletionBody",
    "completions": "{}CompletionsBody",
    "embeddings": "{}EmbeddingsBody",
}
# The spec has one embeddings body, the dedicated one (a container serves the same fields).
BODY_FAMILIES = {"chat": FAMILIES, "completions": FAMILIES, "embeddings": ("Dedicated",)}
ADAPTERS: dict[Adapter, Any] = {
    "ChatFriendli": ChatFriendli,
    "Friendli": Friendli,
    "FriendliLLM": FriendliLLM,
}
FRAMEWORK_BASE = {
    "ChatFriendli": BaseChatModel,
    "Friendli": BaseLLM,
    "FriendliLLM": FunctionCallingLLM,
}
# The adapters' own settings: connection fields (named once, for the client lifecycle),
# client and framework options, not body fields.
SETTINGS: dict[Adapter, set[str]] = {
    "ChatFriendli": {
        *FriendliConnection._CONNECTION_FIELDS,
        "extra_body",
        "streaming",
        "stream_usage",
    },
    "FriendliLLM": {
        *FriendliConnectionFields._CONNECTION_FIELDS,
        "additional_kwargs",
        "context_window",
        "num_output",
        "is_chat_model",
        "is_function_calling_model",
    },
}
SETTINGS["Friendli"] = SETTINGS["ChatFriendli"]


@pytest.mark.parametrize("adapter", list(ADAPTERS))
def test_adapters_expose_their_switches(adapter: Adapter) -> None:
    """Each switch of the table is a `bool | None` field of the adapters it names."""
    fields = ADAPTERS[adapter].model_fields
    for name, switch in adapter_switches(adapter):
        assert name in fields, f"{adapter} lacks {name}: run python scripts/gen_fields.py"
        assert annotation(fields[name].annotation) == "bool | None"
        if adapter == "FriendliLLM":  # LangChain's fields carry the doc as attribute docstrings
            assert fields[name].description == switch.doc


def _schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = _openapi._document()["components"]["schemas"]
    return schemas


def _properties(component: str) -> dict[str, Any]:
    """The properties a body component declares (merged over its anyOf/oneOf branches)."""
    schema = _schemas()[component]
    found = dict(schema.get("properties", {}))
    for branch in schema.get("anyOf", []) + schema.get("oneOf", []):
        if ref := branch.get("$ref"):
            found.update(_properties(ref.rsplit("/", 1)[1]))
    return found


def _spec_fields(api: Api) -> dict[str, Any]:
    """The body properties of one API, checked to be the same in every endpoint family."""
    per_family = [_properties(BODY[api].format(family)) for family in BODY_FAMILIES[api]]
    assert all(set(p) == set(per_family[0]) for p in per_family), "families differ"
    return {k: v for k, v in per_family[0].items() if k not in METHOD_FIELDS}


# --------------------------------------------------------------------------- table vs spec


@pytest.mark.parametrize("api", APIS)
def test_every_body_field_of_the_spec_has_one_entry(api: Api) -> None:
    spec = set(_spec_fields(api))
    table = [f.name for f in api_fields(api)]
    assert len(table) == len(set(table)), f"{api}: a field is declared twice"
    assert spec - set(table) == set(), "declare these in friendli_core._fields.BODY_FIELDS"
    assert set(table) - spec == set(), "the spec's body has no such field"


def _spec_kinds(schema: dict[str, Any]) -> set[str]:
    """Kinds of value a property schema allows: number, integer, array<...>, enum:..., ..."""
    if "anyOf" in schema or "oneOf" in schema:
        return set().union(*(_spec_kinds(b) for b in schema.get("anyOf", schema.get("oneOf"))))
    if ref := schema.get("$ref"):
        return _spec_kinds(_schemas()[ref.rsplit("/", 1)[1]])
    kind = schema.get("type")
    if kind is None and "const" in schema:
        return {"string"}
    if kind == "null":
        return set()
    if kind == "array":
        return {f"array<{k}>" for k in _spec_kinds(schema.get("items", {})) or {"any"}}
    if kind == "string" and "enum" in schema:
        return {"enum:" + ",".join(schema["enum"])}
    return {kind or "any"}


def _table_kinds(tp: Any) -> set[str]:
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, UnionType):
        return set().union(*(_table_kinds(a) for a in args))
    if origin is list:
        return {f"array<{k}>" for k in _table_kinds(args[0])}
    if origin is Literal:
        return {"enum:" + ",".join(args)}
    if origin is dict or is_typeddict(tp):
        return {"object"}
    simple = {bool: "boolean", int: "integer", float: "number", str: "string", Any: "any"}
    return {simple[tp]}


def _admits(spec: set[str], kind: str) -> bool:
    """Whether the spec's kinds admit a value of the table's kind (an enum is a string)."""
    loose = {kind, kind.replace("integer", "number"), "any"}
    if kind.startswith("enum:"):
        loose.add("string")
    return bool(spec & loose)


FRIENDLI_FIELDS = [f for f in BODY_FIELDS if "serverless" in f.endpoints]


@pytest.mark.parametrize("entry", FRIENDLI_FIELDS, ids=lambda f: f"{f.name}-{f.apis[0]}")
def test_entry_types_agree_with_the_spec(entry: BodyField) -> None:
    for api in entry.apis:
        spec = _spec_kinds(_spec_fields(api)[entry.name])
        table = _table_kinds(entry.type)
        assert all(_admits(spec, kind) for kind in table), (api, spec, table)
        # and the table refuses no kind the spec allows (free strings it may enumerate)
        assert all(_covered(kind, table) for kind in spec), (api, spec, table)


def _covered(spec_kind: str, table: set[str]) -> bool:
    if spec_kind in table or spec_kind == "any":
        return True
    return spec_kind == "string" and any(k.startswith("enum:") for k in table)


def test_reasoning_effort_values_are_the_spec_enumeration() -> None:
    spec = _spec_fields("chat")["reasoning_effort"]
    assert _spec_kinds(spec) == {"enum:" + ",".join(REASONING_EFFORTS)}


# --------------------------------------------------------------------------- table vs types.py


@pytest.mark.parametrize(
    ("api", "params"),
    [
        ("chat", ChatCompletionParams),
        ("completions", CompletionParams),
        ("embeddings", EmbeddingsParams),
    ],
)
def test_typeddicts_agree_with_the_table(api: Api, params: type) -> None:
    """The public TypedDicts hold every field of the widest kind, with the table's types."""
    hints = get_type_hints(params)
    hints.pop("extra_body")
    table = {f.name: f.type for f in api_fields(api, "openai-compatible")}
    assert hints.keys() == table.keys()
    assert {k: v for k, v in hints.items() if _lists(v) != table[k]} == {}


def _lists(tp: Any) -> Any:
    """`tp` with `Sequence[X]` read as `list[X]` (embeddings take any sequence of texts)."""
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, UnionType):
        return functools.reduce(operator.or_, map(_lists, args))
    return list[args[0]] if origin is collections.abc.Sequence else tp


# --------------------------------------------------------------------------- table vs adapters


def _optional(tp: Any) -> str:
    return annotation(tp | None)


@pytest.mark.parametrize("adapter", list(ADAPTERS))
def test_adapters_expose_every_model_level_field(adapter: Adapter) -> None:
    fields = ADAPTERS[adapter].model_fields
    expected = [
        f for f in api_fields(ADAPTER_API[adapter]) if not f.per_call and adapter not in f.not_in
    ]
    missing = [f.name for f in expected if f.name not in fields]
    assert missing == [], f"{adapter} lacks {missing}: run python scripts/gen_fields.py"
    wrong = {
        f.name: annotation(fields[f.name].annotation)
        for f in expected
        if annotation(fields[f.name].annotation) != _optional(f.type)
    }
    assert wrong == {}, f"{adapter} declares these with another type than the table"


@pytest.mark.parametrize("adapter", list(ADAPTERS))
def test_adapters_declare_no_body_field_the_core_does_not_know(adapter: Adapter) -> None:
    own = set(ADAPTERS[adapter].model_fields) - set(FRAMEWORK_BASE[adapter].model_fields)
    known = {f.name for f in api_fields(ADAPTER_API[adapter])}
    known |= {name for name, _ in adapter_switches(adapter)}
    unknown = own - known - SETTINGS[adapter]
    assert unknown == set(), (
        f"{adapter} declares {sorted(unknown)}: declare body fields in friendli_core._fields "
        "(or, for a setting that is not a body field, list it in SETTINGS above)"
    )
    refused = {
        f.name
        for f in api_fields(ADAPTER_API[adapter])
        if f.name in own and (f.per_call or adapter in f.not_in)
    }
    assert refused == set(), f"the table says {adapter} takes {sorted(refused)} per call only"


def test_excluded_fields_say_why() -> None:
    for f in BODY_FIELDS:
        assert all(reason.strip() for reason in f.not_in.values()), f.name
        assert set(f.not_in) <= set(ADAPTERS), f.name
        assert f.doc.endswith("."), f.name
    assert set(ADAPTER_API) == set(ADAPTERS)


def test_generated_field_modules_are_up_to_date() -> None:
    for name, source in rendered().items():
        assert TARGETS[name].read_text(encoding="utf-8") == source, (
            f"{TARGETS[name].name} is stale: run python scripts/gen_fields.py"
        )


def test_generated_fields_are_the_adapters_body_fields() -> None:
    """What the adapters send from their fields is exactly the generated set (plus model)."""
    for adapter in ("ChatFriendli", "Friendli"):
        sent = set(ADAPTERS[adapter]._BODY_FIELDS)
        assert sent == {f.name for f in adapter_fields(adapter)}, adapter
    assert set(llama_base._BODY_FIELDS) == {f.name for f in adapter_fields("FriendliLLM")}


# --------------------------------------------------------------------------- on the wire

YES_NO = {"type": "regex", "schema": "(yes|no)"}


def test_model_level_response_format_reaches_the_wire_from_every_adapter(
    friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    """A model-level field of the table is sent by all three adapters (and a call overrides it)."""
    settings = {"model": "friendli-local-model", "base_url": friendli_server.serverless_url}
    chat = ChatFriendli(api_key=LOCAL_TOKEN, response_format=YES_NO, **settings)
    assert chat.invoke("Is the sky blue?").content in {"yes", "no"}
    assert Friendli(api_key=LOCAL_TOKEN, response_format=YES_NO, **settings).invoke("Sky?") in {
        "yes",
        "no",
    }
    llm = FriendliLLM(api_key=LOCAL_TOKEN, response_format=YES_NO, **settings)
    assert llm.complete("Is the sky blue?").text in {"yes", "no"}
    llm.is_chat_model = False
    assert llm.complete("Is the sky blue?").text in {"yes", "no"}
    chat.invoke("Say anything.", response_format={"type": "text"})
    bodies = [r.body for r in friendli_requests.snapshot()]
    assert [b["response_format"] for b in bodies] == [YES_NO] * 4 + [{"type": "text"}]
    paths = [r.path.removeprefix("/serverless/v1") for r in friendli_requests.snapshot()]
    chat_path, completions_path = "/chat/completions", "/completions"
    assert paths == [chat_path, completions_path, chat_path, completions_path, chat_path]


@pytest.mark.parametrize("adapter", list(ADAPTERS))
def test_model_level_response_format_is_validated_before_sending(
    adapter: Adapter, friendli_server: LocalServer, friendli_requests: RequestLog
) -> None:
    model = ADAPTERS[adapter](
        model="friendli-local-model",
        api_key=LOCAL_TOKEN,
        base_url=friendli_server.serverless_url,
        response_format={"type": "xml"},
    )
    with pytest.raises(InvalidRequestError, match="response_format type must be"):
        model.complete("Hi") if adapter == "FriendliLLM" else model.invoke("Hi")
    assert friendli_requests.snapshot() == []
