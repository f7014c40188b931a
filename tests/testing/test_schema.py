import jsonschema
import pytest

from friendli_core.testing._schema import Hints, synthesize, topic_words


def synth(schema: dict, text: str) -> object:
    value = synthesize(schema, Hints.from_text(text))
    jsonschema.validate(value, schema)
    return value


def test_numbers_and_strings_come_from_the_prompt_in_order() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "integer"},
            "b": {"type": "number"},
            "who": {"type": "string"},
        },
        "required": ["a", "b"],
    }
    assert synth(schema, "Add 3 and 4.5 for 'Alice'") == {"a": 3, "b": 4.5, "who": "Alice"}


def test_names_then_topic_words_then_property_name() -> None:
    schema = {"type": "object", "properties": {"location": {"type": "string"}}}
    assert synth(schema, "What is the weather in Paris today?") == {"location": "Paris"}
    assert synth(schema, "tell me about volcanoes") == {"location": "volcanoes"}
    assert synth(schema, "") == {"location": "location"}


def test_name_call_syntax_restricts_the_source() -> None:
    schema = {"type": "object", "properties": {"input": {"type": "integer"}}}
    hints = Hints.for_call("In 2024, what is magic_function(3)?", "magic_function")
    assert synthesize(schema, hints) == {"input": 3}


def test_bounds_exclusive_bounds_and_multiple_of() -> None:
    schema = {
        "type": "object",
        "properties": {
            "low": {"type": "integer", "minimum": 10},
            "high": {"type": "integer", "maximum": 5},
            "ex": {"type": "integer", "exclusiveMinimum": 0},
            "fx": {"type": "number", "exclusiveMaximum": 1.0, "minimum": 0},
            "step": {"type": "integer", "multipleOf": 5},
        },
    }
    assert synth(schema, "values 1 9 -4 3 7") == {
        "low": 10,
        "high": 5,
        "ex": 1,
        "fx": 0.5,
        "step": 10,
    }


def test_enums_pick_the_mentioned_value_else_the_first() -> None:
    schema = {
        "type": "object",
        "properties": {
            "unit": {"enum": ["celsius", "fahrenheit"]},
            "mode": {"type": "string", "enum": ["a", "b"]},
        },
    }
    assert synth(schema, "in Fahrenheit please") == {"unit": "fahrenheit", "mode": "a"}


def test_refs_defs_anyof_nested_objects_and_arrays() -> None:
    schema = {
        "$defs": {
            "Address": {
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "zip": {"type": "string", "pattern": "^[0-9]{5}$"},
                },
                "required": ["city", "zip"],
            },
        },
        "type": "object",
        "properties": {
            "name": {"anyOf": [{"type": "null"}, {"type": "string"}]},
            "address": {"$ref": "#/$defs/Address"},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "scores": {"type": "array", "items": {"type": "integer"}},
            "flag": {"type": "boolean"},
            "kind": {"const": "person"},
            "when": {"type": "string", "format": "date-time"},
            "id": {"type": "string", "format": "uuid"},
        },
        "required": ["name", "address"],
        "additionalProperties": False,
    }
    value = synth(schema, "Store 'Bob' living in Berlin with scores 7 8 9")
    assert value["name"] == "Bob"
    assert value["address"]["city"] == "Berlin"
    assert value["scores"] == [7, 8, 9]
    assert value["flag"] is False
    assert value["kind"] == "person"
    assert set(value) == set(schema["properties"])


def test_pydantic_style_schema_with_definitions_and_allof() -> None:
    schema = {
        "definitions": {"Inner": {"type": "object", "properties": {"x": {"type": "integer"}}}},
        "allOf": [
            {"type": "object", "properties": {"inner": {"$ref": "#/definitions/Inner"}}},
            {"properties": {"y": {"type": "string"}}, "required": ["y"]},
        ],
    }
    assert synth(schema, "x is 42") == {"inner": {"x": 42}, "y": "x"}


def test_string_lengths_and_booleans() -> None:
    schema = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "minLength": 4, "maxLength": 6},
            "ok": {"type": "boolean"},
        },
    }
    value = synth(schema, "set 'ab' to true")
    assert value == {"code": "abxx", "ok": True}


def test_recursive_schema_terminates() -> None:
    schema = {
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
            }
        },
        "$ref": "#/$defs/Node",
    }
    assert synth(schema, "tree") == {"children": []}


def test_topic_words_skip_stopwords() -> None:
    assert topic_words("What is the weather in Paris?") == ["weather", "Paris"]


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string"},
        {"type": ["integer", "null"]},
        {"type": "array", "items": {"type": "number"}, "maxItems": 2},
        {"oneOf": [{"type": "string", "format": "date"}, {"type": "integer"}]},
        {
            "type": "object",
            "properties": {
                "t": {"type": "string", "format": "time"},
                "e": {"type": "string", "format": "email"},
            },
        },
        {},
    ],
)
def test_assorted_schemas_validate(schema: dict) -> None:
    synth(schema, "numbers 1 2 3 and 'quoted'")
