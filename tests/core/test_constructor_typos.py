"""A misspelled or foreign constructor argument is refused with the name to use (issue #26)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from friendli_core import AsyncFriendliClient, ClientConfig, FriendliClient, InvalidRequestError
from friendli_core._validate import check_chat_params

CLASSES: list[Callable[..., object]] = [
    FriendliClient,
    AsyncFriendliClient,
    ClientConfig,
    ClientConfig.from_env,
]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__qualname__)
@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("tokn", "Did you mean 'token'?"),
        ("timout", "Did you mean 'timeout'?"),
        ("max_retry", "Did you mean 'max_retries'?"),
        ("api_key", "its token argument is 'token'"),
        ("openai_api_key", "its token argument is 'token'"),
        ("openai_api_base", "its base URL argument is 'base_url'"),
        ("api_base", "its base URL argument is 'base_url'"),
        ("model_kwargs", "pass request parameters per call"),
    ],
)
def test_an_unknown_argument_names_the_one_to_use(
    cls: Callable[..., object], argument: str, expected: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        cls(**{argument: "flp_secret_value"})
    message = str(caught.value)
    assert f"{cls.__qualname__} takes no argument {argument!r}" in message
    assert expected in message
    assert "flp_secret_value" not in message


def test_every_unknown_argument_is_named_at_once() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        FriendliClient(tokne="x", endpont="container")
    assert "'tokne'. Did you mean 'token'?" in str(caught.value)
    assert "'endpont'. Did you mean 'endpoint'?" in str(caught.value)


def test_a_name_close_to_nothing_asks_to_check_the_spelling() -> None:
    with pytest.raises(InvalidRequestError, match=r"'zzz'\. Check the spelling"):
        ClientConfig(zzz=1)


def test_known_arguments_still_work() -> None:
    config = ClientConfig(token="t", endpoint="container", max_retries=0)
    assert FriendliClient(config=config, http_client=None).config is config
    assert config.with_options(max_retries=1).max_retries == 1


def test_the_call_time_check_suggests_with_the_same_logic() -> None:
    params = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "temprature": 0.5}
    with pytest.raises(InvalidRequestError, match="Did you mean 'temperature'"):
        check_chat_params(params, endpoint="serverless")
