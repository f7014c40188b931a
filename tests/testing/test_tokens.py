import os
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from friendli_core.testing import _tokens
from friendli_core.testing._tokens import (
    count_tokens,
    detokenize,
    digest,
    message_text,
    pieces,
    render_chat,
    token_id,
    tokenize,
)


def test_pieces_are_word_pieces_that_concatenate_back() -> None:
    assert pieces("Hello, world!") == ["Hello", ",", " world", "!"]
    assert pieces("Understood") == ["Unders", "tood"]
    assert pieces("a  b\n\n") == ["a", "  b", "\n\n"]
    assert pieces("") == []


def test_token_ids_are_reversible_and_fixed() -> None:
    assert token_id("a") == (1 << 48) | ord("a")
    assert tokenize("Hi") == [(2 << 48) | int.from_bytes(b"Hi", "big")]
    assert detokenize(tokenize("Héllo 🌍 wörld")) == "Héllo 🌍 wörld"


def test_detokenize_unknown_ids_gives_placeholders() -> None:
    assert detokenize([128000]) == "<|128000|>"
    assert detokenize([*tokenize("ok"), 7]) == "ok<|7|>"


@given(st.text())
def test_detokenize_inverts_tokenize(text: str) -> None:
    assert detokenize(tokenize(text)) == text
    assert "".join(pieces(text)) == text
    assert count_tokens(text) == len(tokenize(text))
    assert all(0 < t < 2**53 for t in tokenize(text))


def test_ids_and_digest_are_stable_across_processes() -> None:
    # Load the module file directly (it has no package imports) under another hash seed.
    code = (
        "import importlib.util as u, sys;"
        "s = u.spec_from_file_location('t', sys.argv[1]); m = u.module_from_spec(s);"
        "s.loader.exec_module(m);"
        "print(m.tokenize('stable ids please'), m.digest('x', 1))"
    )
    path = str(Path(_tokens.__file__))
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code, path], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == f"{tokenize('stable ids please')} {digest('x', 1)}"


def test_message_text_reads_strings_parts_and_null() -> None:
    assert message_text("hi") == "hi"
    assert message_text(None) == ""
    parts = [
        {"type": "text", "text": "a"},
        {"type": "image_url", "image_url": {"url": "u"}},
        {"type": "text", "text": "b"},
    ]
    assert message_text(parts) == "ab"


def test_render_chat_includes_roles_tools_and_tool_calls() -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ],
        },
    ]
    text = render_chat(
        messages, [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    )
    assert text.startswith("<|tools|>\n")
    assert "<|system|>\nBe brief.\n" in text
    assert "f({})" in text
    assert text.endswith("<|assistant|>\n")
