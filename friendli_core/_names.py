"""What to say about a name a class or a request does not take (pure).

One place decides the hint for an unknown argument, at call time (`_validate`, `_embeddings`)
and at construction (`FriendliClient`, `ClientConfig`, the LangChain and LlamaIndex classes):
the closest name this class takes (`difflib`), or, for a name other clients use (the OpenAI SDK,
langchain-openai, llama-index-llms-openai), the name this class takes instead.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from friendli_core.errors import InvalidRequestError

__all__ = [
    "BODY_FIELDS_HINT",
    "Takes",
    "closest",
    "did_you_mean",
    "model_arguments",
    "refuse_unknown",
    "unknown_argument",
    "unknown_fields",
]

# a name other clients take -> the role it plays (a key of `Takes.roles`)
_PEER_ROLES: Mapping[str, str] = {
    "api_key": "token",
    "token": "token",
    "openai_api_key": "token",
    "friendli_token": "token",
    "openai_api_base": "base_url",
    "api_base": "base_url",
    "model_kwargs": "body",
}


BODY_FIELDS_HINT = "pass request fields by name (temperature=...), others in extra_body={...}"
"""What LangChain's classes take instead of `model_kwargs`."""


@dataclass(frozen=True, slots=True)
class Takes:
    """How one class spells the settings that other clients name differently.

    Attributes:
        owner: The class, as the message names it (`ChatFriendli`).
        token: Its token argument (`api_key`, `token`).
        base_url: Its base URL argument.
        body: How it takes further request fields (for `model_kwargs`).
    """

    owner: str
    token: str
    base_url: str = "base_url"
    body: str = BODY_FIELDS_HINT

    @property
    def roles(self) -> Mapping[str, str]:
        """What to point each role of `_PEER_ROLES` to."""
        return {
            "token": f"its token argument is {self.token!r}",
            "base_url": f"its base URL argument is {self.base_url!r} (the API prefix)",
            "body": self.body,
        }


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name `name` is most likely a misspelling of, if any is close enough."""
    matches = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """` Did you mean 'x'?` for the closest known name, else an empty string."""
    match = closest(name, known)
    return f" Did you mean {match!r}?" if match else ""


def unknown_argument(name: str, known: Iterable[str], takes: Takes) -> str:
    """The message for a constructor argument `name` that `takes.owner` does not take."""
    role = _PEER_ROLES.get(name)
    if role is not None:
        return f"{takes.owner} takes no argument {name!r}: {takes.roles[role]}."
    hint = did_you_mean(name, known) or " Check the spelling."
    return f"{takes.owner} takes no argument {name!r}.{hint}"


CORE_BODY = "pass request parameters per call, e.g. client.chat(..., temperature=0.5)"


def refuse_unknown(owner: str, given: Iterable[str], known: Iterable[str]) -> None:
    """Raise `InvalidRequestError` for the names of `given` not in `known` (core classes).

    Raises:
        InvalidRequestError: Naming each such argument and what to pass instead.
    """
    takes = Takes(owner, token="token", body=CORE_BODY)  # noqa: S106 - a parameter name
    message = _unknown(given, frozenset(known), takes)
    if message:
        raise InvalidRequestError(message)


def _unknown(given: Iterable[object], known: frozenset[str], takes: Takes) -> str:
    return " ".join(
        unknown_argument(name, known, takes)
        for name in given
        if isinstance(name, str) and name not in known
    )


@functools.cache
def model_arguments(model: type, also: tuple[str, ...] = ()) -> frozenset[str]:
    """The keyword arguments a pydantic model class takes: its fields, their aliases, `also`."""
    names = set(also)
    for name, info in model.model_fields.items():  # type: ignore[attr-defined]
        names.add(name)
        for alias in (info.alias, info.validation_alias):
            if isinstance(alias, str):
                names.add(alias)
    return frozenset(names)


def unknown_fields(model: type, data: object, *, body: str, also: tuple[str, ...] = ()) -> str:
    """What to say about the keys of `data` that an adapter's class does not take ("" if none).

    Args:
        model: The pydantic model class being built (its fields and aliases are taken).
        data: The constructor's arguments.
        body: How the class takes further request fields (said to `model_kwargs=`).
        also: Arguments taken besides the fields and their aliases.
    """
    if not isinstance(data, Mapping):
        return ""
    takes = Takes(model.__name__, token="api_key", body=body)  # noqa: S106 - a name
    return _unknown(data, model_arguments(model, also), takes)
