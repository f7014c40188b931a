"""Checks of request parameters before anything is sent (pure).

Every check raises `InvalidRequestError` with a message naming the field(s) and saying what to
change. The per-field rules (types, ranges) come from `_fields.BODY_FIELDS`; the rules that
involve several fields or the inside of messages, tools and formats are written here.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Callable, Mapping
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin, is_typeddict

from friendli_core._fields import APIS, ENDPOINTS, Api, BodyField, api_fields
from friendli_core._names import closest
from friendli_core.config import CLOUD_ENDPOINTS, Endpoint
from friendli_core.errors import InvalidRequestError

__all__ = [
    "FIELD_TABLES",
    "check_body_fields",
    "check_chat_params",
    "check_completion_params",
    "check_messages",
]

Check = Callable[[object], bool]


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: object) -> bool:
    return (isinstance(v, int | float) and not isinstance(v, bool)) and math.isfinite(v)


def _is_bool(v: object) -> bool:
    return isinstance(v, bool)


def _is_dict(v: object) -> bool:
    return isinstance(v, dict) and all(isinstance(k, str) for k in v)


def _rng(f: BodyField) -> Check:
    lo, lo_open = (f.gt, True) if f.gt is not None else (f.ge, False)
    hi = f.le

    def ok(v: object) -> bool:
        x = float(v)  # type: ignore[arg-type]  # only called on numbers
        if lo is not None and (x <= lo if lo_open else x < lo):
            return False
        return hi is None or x <= hi

    return ok


def _type_check(tp: Any, *, shallow: bool, nonempty: bool = False) -> Check:
    """A predicate for values of the type `tp` (containers: only their kind when shallow)."""
    origin, args = get_origin(tp), get_args(tp)
    if tp is Any:
        return lambda _: True
    if tp in _SCALARS:
        return _SCALARS[tp]
    if origin is Literal:
        values = frozenset(args)
        return lambda v: isinstance(v, str) and v in values
    if origin in (Union, UnionType):
        parts = [_type_check(a, shallow=shallow, nonempty=nonempty) for a in args]
        return lambda v: any(part(v) for part in parts)
    if origin is list:
        item = _type_check(args[0], shallow=shallow)
        if shallow:
            return lambda v: isinstance(v, list) and (bool(v) or not nonempty)
        return lambda v: isinstance(v, list) and (bool(v) or not nonempty) and all(map(item, v))
    if origin is dict or is_typeddict(tp):
        return _dict_check(tp, shallow=shallow)
    msg = f"no check for the type {tp!r}"
    raise TypeError(msg)


def _dict_check(tp: Any, *, shallow: bool) -> Check:
    if shallow:
        return lambda v: isinstance(v, dict)
    if not is_typeddict(tp):
        value = _type_check(get_args(tp)[1], shallow=False)
        return lambda v: _is_dict(v) and all(map(value, v.values()))  # type: ignore[attr-defined]
    keys = {k: _type_check(t, shallow=False) for k, t in tp.__annotations__.items()}
    required = frozenset(tp.__required_keys__)
    return lambda v: (
        isinstance(v, dict)
        and required <= v.keys() <= keys.keys()
        and all(keys[k](x) for k, x in v.items())
    )


def _describe(tp: Any, *, plural: bool = False) -> str:
    """What a value of the type `tp` is, in words ("a list of integers")."""
    origin, args = get_origin(tp), get_args(tp)
    if tp in _NOUNS:
        return _NOUNS[tp][plural]
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if origin in (Union, UnionType):
        return " or ".join(_describe(a, plural=plural) for a in args)
    if origin is list:
        return ("lists" if plural else "a list") + " of " + _describe(args[0], plural=True)
    if is_typeddict(tp):
        keys = ", ".join(f'"{k}": ...' for k in tp.__annotations__)
        return ("dicts like" if plural else "a dict like") + f" {{{keys}}}"
    if origin is dict and args[1] is not Any:
        return ("dicts" if plural else "a dict") + f" of {_describe(args[1], plural=True)}"
    return "dicts" if plural else "a dict"


def _allowed(f: BodyField) -> str:
    """The allowed values of a field, in words, for error messages."""
    lo = f.gt if f.gt is not None else f.ge
    noun = _describe(f.type)
    if lo is None and f.le is None:
        return noun.replace("a list", "a non-empty list") if f.nonempty else noun
    if f.gt is not None and f.le is not None:
        return f"{noun} in ({f.gt}, {f.le}]"
    if f.le is not None:
        return f"{noun} between {lo} and {f.le}"
    if f.gt == 0:
        return f"a positive {noun.removeprefix('a ').removeprefix('an ')}"
    return f"{noun} {'>' if f.gt is not None else '>='} {lo}"


def _field_check(f: BodyField) -> tuple[Check, str]:
    check = _type_check(f.type, shallow=f.shallow, nonempty=f.nonempty)
    if f.ge is None and f.gt is None and f.le is None:
        return check, _allowed(f)
    in_range = _rng(f)
    return (lambda v: check(v) and in_range(v)), _allowed(f)


_SCALARS: dict[Any, Check] = {
    bool: _is_bool,
    int: _is_int,
    float: _is_num,
    str: lambda v: isinstance(v, str),
    type(None): lambda v: v is None,
}
_NOUNS: dict[Any, tuple[str, str]] = {
    bool: ("a boolean", "booleans"),
    int: ("an integer", "integers"),
    float: ("a number", "numbers"),
    str: ("a string", "strings"),
    Any: ("any value", "any values"),
    type(None): ("null", "nulls"),
}

FieldTable = dict[str, tuple[Check, str]]
# (api, endpoint kind) -> field -> (check, description of what is allowed), from `BODY_FIELDS`
FIELD_TABLES: dict[tuple[Api, Endpoint], FieldTable] = {
    (api, endpoint): {f.name: _field_check(f) for f in api_fields(api, endpoint)}
    for api in APIS
    for endpoint in ENDPOINTS
}
CHAT_FIELDS = FIELD_TABLES["chat", "serverless"]  # Friendli's (the adapters' field docs)
COMPLETION_FIELDS = FIELD_TABLES["completions", "serverless"]
_TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
MAX_TOOLS = 128
_ROLES = ("system", "user", "assistant", "tool")
_PART_TYPES = ("text", "image_url", "audio_url", "video_url")


def _unknown_field(key: str, api: Api, endpoint: Endpoint) -> str:
    """Why `key` is refused: a typo (with the likely name), or a field of another endpoint kind."""
    if key in FIELD_TABLES[api, "openai-compatible"]:
        return (
            f"{api} parameter {key!r} is OpenAI's, which the Friendli {endpoint} endpoint does not "
            "take. For a server that speaks OpenAI's API (vLLM, llama.cpp, a hosted API) use "
            f"endpoint='openai-compatible'; to send it anyway, pass extra_body={{{key!r}: ...}}."
        )
    match = closest(key, FIELD_TABLES[api, "openai-compatible"])
    if match is None:
        hint = " Check the spelling."
    elif match in FIELD_TABLES[api, endpoint]:
        hint = f" Did you mean {match!r}?"
    else:
        hint = f" Did you mean {match!r} (OpenAI's, for endpoint='openai-compatible')?"
    return (
        f"Unknown {api} parameter {key!r}.{hint} To send a field this client does not know "
        f"yet, pass it in extra_body={{{key!r}: ...}}."
    )


def check_body_fields(params: Mapping[str, Any], api: Api, endpoint: Endpoint) -> None:
    """Check each field's name and value against what the endpoint kind takes for `api`.

    `extra_body` is only checked to be a dict that leaves `stream` alone; `stream` is refused
    (the method decides it).

    Raises:
        InvalidRequestError: An unknown field (naming the likely one), or a value of the wrong
            type or out of range.
    """
    table = FIELD_TABLES[api, endpoint]
    for key, value in params.items():
        if key == "extra_body":
            _check_extra_body(value)
            continue
        if key == "stream":
            msg = "Do not pass stream: call the streaming method (stream_chat/stream_completions)."
            raise InvalidRequestError(msg)
        if key not in table:
            raise InvalidRequestError(_unknown_field(key, api, endpoint))
        check, allowed = table[key]
        if value is not None and not check(value):
            msg = f"Invalid {api} parameter {key}={_short_repr(value)}: expected {allowed}."
            raise InvalidRequestError(msg)


def _check_extra_body(extra: object) -> None:
    """`extra_body` is sent unchecked, but it must be a dict and must not flip streaming."""
    if extra is None:
        return
    if not isinstance(extra, Mapping):
        msg = f"extra_body must be a dict of fields to add to the body; got {type(extra).__name__}."
        raise InvalidRequestError(msg)
    if "stream" in extra:
        msg = (
            "extra_body cannot set stream: the method decides it (chat/completions return one "
            "response, stream_chat/stream_completions a stream)."
        )
        raise InvalidRequestError(msg)


def _short_repr(value: object) -> str:
    """A bounded repr for error messages (safe for huge or deeply nested values)."""
    return reprlib.repr(value)


def _check_shared_constraints(params: Mapping[str, Any]) -> None:
    if params.get("response_format") is not None:
        _check_response_format(params["response_format"])
        if params.get("min_tokens"):
            msg = "min_tokens is not supported together with response_format; remove one of them."
            raise InvalidRequestError(msg)


def _check_response_format(fmt: Mapping[str, Any]) -> None:
    kind = fmt.get("type")
    if kind in ("text", "json_object"):
        return
    if kind == "json_schema":
        inner = fmt.get("json_schema")
        if not isinstance(inner, dict) or not isinstance(inner.get("schema"), dict):
            msg = (
                'response_format of type "json_schema" needs {"json_schema": {"schema": {...}}} '
                "with the JSON schema as a dict."
            )
            raise InvalidRequestError(msg)
        return
    if kind == "regex":
        if not isinstance(fmt.get("schema"), str) or not fmt["schema"]:
            msg = 'response_format of type "regex" needs {"schema": "<pattern>"} as a string.'
            raise InvalidRequestError(msg)
        return
    msg = (
        f"response_format type must be 'text', 'json_object', 'json_schema' or 'regex'; "
        f"got {kind!r}."
    )
    raise InvalidRequestError(msg)


def _check_tools(params: Mapping[str, Any]) -> None:
    tools = params.get("tools")
    if not tools:
        if isinstance(params.get("tool_choice"), dict) or params.get("tool_choice") == "required":
            msg = f"tool_choice={params['tool_choice']!r} needs tools; pass tools or drop it."
            raise InvalidRequestError(msg)
        return
    if len(tools) > MAX_TOOLS:
        msg = f"At most {MAX_TOOLS} tools may be passed; got {len(tools)}."
        raise InvalidRequestError(msg)
    names = []
    for i, tool in enumerate(tools):
        fn = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(fn, dict):
            msg = f'tools[{i}] must be {{"type": "function", "function": {{...}}}}.'
            raise InvalidRequestError(msg)
        name = fn.get("name")
        if not isinstance(name, str) or not _TOOL_NAME.fullmatch(name):
            msg = f"tools[{i}] name {name!r} must match [a-zA-Z0-9_-] and be 1-64 characters."
            raise InvalidRequestError(msg)
        if "parameters" in fn and not isinstance(fn["parameters"], dict):
            msg = f"tools[{i}] ({name}) parameters must be a JSON-schema dict."
            raise InvalidRequestError(msg)
        names.append(name)
    if params.get("response_format") is not None:
        msg = "tools and response_format cannot be used together; remove one of them."
        raise InvalidRequestError(msg)
    if params.get("min_tokens"):
        msg = "min_tokens is not supported together with tools; remove one of them."
        raise InvalidRequestError(msg)
    _check_tool_choice(params.get("tool_choice"), names)


def _check_tool_choice(choice: object, names: list[str]) -> None:
    if choice is None or (isinstance(choice, str) and choice in {"none", "auto", "required"}):
        return
    if isinstance(choice, dict):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, dict) else None
        if choice.get("type") == "function" and isinstance(name, str):
            if name not in names:
                msg = f"tool_choice names {name!r}, which is not among the tools {names}."
                raise InvalidRequestError(msg)
            return
    msg = (
        f"tool_choice must be 'none', 'auto', 'required' or "
        f'{{"type": "function", "function": {{"name": ...}}}}; got {choice!r:.80}.'
    )
    raise InvalidRequestError(msg)


def _check_part(part: object, where: str) -> None:
    if not isinstance(part, dict) or part.get("type") not in _PART_TYPES:
        msg = f"{where} must be a dict with type text, image_url, audio_url or video_url."
        raise InvalidRequestError(msg)
    kind = part["type"]
    if kind == "text":
        if not isinstance(part.get("text"), str):
            msg = f"{where} of type text needs a string 'text'."
            raise InvalidRequestError(msg)
        return
    inner = part.get(kind)
    if not isinstance(inner, dict) or not isinstance(inner.get("url"), str):
        msg = f'{where} of type {kind} needs {{"{kind}": {{"url": "..."}}}}.'
        raise InvalidRequestError(msg)


def _check_tool_call(call: object, where: str) -> None:
    fn = call.get("function") if isinstance(call, dict) else None
    if not (
        isinstance(call, dict)
        and isinstance(call.get("id"), str)
        and call.get("type") == "function"
        and isinstance(fn, dict)
        and isinstance(fn.get("name"), str)
        and isinstance(fn.get("arguments"), str)
    ):
        msg = (
            f'{where} must be {{"id": "...", "type": "function", "function": '
            f'{{"name": "...", "arguments": "<JSON string>"}}}}; got {call!r:.80}.'
        )
        raise InvalidRequestError(msg)


def _check_message(i: int, msg_: object, call_ids: set[str]) -> None:
    where = f"messages[{i}]"
    if not isinstance(msg_, dict):
        msg = f"{where} must be a dict with a 'role'; got {type(msg_).__name__}."
        raise InvalidRequestError(msg)
    role = msg_.get("role")
    if role not in _ROLES:
        msg = f"{where} has role {role!r}; the API accepts {', '.join(_ROLES)}."
        raise InvalidRequestError(msg)
    content = msg_.get("content")
    if role == "user" and isinstance(content, list):
        for j, part in enumerate(content):
            _check_part(part, f"{where}.content[{j}]")
    elif role == "assistant":
        calls = msg_.get("tool_calls") or []
        if not isinstance(calls, list):
            msg = f"{where} (assistant) tool_calls must be a list of tool call dicts."
            raise InvalidRequestError(msg)
        if content is not None and not isinstance(content, str):
            msg = f"{where} (assistant) content must be a string or None."
            raise InvalidRequestError(msg)
        if content is None and not calls:
            msg = f"{where} (assistant) needs content or tool_calls."
            raise InvalidRequestError(msg)
        for k, call in enumerate(calls):
            _check_tool_call(call, f"{where}.tool_calls[{k}]")
            call_ids.add(call["id"])
    elif not isinstance(content, str):
        msg = f"{where} ({role}) content must be a string; got {type(content).__name__}."
        raise InvalidRequestError(msg)
    if role == "tool" and not isinstance(msg_.get("tool_call_id"), str):
        msg = f"{where} (tool) needs tool_call_id, the id of the assistant tool call."
        raise InvalidRequestError(msg)


def check_messages(messages: object) -> None:
    """Check the message list's shape (roles, content types, tool call ids).

    Raises:
        InvalidRequestError: The first problem found, naming the message index.
    """
    if not isinstance(messages, list) or not messages:
        msg = "messages must be a non-empty list of message dicts."
        raise InvalidRequestError(msg)
    call_ids: set[str] = set()
    for i, message in enumerate(messages):
        _check_message(i, message, call_ids)


def _check_fields_and_model(params: Mapping[str, Any], api: Api, endpoint: Endpoint) -> None:
    check_body_fields(params, api, endpoint)
    if endpoint in CLOUD_ENDPOINTS and not params.get("model"):
        msg = "model is required for serverless and dedicated endpoints; pass model='...'."
        raise InvalidRequestError(msg)


def check_chat_params(
    params: Mapping[str, Any],
    *,
    endpoint: Endpoint = "serverless",
) -> None:
    """Check a chat-completions parameter dict against the spec's types and constraints.

    Args:
        params: The parameters.
        endpoint: The endpoint kind: it decides which fields are known and whether `model` is
            required.

    Raises:
        InvalidRequestError: The first problem found, naming the field(s) involved.
    """
    _check_fields_and_model(params, "chat", endpoint)
    check_messages(params.get("messages"))
    if params.get("top_logprobs") is not None and not params.get("logprobs"):
        msg = "top_logprobs requires logprobs=True; set logprobs=True or drop top_logprobs."
        raise InvalidRequestError(msg)
    _check_shared_constraints(params)
    _check_tools(params)


def check_completion_params(
    params: Mapping[str, Any],
    *,
    endpoint: Endpoint = "serverless",
) -> None:
    """Check a completions parameter dict; the arguments are those of `check_chat_params`.

    Raises:
        InvalidRequestError: The first problem found, naming the field(s) involved.
    """
    _check_fields_and_model(params, "completions", endpoint)
    if (params.get("prompt") is None) == (params.get("tokens") is None):
        msg = "completions need exactly one of prompt (text) or tokens (token IDs)."
        raise InvalidRequestError(msg)
    for a, b in (("max_tokens", "max_total_tokens"), ("min_tokens", "min_total_tokens")):
        if params.get(a) is not None and params.get(b) is not None:
            msg = f"Only one of {a} and {b} may be given."
            raise InvalidRequestError(msg)
    _check_shared_constraints(params)
