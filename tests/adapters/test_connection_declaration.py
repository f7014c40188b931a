"""A connection setting is declared once: the typed views and the derived pieces follow it.

* The typed views type checkers read (`friendli_core.config.SharedConnectionFields` and each
  framework's view, which adds only the settings some framework renames) name and type exactly
  the fields `connection_model` builds from `CONNECTION_SETTINGS`, and each adapter gives type
  checkers its framework's view.
* `ConnectionOptions` and `ClientConfig` (next to the declaration) agree on each type.
* A setting added to the declaration reaches both frameworks' fields (default, environment,
  secret handling) and the command's flags, with no other edit.
"""

from __future__ import annotations

import ast
import inspect
import typing
from typing import Any

import httpx
import pytest
from pydantic import ConfigDict, SecretStr
from pydantic.fields import FieldInfo

import langchain_friendli._connection as langchain_connection
import llama_index_friendli._connection as llama_index_connection
from friendli_core.batch.__main__ import parser as batch_parser
from friendli_core.config import (
    CONNECTION_SETTINGS,
    TYPED_CONNECTION_FIELDS,
    ClientConfig,
    ConnectionOptions,
    ConnectionSetting,
    SharedConnectionFields,
)
from friendli_core.kit import _ANNOTATIONS, connection_model

ADAPTER_MODULES = {"langchain": langchain_connection, "llama_index": llama_index_connection}


def _declared(framework: str) -> dict[str, ConnectionSetting]:
    return {s.field_name(framework): s for s in CONNECTION_SETTINGS}


def test_the_shared_view_holds_exactly_the_settings_named_alike_everywhere() -> None:
    alike = {s.name for s in CONNECTION_SETTINGS if not s.names}
    assert set(SharedConnectionFields.__annotations__) == alike


def test_each_framework_has_a_view_and_its_adapter_gives_it_to_type_checkers() -> None:
    assert set(TYPED_CONNECTION_FIELDS) == set(ADAPTER_MODULES)
    for framework, module in ADAPTER_MODULES.items():
        given = {
            node.value.id
            for node in ast.walk(ast.parse(inspect.getsource(module)))
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Name)
            and [getattr(t, "id", None) for t in node.targets] == ["_Settings"]
        }
        assert given == {TYPED_CONNECTION_FIELDS[framework].__name__}, framework


@pytest.mark.parametrize("framework", sorted(ADAPTER_MODULES))
def test_each_framework_view_adds_only_the_renamed_settings(framework: str) -> None:
    view = TYPED_CONNECTION_FIELDS[framework]
    assert view.__bases__ == (SharedConnectionFields,)
    renamed = {s.field_name(framework) for s in CONNECTION_SETTINGS if s.names}
    assert set(view.__annotations__) == renamed


@pytest.mark.parametrize("framework", sorted(ADAPTER_MODULES))
def test_the_typed_view_matches_the_built_fields(framework: str) -> None:
    """Same names, same annotation text as declared, same resolved types as the built fields."""
    view = TYPED_CONNECTION_FIELDS[framework]
    built = ADAPTER_MODULES[framework]._Settings.model_fields
    # the names resolved as the declaration's are (the views import them for type checkers only)
    hints = typing.get_type_hints(view, localns=_ANNOTATIONS, include_extras=True)
    declared = _declared(framework)
    assert set(hints) == set(built) == set(declared)
    texts = {**SharedConnectionFields.__annotations__, **view.__annotations__}
    for name, hint in hints.items():
        assert texts[name] == declared[name].annotation, name
        wanted = FieldInfo.from_annotation(hint)
        assert (built[name].annotation, built[name].metadata) == (
            wanted.annotation,
            wanted.metadata,
        ), name


def test_connection_options_and_client_config_agree_on_each_type() -> None:
    """The clients' keywords take a config field's type, or None for "unset" (then read)."""
    namespace = {"httpx": httpx}
    options = typing.get_type_hints(ConnectionOptions, localns=namespace)
    config = typing.get_type_hints(ClientConfig, localns=namespace)
    assert set(options) == set(config) == {s.name for s in CONNECTION_SETTINGS if not s.client_only}
    for name, option in options.items():
        assert option in (config[name], config[name] | None), name


# --------------------------------------------------------------------------- a new setting

NEW = (
    ConnectionSetting(
        "region",
        "str | None",
        None,
        "Region requests are routed to.",
        env="FRIENDLI_TEST_REGION",
    ),
    ConnectionSetting(
        "client_key",
        "SecretStr | None",
        None,
        "Key of a client certificate.",
        secret=True,
        names={"llama_index": "client_certificate_key"},
    ),
)
SETTINGS = (*CONNECTION_SETTINGS, *NEW)


def _fields(framework: str) -> Any:
    return ADAPTER_MODULES[framework]._field


def test_a_new_setting_reaches_langchain_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    model = connection_model("langchain", _fields("langchain"), ConfigDict(), SETTINGS)
    assert model.model_fields["region"].description == "Region requests are routed to."
    assert model().region is None  # type: ignore[attr-defined]
    monkeypatch.setenv("FRIENDLI_TEST_REGION", "eu")
    assert model().region == "eu"  # type: ignore[attr-defined] - read from its variable
    keyed = model(client_key="k-s3cret")
    assert keyed.client_key == SecretStr("k-s3cret")  # type: ignore[attr-defined]
    assert "k-s3cret" not in repr(keyed)
    assert "client_key" not in keyed.model_dump()  # a secret no variable holds: not serialized


def test_a_new_setting_reaches_llama_index_fields_under_its_name() -> None:
    model = connection_model("llama_index", _fields("llama_index"), ConfigDict(), SETTINGS)
    assert model().region is None  # type: ignore[attr-defined]
    keyed = model(region="eu", client_certificate_key="k-s3cret")
    assert keyed.region == "eu"  # type: ignore[attr-defined]
    assert "k-s3cret" not in repr(keyed)
    assert "client_certificate_key" not in repr(keyed)
    assert "client_certificate_key" not in keyed.model_dump()


def test_a_new_setting_becomes_a_friendli_batch_flag() -> None:
    args = batch_parser(SETTINGS).parse_args(["in.jsonl", "out.jsonl", "--region", "eu"])
    assert args.region == "eu"
    assert args.client_key is None
    assert "--region" in batch_parser(SETTINGS).format_help()
    assert "--region" not in batch_parser().format_help()
