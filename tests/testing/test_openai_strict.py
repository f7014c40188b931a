"""The local server's strict OpenAI-compatible mode (`openai_strict`, `--openai-strict`).

On the container paths it refuses, with 400, any body field OpenAI's API lacks; the serverless
and dedicated paths, and a server without the option, are unchanged.
"""

from __future__ import annotations

import httpx
import pytest

from friendli_core.testing import LOCAL_TOKEN, LocalServer
from friendli_core.testing.__main__ import _parser
from friendli_core.testing._checks import check_openai_fields
from tests import atoma

MESSAGES = [{"role": "user", "content": "Hi"}]


@pytest.mark.parametrize(
    ("api", "body"),
    [
        ("completions", {**atoma.REQUEST, "stream": True, "echo": True, "best_of": 2}),
        ("chat", {"messages": MESSAGES, "user": "u", "store": True, "metadata": {"a": "b"}}),
        ("embeddings", {"input": "x", "dimensions": 8, "user": "u"}),
        ("completions", {"prompt": "x", "n": 3}),  # best_of unset: no constraint
    ],
)
def test_openais_fields_pass(api: str, body: dict[str, object]) -> None:
    assert check_openai_fields(api, body) is None


@pytest.mark.parametrize(
    ("api", "body", "named"),
    [
        ("completions", {"prompt": "x", "top_k": 3, "min_p": 0.1}, "min_p, top_k"),
        ("chat", {"messages": MESSAGES, "repetition_penalty": 1.1}, "repetition_penalty"),
        ("chat", {"messages": MESSAGES, "parse_reasoning": True}, "parse_reasoning"),
        ("embeddings", {"tokens": [1, 2]}, "tokens"),
    ],
)
def test_friendlis_own_fields_are_refused(api: str, body: dict[str, object], named: str) -> None:
    assert check_openai_fields(api, body) == f"Unrecognized request argument supplied: {named}"


def test_best_of_below_n_is_refused() -> None:
    problem = check_openai_fields("completions", {"prompt": "x", "n": 3, "best_of": 2})
    assert problem == "best_of must be greater than or equal to n"


def test_only_the_container_paths_are_strict(
    strict_openai_server: LocalServer, friendli_server: LocalServer
) -> None:
    body = {"prompt": "Hello", "top_k": 3}
    auth = {"Authorization": f"Bearer {LOCAL_TOKEN}"}
    refused = httpx.post(f"{strict_openai_server.container_url}/completions", json=body)
    assert refused.status_code == 400
    assert "Unrecognized request argument supplied: top_k" in refused.text
    assert strict_openai_server.requests.last.body == body  # recorded as sent
    for url in (strict_openai_server.serverless_url, friendli_server.container_url):
        model = {"model": "friendli-local-model"}
        assert httpx.post(f"{url}/completions", json={**model, **body}, headers=auth).is_success


def test_the_cli_flag_sets_the_option() -> None:
    assert _parser().parse_args(["--openai-strict"]).openai_strict is True
    assert _parser().parse_args([]).openai_strict is False
