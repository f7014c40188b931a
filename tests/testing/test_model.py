import json

import jsonschema
import pytest

from friendli_core.testing._model import (
    Plan,
    chat_plans,
    completion_plans,
    match_tools,
    react_tools,
)

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string"},
                "unit": {"enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location"],
        },
    },
}
ADD = {
    "type": "function",
    "function": {
        "name": "add",
        "parameters": {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
            "required": ["a", "b"],
        },
    },
}


def user(text: str) -> dict:
    return {"role": "user", "content": text}


def text_of(plan: Plan) -> str:
    return "".join(plan.content)


def one(body: dict, **kwargs: object) -> Plan:
    (plan,) = chat_plans(body, "k" * 64, **kwargs)  # type: ignore[arg-type]
    return plan


def test_plain_reply_echoes_the_last_user_message_and_depends_on_seed() -> None:
    plan = one(
        {
            "messages": [
                user("first"),
                {"role": "assistant", "content": "x"},
                user("Tell me a joke"),
            ],
            "seed": 1,
        }
    )
    assert text_of(plan) == "Sure. You said: Tell me a joke"
    assert plan.finish_reason == "stop"
    assert (
        text_of(one({"messages": [user("Tell me a joke")], "seed": 2}))
        == "Understood. You said: Tell me a joke"
    )


def test_same_seed_same_output_and_n_choices_differ() -> None:
    body = {"messages": [user("hi")], "n": 3, "seed": 7}
    first = [text_of(p) for p in chat_plans(body, "a" * 64)]
    again = [text_of(p) for p in chat_plans(body, "b" * 64)]
    assert first == again
    assert len(set(first)) == 3
    assert [
        p.seed for p in chat_plans({"messages": [user("hi")], "n": 2, "seed": [5, 9]}, "k")
    ] == [5, 9]


def test_default_seed_comes_from_the_request_key() -> None:
    body = {"messages": [user("hi")]}
    assert one(body).seed == one(body).seed
    assert chat_plans(body, "x")[0].seed != chat_plans(body, "y")[0].seed


def test_stop_max_tokens_and_min_tokens() -> None:
    assert (
        text_of(one({"messages": [user("alpha beta")], "seed": 0, "stop": ["said"]}))
        == "Hello! You "
    )
    plan = one({"messages": [user("alpha beta gamma")], "seed": 0, "max_tokens": 3})
    assert text_of(plan) == "Hello! You"
    assert plan.finish_reason == "length"
    padded = one({"messages": [user("hi")], "seed": 0, "min_tokens": 40})
    assert len(list(padded.content)) == 40


def test_long_mode_is_lazy_and_exact() -> None:
    plan = one({"messages": [user("write a lot")]}, long_tokens=100_000)
    assert sum(1 for _ in plan.content) == 100_000
    limited = one({"messages": [user("write a lot")], "max_tokens": 10}, long_tokens=100_000)
    assert len(list(limited.content)) == 10
    assert limited.finish_reason == "length"


def test_auto_calls_the_tool_the_user_names() -> None:
    plan = one(
        {"messages": [user("What's the weather in Paris in fahrenheit?")], "tools": [WEATHER, ADD]}
    )
    assert [c.name for c in plan.tool_calls] == ["get_weather"]
    assert json.loads(plan.tool_calls[0].arguments) == {"location": "Paris", "unit": "fahrenheit"}
    assert plan.finish_reason == "tool_calls"
    assert text_of(plan) == ""
    assert plan.tool_calls[0].id.startswith("call_")


def test_auto_without_mention_replies_with_text() -> None:
    plan = one({"messages": [user("hello there")], "tools": [WEATHER]})
    assert plan.tool_calls == ()
    assert "You said: hello there" in text_of(plan)


def test_required_named_none_and_parallel() -> None:
    base = {
        "messages": [user("Use add with 2 and 3, and get_weather for 'Oslo'")],
        "tools": [WEATHER, ADD],
    }
    calls = one({**base, "tool_choice": "auto"}).tool_calls
    assert [c.name for c in calls] == ["add", "get_weather"]
    assert json.loads(calls[0].arguments) == {"a": 2, "b": 3}
    assert json.loads(calls[1].arguments)["location"] == "Oslo"
    assert len({c.id for c in calls}) == 2
    assert [c.name for c in one({**base, "parallel_tool_calls": False}).tool_calls] == ["add"]
    assert one({**base, "tool_choice": "none"}).tool_calls == ()
    named = one({**base, "tool_choice": {"type": "function", "function": {"name": "get_weather"}}})
    assert [c.name for c in named.tool_calls] == ["get_weather"]
    fallback = one(
        {"messages": [user("nothing relevant")], "tools": [WEATHER, ADD], "tool_choice": "required"}
    )
    assert [c.name for c in fallback.tool_calls] == ["get_weather"]


def test_after_a_tool_result_the_answer_uses_it() -> None:
    messages = [
        user("What is add(2, 3)?"),
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "add", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "5"},
    ]
    plan = one({"messages": messages, "tools": [ADD]})
    assert plan.tool_calls == ()
    assert text_of(plan) == "The tool returned: 5"


def test_match_tools_exact_and_partial() -> None:
    assert match_tools("call get_weather then add", ["add", "get_weather"]) == [
        "get_weather",
        "add",
    ]
    assert match_tools("how is the weather", ["get_weather", "get_time"]) == ["get_weather"]
    assert match_tools("convert the currency", ["convertCurrency"]) == ["convertCurrency"]
    assert match_tools("nothing", ["get_weather"]) == []


def test_response_format_json_schema_object_and_regex() -> None:
    schema = {
        "type": "object",
        "properties": {
            "setup": {"type": "string"},
            "punchline": {"type": "string"},
            "rating": {"type": "integer"},
        },
        "required": ["setup", "punchline"],
    }
    plan = one(
        {
            "messages": [user("Tell me a joke about cats, rating 7")],
            "response_format": {"type": "json_schema", "json_schema": {"schema": schema}},
        }
    )
    value = json.loads(text_of(plan))
    jsonschema.validate(value, schema)
    assert set(value) == {"setup", "punchline", "rating"}
    assert value["rating"] == 7
    keyed = json.loads(
        text_of(
            one(
                {
                    "messages": [user('Return JSON with keys "name" and "age"')],
                    "response_format": {"type": "json_object"},
                }
            )
        )
    )
    assert set(keyed) == {"name", "age"}
    fallback = json.loads(
        text_of(
            one({"messages": [user("hi")], "response_format": {"type": "json_object"}, "seed": 0})
        )
    )
    assert fallback == {"result": "Hello! You said: hi"}
    regex = text_of(
        one(
            {
                "messages": [user("yes or no?")],
                "response_format": {"type": "regex", "schema": "(yes|no)!"},
            }
        )
    )
    assert regex in ("yes!", "no!")
    assert (
        text_of(one({"messages": [user("hi")], "response_format": {"type": "text"}, "seed": 0}))
        == "Hello! You said: hi"
    )


def test_reasoning_parsed_unparsed_and_disabled() -> None:
    body = {"messages": [user("Why is the sky blue?")], "seed": 0}
    parsed = one({**body, "parse_reasoning": True}, reasoning=True)
    assert parsed.reasoning is not None
    assert "sky" in parsed.reasoning
    assert text_of(parsed) == "Hello! You said: Why is the sky blue?"
    inline = one(body, reasoning=True)
    assert inline.reasoning is None
    inline_text = text_of(inline)
    assert inline_text.startswith("<think>\n")
    assert "</think>\n\nHello!" in inline_text
    hidden = one({**body, "parse_reasoning": True, "include_reasoning": False}, reasoning=True)
    assert hidden.reasoning is None
    assert not text_of(hidden).startswith("<think>")
    budget = one({**body, "parse_reasoning": True, "reasoning_budget": 3}, reasoning=True)
    assert budget.reasoning == "The user is"
    plain = one(body)
    assert plain.reasoning is None
    assert not text_of(plain).startswith("<think>")


@pytest.mark.parametrize("model_reasons", [False, True])
def test_the_requests_thinking_switch_decides_over_the_model(model_reasons: bool) -> None:
    body = {"messages": [user("Why is the sky blue?")], "seed": 0, "parse_reasoning": True}
    on = one({**body, "chat_template_kwargs": {"enable_thinking": True}}, reasoning=model_reasons)
    assert on.reasoning == one(body, reasoning=True).reasoning
    assert on.reasoning
    off = {**body, "chat_template_kwargs": {"x": 1, "enable_thinking": False}}
    assert one(off, reasoning=model_reasons).reasoning is None
    unset = one({**body, "chat_template_kwargs": {"x": 1}}, reasoning=model_reasons)
    assert (unset.reasoning is not None) is model_reasons


REACT_SYSTEM = """You are designed to help.

## Tools
You have access to the following tools:
> Tool Name: multiply
Tool Description: multiply(a: int, b: int) -> int
Multiply two integers.
Tool Args: {"properties": {"a": {"title": "A", "type": "integer"}, "b": {"title": "B", "type": "integer"}}, "required": ["a", "b"], "type": "object"}

## Output Format
```
Thought: ...
Action: tool name (one of multiply) if using a tool.
Action Input: the input to the tool, in a JSON format
```
If this format is used, the tool will respond in the following format:
```
Observation: tool response
```
"""


def test_react_mode_action_then_answer() -> None:
    assert react_tools([{"role": "system", "content": REACT_SYSTEM}]) == {
        "multiply": {
            "properties": {
                "a": {"title": "A", "type": "integer"},
                "b": {"title": "B", "type": "integer"},
            },
            "required": ["a", "b"],
            "type": "object",
        }
    }
    first = text_of(
        one(
            {
                "messages": [
                    {"role": "system", "content": REACT_SYSTEM},
                    user("Please multiply 6 by 7"),
                ]
            }
        )
    )
    assert (
        first
        == 'Thought: I need to use a tool to help me answer the question.\nAction: multiply\nAction Input: {"a": 6, "b": 7}'
    )
    second = one(
        {
            "messages": [
                {"role": "system", "content": REACT_SYSTEM},
                user("Please multiply 6 by 7"),
                {"role": "assistant", "content": first},
                user("Observation: 42"),
            ]
        }
    )
    answer = text_of(second)
    assert answer.endswith("\nAnswer: 42")
    assert answer.startswith("Thought: I can answer without using any more tools.")
    direct = text_of(
        one({"messages": [{"role": "system", "content": REACT_SYSTEM}, user("hello")], "seed": 0})
    )
    assert direct.endswith("Answer: Hello! You said: hello")


def test_react_detection_needs_the_format_instructions() -> None:
    assert react_tools([{"role": "system", "content": "Tool Name: x"}]) is None
    assert react_tools([{"role": "user", "content": REACT_SYSTEM}]) is None


def test_completion_plans_per_prompt_and_choice() -> None:
    plans = completion_plans({"n": 2, "seed": 0}, ["Once upon a time.", "Roses are red."], "k")
    assert [p.index for p in plans] == [0, 1, 2, 3]
    assert [p.seed for p in plans] == [0, 1, 0, 1]
    assert "".join(plans[0].content) == " Indeed, the text continues from: Once upon a time."
    long = completion_plans({"max_tokens": 50}, ["x"], "k", long_tokens=1000)[0]
    assert len(list(long.content)) == 50
    assert long.finish_reason == "length"
    structured = completion_plans(
        {
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "schema": {"type": "object", "properties": {"n": {"type": "integer"}}}
                },
            }
        },
        ["n is 4"],
        "k",
    )[0]
    assert json.loads("".join(structured.content)) == {"n": 4}
