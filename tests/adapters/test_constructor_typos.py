"""The five framework classes refuse a misspelled or foreign argument with a suggestion, as a
pydantic `ValidationError` (issue #26: `FriendliLLM(temprature=0.5, max_token=10)` used to be
accepted, both values dropped)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from langchain_friendli import ChatFriendli, Friendli, FriendliEmbeddings
from llama_index_friendli import FriendliEmbedding, FriendliLLM

BASE: dict[type, dict[str, Any]] = {
    ChatFriendli: {"model": "m"},
    Friendli: {"model": "m"},
    FriendliLLM: {"model": "m"},
    FriendliEmbeddings: {"model": "endpoint-id"},
    FriendliEmbedding: {"model_name": "endpoint-id"},
}
MODEL_KWARGS = {
    ChatFriendli: "extra_body",
    Friendli: "extra_body",
    FriendliEmbeddings: "extra_body",
    FriendliLLM: "additional_kwargs",
    FriendliEmbedding: "additional_kwargs",
}
CLASSES = list(BASE)


def refusal(cls: type, **kwargs: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        cls(**BASE[cls], **kwargs)
    return str(caught.value)


def test_friendli_llm_typos_are_refused_not_dropped() -> None:
    message = refusal(FriendliLLM, temprature=0.5, max_token=10)
    assert "'temprature'. Did you mean 'temperature'?" in message
    assert "'max_token'. Did you mean 'max_tokens'?" in message


@pytest.mark.parametrize("cls", [ChatFriendli, Friendli, FriendliLLM], ids=lambda c: c.__name__)
def test_a_sampling_typo_suggests_the_field(cls: type) -> None:
    assert f"{cls.__name__} takes no argument 'temprature'. Did you mean 'temperature'?" in (
        refusal(cls, temprature=0.5)
    )


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("argument", ["openai_api_key", "token"])
def test_a_foreign_token_name_points_to_api_key(cls: type, argument: str) -> None:
    message = refusal(cls, **{argument: "flp_secret_value"})
    assert f"takes no argument {argument!r}: its token argument is 'api_key'" in message
    assert "flp_secret_value" not in message


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("argument", ["openai_api_base", "api_base"])
def test_a_foreign_base_url_name_points_to_base_url(cls: type, argument: str) -> None:
    message = refusal(cls, **{argument: "http://127.0.0.1:1/v1"})
    assert f"takes no argument {argument!r}: its base URL argument is 'base_url'" in message


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_model_kwargs_points_to_where_fields_go(cls: type) -> None:
    message = refusal(cls, model_kwargs={"temperature": 0})
    assert f"{MODEL_KWARGS[cls]}={{...}}" in message


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_a_connection_typo_suggests_the_field(cls: type) -> None:
    assert "'max_retry'. Did you mean 'max_retries'?" in refusal(cls, max_retry=1)


def test_aliases_and_serialised_forms_are_still_taken() -> None:
    assert ChatFriendli(model_name="m", api_key="k", team_id="t").model == "m"
    assert FriendliEmbedding(model="endpoint-id").model_name == "endpoint-id"
    llm = FriendliLLM(model="m", temperature=0.5, additional_kwargs={"seed": 1})
    assert FriendliLLM.from_dict(llm.to_dict()).temperature == 0.5


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_a_base_url_ending_in_an_api_path_is_refused_at_construction(cls: type) -> None:
    message = refusal(cls, base_url="http://127.0.0.1:8000/v1/chat/completions")
    assert "ends in the API path '/chat/completions'" in message
    assert "base_url='http://127.0.0.1:8000/v1'" in message


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_a_refusal_holds_no_argument_s_value(cls: type) -> None:
    with pytest.raises(ValidationError) as caught:
        cls(**BASE[cls], api_key="flp_secret_value", max_retry=1)
    error = caught.value
    assert "'max_retry'. Did you mean 'max_retries'?" in str(error)
    for shown in (str(error), repr(error.errors()), error.json()):
        assert "flp_secret_value" not in shown
    assert error.errors()[0]["input"] == ["max_retry"]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_model_validate_refuses_a_typo_too(cls: type) -> None:
    with pytest.raises(ValidationError, match=r"'max_retry'\. Did you mean 'max_retries'\?"):
        cls.model_validate({**BASE[cls], "max_retry": 1})  # type: ignore[attr-defined]
