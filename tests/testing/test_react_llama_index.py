"""ReAct mode against the real llama-index-core ReAct prompt and output parser.

llama-index is imported inside the test (it is slow to import), and the test is skipped when
llama-index-core is not installed.
"""

import importlib.util

import pytest

from friendli_core.testing._model import chat_plans, react_tools

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("llama_index") is None, reason="llama-index-core is not installed"
)


def multiply(a: int, b: int) -> int:
    """Multiply two integers and return the product."""
    return a * b


def reply(messages: list[dict]) -> str:
    (plan,) = chat_plans({"messages": messages, "seed": 0}, "0" * 64)
    return "".join(plan.content)


def test_react_prompt_is_detected_and_parsed_by_llama_index() -> None:
    from llama_index.core.agent.react.formatter import ReActChatFormatter
    from llama_index.core.agent.react.output_parser import ReActOutputParser
    from llama_index.core.agent.react.types import (
        ActionReasoningStep,
        ObservationReasoningStep,
        ResponseReasoningStep,
    )
    from llama_index.core.llms import ChatMessage
    from llama_index.core.tools import FunctionTool

    def as_dicts(chat_messages: list[ChatMessage]) -> list[dict]:
        return [{"role": m.role.value, "content": m.content} for m in chat_messages]

    formatter = ReActChatFormatter.from_defaults()
    tool = FunctionTool.from_defaults(fn=multiply)
    history = [ChatMessage(role="user", content="Use multiply to compute 6 times 7.")]
    messages = as_dicts(formatter.format([tool], history))
    tools = react_tools(messages)
    assert tools is not None
    assert tools["multiply"]["required"] == ["a", "b"]

    step = ReActOutputParser().parse(reply(messages))
    assert isinstance(step, ActionReasoningStep)
    assert step.action == "multiply"
    assert step.action_input == {"a": 6, "b": 7}

    reasoning = [step, ObservationReasoningStep(observation="42")]
    final = ReActOutputParser().parse(
        reply(as_dicts(formatter.format([tool], history, current_reasoning=reasoning)))
    )
    assert isinstance(final, ResponseReasoningStep)
    assert final.response == "42"
