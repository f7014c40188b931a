"""Request building and error mapping (sans-IO: no httpx, no asyncio, no pydantic).

`build_*_request` turn a config and parameters into a `RequestSpec` (method, URL, headers,
encoded body) after checking the parameters; `raise_for_status` turns a non-2xx status, headers
and body bytes into a typed error. 2xx bodies are parsed into models by `_replies`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from friendli_core._retry import parse_retry_after
from friendli_core._validate import check_chat_params, check_completion_params
from friendli_core._version import __version__
from friendli_core.config import CLOUD_ENDPOINTS, ENV_VARS, ClientConfig
from friendli_core.errors import (
    InvalidRequestError,
    MissingTokenError,
    UnsupportedEndpointError,
    make_status_error,
)
from friendli_core.reasoning import check_snapshot_reasoning

__all__ = [
    "RequestSpec",
    "build_chat_request",
    "build_completion_request",
    "build_detokenize_request",
    "build_models_request",
    "build_render_request",
    "build_tokenize_request",
    "decode_json",
    "raise_for_status",
]

USER_AGENT = f"friendli-integrations/{__version__}"


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """A request ready to send: everything the transport needs, nothing it must decide."""

    method: str
    url: str
    path: str
    headers: dict[str, str]
    content: bytes | None
    stream: bool = False
    unauthorized_hint: str = ""  # added to a 401's message: no token was sent, and how to send one


def build_headers(
    config: ClientConfig,
    *,
    stream: bool = False,
    extra_headers: Mapping[str, str] | None = None,
    client_headers: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Headers for one request: auth, team, content type, then default and extra headers.

    Args:
        config: The client configuration.
        stream: Whether an SSE response is expected.
        extra_headers: Per-call headers (win over defaults, never over auth).
        client_headers: Headers already set on a user-supplied httpx client. An
            `Authorization` there is used as is when no token is configured, and a different
            one together with a token is an error rather than a silent overwrite (the same for
            `X-Friendli-Team` and a configured team). Its own `User-Agent` is kept.

    Raises:
        InvalidRequestError: No token for serverless/dedicated, or a conflicting header.
    """
    present = {k.lower(): v for k, v in (client_headers or {}).items()}
    user_auth = "authorization" in present or any(
        k.lower() == "authorization" for k in config.default_headers
    )
    headers = {
        "Content-Type": "application/json",
        "Accept": "text/event-stream" if stream else "application/json",
        "User-Agent": USER_AGENT,
    }
    if not present.get("user-agent", "python-httpx/").startswith("python-httpx/"):
        del headers["User-Agent"]  # the user's httpx client sets its own
    _merge_headers(headers, config.default_headers)
    _merge_headers(headers, extra_headers or {})
    if config.token:
        auth = f"Bearer {config.token.removeprefix('Bearer ')}"
        if present.get("authorization", auth) != auth:
            msg = (
                "The httpx client passed in already sets an Authorization header that differs "
                "from the configured token; remove one of them."
            )
            raise InvalidRequestError(msg)
        _merge_headers(headers, {"Authorization": auth})
    elif config.endpoint in CLOUD_ENDPOINTS and not user_auth:
        msg = f"No Friendli token for the {config.endpoint} endpoint: " + token_advice(config)
        raise MissingTokenError(msg)
    if config.team_id and config.endpoint in CLOUD_ENDPOINTS:
        if present.get("x-friendli-team", config.team_id) != config.team_id:
            msg = (
                "The httpx client passed in already sets an X-Friendli-Team header that differs "
                "from the configured team; remove one of them."
            )
            raise InvalidRequestError(msg)
        _merge_headers(headers, {"X-Friendli-Team": config.team_id})
    return headers


def token_advice(config: ClientConfig) -> str:
    """How to give the token for `config`'s endpoint kind (the variable the kind reads)."""
    var = ENV_VARS[config.endpoint].token
    return (
        f"pass token=... (api_key=... in the LangChain/LlamaIndex classes) or set the {var} "
        "environment variable. Tokens are never pickled: a model unpickled in another process "
        f"(a worker, a Ray task, friendli-batch) reads {var} there."
    )


def _merge_headers(headers: dict[str, str], new: Mapping[str, str]) -> None:
    """Set `new` into `headers`, replacing names that differ only in case (no duplicates)."""
    for key, value in new.items():
        for old in [k for k in headers if k.lower() == key.lower()]:
            del headers[old]
        headers[key] = value


def encode_body(body: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON for a request body.

    Raises:
        InvalidRequestError: The body holds values JSON cannot carry (non-UTF-8 text, NaN,
            objects, or nesting too deep).
    """
    try:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        msg = f"The request contains text that is not valid UTF-8 ({exc.reason}); clean the input."
        raise InvalidRequestError(msg) from None
    except RecursionError:
        msg = "The request is nested too deeply to encode as JSON."
        raise InvalidRequestError(msg) from None
    except (TypeError, ValueError) as exc:
        msg = f"The request cannot be encoded as JSON: {exc}."
        raise InvalidRequestError(msg) from None


def _body(params: Mapping[str, Any], *, stream: bool) -> dict[str, Any]:
    """The request body: the rules every caller shares, decided here once.

    None values are left out (the server's defaults apply); a stream asks for the usage chunk
    unless `stream_options` is given, and a call that does not stream leaves `stream_options`
    out (it concerns streams only: a model bound with it may also be invoked).
    """
    body = {k: v for k, v in params.items() if v is not None and k != "extra_body"}
    if stream:
        body["stream"] = True
        body.setdefault("stream_options", {"include_usage": True})
    else:
        body.pop("stream", None)
        body.pop("stream_options", None)
    body.update(params.get("extra_body") or {})
    return body


def _with_parameters(tool: Mapping[str, Any]) -> Mapping[str, Any]:
    """The spec requires `function.parameters`; a tool without any gets the empty schema."""
    function = tool["function"]
    if "parameters" in function:
        return tool
    return {**tool, "function": {**function, "parameters": {"type": "object", "properties": {}}}}


def _spec(
    config: ClientConfig,
    path: str,
    body: Mapping[str, Any] | None,
    *,
    stream: bool = False,
    method: str = "POST",
    extra_headers: Mapping[str, str] | None = None,
    client_headers: Mapping[str, str] | None = None,
) -> RequestSpec:
    url = config.base_url + path
    headers = build_headers(
        config, stream=stream, extra_headers=extra_headers, client_headers=client_headers
    )
    content = None if body is None else encode_body(body)
    hint = "" if config.token else _no_token_hint(config, headers, client_headers)
    return RequestSpec(method, url, urlsplit(url).path, headers, content, stream, hint)


def _no_token_hint(
    config: ClientConfig, headers: Mapping[str, str], client_headers: Mapping[str, str] | None
) -> str:
    """What a 401 should add when no token is configured: none if some Authorization is sent."""
    sent = [*headers, *(client_headers or ())]
    if any(name.lower() == "authorization" for name in sent):
        return ""
    return "No token was sent: " + token_advice(config)


def build_chat_request(
    config: ClientConfig,
    params: Mapping[str, Any],
    *,
    stream: bool,
    extra_headers: Mapping[str, str] | None = None,
    client_headers: Mapping[str, str] | None = None,
) -> RequestSpec:
    """Check chat parameters and build the `/chat/completions` request.

    A serverless model's reasoning controls are checked against the packaged snapshot's entry
    (`friendli_core.reasoning.check_snapshot_reasoning`).

    Raises:
        InvalidRequestError: The parameters break the spec or a documented constraint.
    """
    check_chat_params(params, endpoint=config.endpoint)
    if config.endpoint == "serverless":  # the snapshot knows serverless model codes
        check_snapshot_reasoning(params)
    if params.get("tools"):  # the checked tools; `extra_body` below is sent as given
        params = {**params, "tools": [_with_parameters(tool) for tool in params["tools"]]}
    body = _body(params, stream=stream)
    return _spec(
        config,
        "/chat/completions",
        body,
        stream=stream,
        extra_headers=extra_headers,
        client_headers=client_headers,
    )


def build_completion_request(
    config: ClientConfig,
    params: Mapping[str, Any],
    *,
    stream: bool,
    extra_headers: Mapping[str, str] | None = None,
    client_headers: Mapping[str, str] | None = None,
) -> RequestSpec:
    """Check completions parameters and build the `/completions` request.

    Raises:
        InvalidRequestError: The parameters break the spec or a documented constraint.
    """
    check_completion_params(params, endpoint=config.endpoint)
    return _spec(
        config,
        "/completions",
        _body(params, stream=stream),
        stream=stream,
        extra_headers=extra_headers,
        client_headers=client_headers,
    )


def _model_field(config: ClientConfig, model: str | None) -> dict[str, Any]:
    if model:
        return {"model": model}
    if config.endpoint in CLOUD_ENDPOINTS:
        msg = "model is required for serverless and dedicated endpoints; pass model='...'."
        raise InvalidRequestError(msg)
    return {}


def build_tokenize_request(
    config: ClientConfig,
    prompt: str,
    *,
    model: str | None = None,
    client_headers: Mapping[str, str] | None = None,
) -> RequestSpec:
    """Build a `/tokenize` request for `prompt`."""
    if not isinstance(prompt, str):
        msg = f"prompt must be a string; got {type(prompt).__name__}."
        raise InvalidRequestError(msg)
    body = {**_model_field(config, model), "prompt": prompt}
    return _spec(config, "/tokenize", body, client_headers=client_headers)


def build_detokenize_request(
    config: ClientConfig,
    tokens: list[int],
    *,
    model: str | None = None,
    client_headers: Mapping[str, str] | None = None,
) -> RequestSpec:
    """Build a `/detokenize` request for `tokens`."""
    if not isinstance(tokens, list) or not all(type(t) is int for t in tokens):
        msg = "tokens must be a list of integers."
        raise InvalidRequestError(msg)
    body = {**_model_field(config, model), "tokens": tokens}
    return _spec(config, "/detokenize", body, client_headers=client_headers)


def build_models_request(
    config: ClientConfig, *, client_headers: Mapping[str, str] | None = None
) -> RequestSpec:
    """Build the `GET /models` request (the serverless model catalog)."""
    return _spec(config, "/models", None, method="GET", client_headers=client_headers)


def build_render_request(
    config: ClientConfig,
    params: Mapping[str, Any],
    *,
    client_headers: Mapping[str, str] | None = None,
) -> RequestSpec:
    """Build a `/chat/render` request (serverless and dedicated only).

    Raises:
        UnsupportedEndpointError: A container or another OpenAI-compatible server, which has
            no render route.
        InvalidRequestError: No model, or messages that are not a list.
    """
    if config.endpoint not in CLOUD_ENDPOINTS:
        msg = (
            "chat/render is served by the serverless and dedicated endpoints only; a container "
            "(or another OpenAI-compatible server) cannot render prompts, so exact chat token "
            "counts are not available there. Count the text of your messages with tokenize()."
        )
        raise UnsupportedEndpointError(msg)
    if not isinstance(params.get("messages"), list):
        msg = "messages must be a list of message dicts."
        raise InvalidRequestError(msg)
    body = {**_model_field(config, params.get("model"))}
    body.update({k: v for k, v in params.items() if v is not None and k != "model"})
    if isinstance(body.get("tools"), list):
        body["tools"] = [
            _with_parameters(t) if isinstance(t, Mapping) and "function" in t else t
            for t in body["tools"]
        ]
    return _spec(config, "/chat/render", body, client_headers=client_headers)


def decode_json(content: bytes) -> object:
    """Parse JSON, or return the text when the body is not JSON."""
    text = content.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nesting too deep for the parser
        return text


def scrub_credentials(content: bytes, headers: Mapping[str, str]) -> bytes:
    """Remove the request's bearer token from a server body, should the server echo it."""
    auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    token = auth.removeprefix("Bearer ").strip()
    if len(token) < 4:  # noqa: PLR2004 - too short to be a secret worth matching
        return content
    return content.replace(token.encode("utf-8", "replace"), b"[redacted]")


def raise_for_status(
    status: int, headers: Mapping[str, str], content: bytes, spec: RequestSpec
) -> None:
    """Raise the typed error for a non-2xx response; do nothing for 2xx.

    Raises:
        APIStatusError: The subclass for the status, with the parsed server message.
    """
    if 200 <= status < 300:  # noqa: PLR2004
        return
    raise make_status_error(
        status,
        decode_json(scrub_credentials(content, spec.headers)),
        request_id=headers.get("x-request-id"),
        retry_after=parse_retry_after(headers),
        method=spec.method,
        path=spec.path,
        hint=spec.unauthorized_hint if status == 401 else "",  # noqa: PLR2004
    )
