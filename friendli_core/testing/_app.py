"""The starlette ASGI app of the local Friendli-compatible server.

Routes (``{family}`` is ``serverless`` or ``dedicated``; the container family has no prefix):

* ``POST /{family}/v1/chat/completions``, ``POST /v1/chat/completions``
* ``POST /{family}/v1/completions``, ``POST /v1/completions``
* ``POST /{family}/v1/tokenize|detokenize``, ``POST /v1/tokenize|detokenize``
* ``POST /{family}/v1/chat/render``
* ``POST /dedicated/v1/embeddings``, ``POST /v1/embeddings`` (serverless has none)
* ``GET /serverless/v1/models`` (Friendli catalog), ``GET /serverless/v1/openrouter/models``,
  ``GET /v1/models`` (OpenAI list)

Every request is recorded (``ServerState.log``), then: faults (queue, ``X-Local-Fault`` header,
``fault:<spec>/model`` prefix) → bearer check (serverless/dedicated; 401) → JSON parse (400) →
with ``openai_strict``, on the container paths, OpenAI's field names only (400) →
OpenAPI request-schema validation (422) → documented constraints (400) → the model. Streaming is
decided only by the body field ``stream``. Every response carries ``x-request-id``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from friendli_core.testing._access import AccessLog
from friendli_core.testing._catalog import (
    catalog_items,
    context_error,
    openai_items,
    openrouter_items,
)
from friendli_core.testing._checks import check_chat, check_completions, check_openai_fields
from friendli_core.testing._embed import embed_text, encode_base64
from friendli_core.testing._faults import FaultError, Faults, parse_faults, split_model
from friendli_core.testing._log import RecordedRequest, bearer_token
from friendli_core.testing._model import chat_plans, completion_plans
from friendli_core.testing._openapi import validate
from friendli_core.testing._responses import (
    DropResponse,
    HangResponse,
    SSEResponse,
    error_response,
    json_response,
)
from friendli_core.testing._state import ServerState
from friendli_core.testing._tokens import (
    count_tokens,
    detokenize,
    pieces,
    render_chat,
    tokenize,
)
from friendli_core.testing._wire import (
    Meta,
    chat_chunks,
    chat_result,
    completion_chunks,
    completion_result,
    request_key,
)

__all__ = ["create_app"]

_FAMILIES = {"serverless": "Serverless", "dedicated": "Dedicated", "container": "Container"}
_Handler = Callable[["_Call"], Awaitable[Response]]
_APIS: dict[str, str] = {  # the route -> its API, for ``openai_strict``
    "chat/completions": "chat",
    "completions": "completions",
    "embeddings": "embeddings",
}


class _RequestId:
    """ASGI middleware: assign a request id and add ``x-request-id`` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = f"req_{secrets.token_hex(12)}"
        scope["friendli.request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                message["headers"] = [*headers, (b"x-request-id", request_id.encode())]
            await send(message)

        await self.app(scope, receive, send_with_id)


class _Call:
    """One parsed request: family, body, model, faults, and the server state."""

    def __init__(self, state: ServerState, family: str, body: Any, faults: Faults) -> None:
        self.state = state
        self.family = family
        self.body = body
        self.faults = faults
        self.model, _ = split_model(body.get("model") if isinstance(body, dict) else None)

    @property
    def component(self) -> str:
        return _FAMILIES[self.family]

    @property
    def echoed_model(self) -> str:
        return self.model or self.state.config.default_model

    @property
    def key(self) -> str:
        return request_key(self.family, self.body)


def _retry_headers(faults: Faults) -> dict[str, str]:
    seconds = 1.0 if faults.retry_after is None else faults.retry_after
    return {"retry-after": str(math.ceil(seconds)), "retry-after-ms": str(round(seconds * 1000))}


def _fault_response(faults: Faults) -> Response | None:
    if faults.status is None or faults.error_after is not None:
        return None
    default = f"injected fault: HTTP {faults.status}"
    message = faults.message or default  # the request id travels in the x-request-id header
    wants_retry = faults.status == 429 or faults.retry_after is not None  # noqa: PLR2004
    headers = _retry_headers(faults) if wants_retry else {}
    return error_response(faults.status, message, headers)


def _gather_faults(state: ServerState, request: Request, body: Any) -> Faults:
    faults = state.faults.take() or Faults()
    header = request.headers.get("x-local-fault")
    if header:
        faults = faults.merge(parse_faults(header))
    model = body.get("model") if isinstance(body, dict) else None
    _, spec = split_model(model if isinstance(model, str) else None)
    return faults.merge(parse_faults(spec)) if spec else faults


def _auth_required(state: ServerState, family: str) -> bool:
    return family != "container" or state.config.container_auth


async def _read_json(request: Request) -> tuple[Any, str | None]:
    raw = await request.body()  # ClientDisconnect is handled in _dispatch
    if not raw:
        return None, "the request body is empty; expected a JSON object"
    try:
        return json.loads(raw), None
    except ValueError as exc:
        return None, f"the request body is not valid JSON: {exc}"


async def _dispatch(
    state: ServerState, request: Request, family: str, handler: _Handler, api: str | None = None
) -> Response:
    request_id: str = request.scope["friendli.request_id"]
    try:
        body, parse_error = await _read_json(request)
    except ClientDisconnect:
        return DropResponse()
    token = bearer_token(request.headers.get("authorization"))
    auth_ok = state.config.token_ok(token) if _auth_required(state, family) else True
    state.log.append(
        RecordedRequest.build(
            request.method,
            request.url.path,
            dict(request.headers),
            body,
            auth_ok=auth_ok,
            request_id=request_id,
            query=dict(request.query_params),
        )
    )
    try:
        faults = _gather_faults(state, request, body)
    except FaultError as exc:
        return error_response(400, str(exc))
    delay = faults.delay + state.config.latency
    if delay:
        await asyncio.sleep(delay)
    if faults.hang:
        return HangResponse(state)
    if faults.disconnect:
        return DropResponse()
    if not auth_ok:
        why = "missing bearer token" if token is None else "invalid bearer token"
        return error_response(401, f"Unauthorized: {why} (send 'Authorization: Bearer <token>')")
    fault = _fault_response(faults)
    if fault is not None:
        return fault
    if parse_error is not None or not isinstance(body, dict):
        return error_response(400, parse_error or "the request body must be a JSON object")
    if api is not None and family == "container" and state.config.openai_strict:
        problem = check_openai_fields(api, body)
        if problem is not None:
            return error_response(400, problem)
    return await handler(_Call(state, family, body, faults))


def _schema_errors(component: str, body: Any) -> Response | None:
    errors = validate(component, body)
    if not errors:
        return None
    shown = "; ".join(errors[:5]) + (f"; and {len(errors) - 5} more" if len(errors) > 5 else "")  # noqa: PLR2004
    return error_response(422, f"request does not match {component}: {shown}")


async def _chat(call: _Call) -> Response:
    stream = call.body.get("stream") is True
    component = f"{call.component}ChatCompletion{'Stream' if stream else ''}Body"
    problem = _schema_errors(component, call.body)
    if problem is not None:
        return problem
    message = check_chat(call.body)
    if message is not None:
        return error_response(400, message)
    body = call.body
    reasoning = call.state.config.is_reasoning(call.model)
    plans = chat_plans(body, call.key, reasoning=reasoning, long_tokens=call.faults.long)
    top = body.get("top_logprobs") or 0
    prompt = pieces(render_chat(body["messages"], body.get("tools")))
    prompt_tokens = len(prompt)
    overflow = context_error(
        call.model, prompt_tokens, body.get("max_tokens"), call.state.config, call.state.registry
    )
    if overflow is not None:
        return error_response(400, overflow)
    meta = Meta(
        key=call.key,
        model=call.echoed_model,
        prompt_tokens=prompt_tokens,
        logprobs=top if body.get("logprobs") else None,
        include_usage=bool((body.get("stream_options") or {}).get("include_usage")),
        cached_tokens=call.state.prompt_cache.read_and_store(call.echoed_model, prompt),
    )
    if stream:
        return SSEResponse(
            chat_chunks(plans, meta), call.faults, call.state, call.state.config.chunk_delay
        )
    return json_response(chat_result(plans, meta))


async def _completions(call: _Call) -> Response:
    stream = call.body.get("stream") is True
    component = f"{call.component}Completions{'Stream' if stream else ''}Body"
    problem = _schema_errors(component, call.body)
    if problem is not None:
        return problem
    message = check_completions(call.body)
    if message is not None:
        return error_response(400, message)
    body = call.body
    prompt = body.get("prompt")
    prompts = (
        [detokenize(body["tokens"])]
        if prompt is None
        else [prompt]
        if isinstance(prompt, str)
        else prompt
    )
    plans = completion_plans(body, prompts, call.key, long_tokens=call.faults.long)
    meta = Meta(
        key=call.key,
        model=call.echoed_model,
        prompt_tokens=sum(count_tokens(p) for p in prompts),
        logprobs=body.get("logprobs"),
        include_usage=bool((body.get("stream_options") or {}).get("include_usage")),
        cached_tokens=sum(
            call.state.prompt_cache.read_and_store(call.echoed_model, pieces(p)) for p in prompts
        ),
    )
    if stream:
        chunks = completion_chunks(plans, meta)
        return SSEResponse(chunks, call.faults, call.state, call.state.config.chunk_delay)
    return json_response(completion_result(plans, meta))


async def _tokenize(call: _Call) -> Response:
    problem = _schema_errors(f"{call.component}TokenizationBody", call.body)
    return problem or json_response({"tokens": tokenize(call.body["prompt"])})


async def _detokenize(call: _Call) -> Response:
    problem = _schema_errors(f"{call.component}DetokenizationBody", call.body)
    if problem is not None:
        return problem
    if any(t < 0 for t in call.body["tokens"]):
        return error_response(400, "token ids must be non-negative")
    return json_response({"text": detokenize(call.body["tokens"])})


async def _render(call: _Call) -> Response:
    problem = _schema_errors(f"{call.component}ChatRenderBody", call.body)
    return problem or json_response(
        {"text": render_chat(call.body["messages"], call.body.get("tools"))}
    )


async def _embeddings(call: _Call) -> Response:
    # Containers serve one model, so `model` is optional there; the spec only has the
    # dedicated body, which requires it.
    body = call.body if call.family != "container" else {"model": call.echoed_model, **call.body}
    problem = _schema_errors("DedicatedEmbeddingsBody", body)
    if problem is not None:
        return problem
    text, tokens = body.get("input"), body.get("tokens")
    if (text is None) == (tokens is None):
        return error_response(400, "exactly one of `input` and `tokens` is required")
    if tokens is not None and any(t < 0 for t in tokens):
        return error_response(400, "token ids must be non-negative")
    if tokens is not None:
        text = detokenize(tokens)
    texts = [text] if isinstance(text, str) else text
    if not texts:
        return error_response(400, "`input` is an empty list: nothing to embed")
    base64_out = body.get("encoding_format") == "base64"
    data = []
    for index, item in enumerate(texts):
        vector = embed_text(item)
        encoded = encode_base64(vector) if base64_out else vector
        data.append({"index": index, "object": "embedding", "embedding": encoded})
    used = len(tokens) if tokens is not None else sum(count_tokens(t) for t in texts)
    return json_response(
        {
            "id": f"embd-{call.key[:32]}",
            "model": call.echoed_model,
            "object": "list",
            "data": data,
            "usage": {"prompt_tokens": used, "completion_tokens": 0, "total_tokens": used},
            "created": 1_700_000_000,
        }
    )


async def _models(state: ServerState, request: Request, family: str) -> Response:
    token = bearer_token(request.headers.get("authorization"))
    auth_ok = state.config.token_ok(token) if _auth_required(state, family) else True
    record = RecordedRequest.build(
        request.method,
        request.url.path,
        dict(request.headers),
        None,
        auth_ok=auth_ok,
        request_id=request.scope["friendli.request_id"],
    )
    state.log.append(record)
    if not auth_ok:
        return error_response(401, "Unauthorized: missing or invalid bearer token")
    if family == "container":
        data = openai_items(state.config, state.registry)
        return json_response({"object": "list", "data": data})
    if request.url.path.endswith("/openrouter/models"):
        return json_response({"data": openrouter_items(state.config, state.registry)})
    return json_response({"data": catalog_items(state.config, state.registry)})


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "internal error of the local server"
    return error_response(status, f"{detail}: {request.method} {request.url.path}")


def create_app(state: ServerState) -> ASGIApp:
    """Return the ASGI app serving ``state`` (wrapped in the request-id and log middleware)."""
    handlers: dict[str, _Handler] = {
        "chat/completions": _chat,
        "completions": _completions,
        "tokenize": _tokenize,
        "detokenize": _detokenize,
        "chat/render": _render,
        "embeddings": _embeddings,
    }
    routes = []
    for family, prefix in (
        ("serverless", "/serverless/v1"),
        ("dedicated", "/dedicated/v1"),
        ("container", "/v1"),
    ):
        for suffix, handler in handlers.items():
            api = _APIS.get(suffix)
            if (family, suffix) in {("container", "chat/render"), ("serverless", "embeddings")}:
                continue

            async def endpoint(
                request: Request,
                family: str = family,
                handler: _Handler = handler,
                api: str | None = api,
            ) -> Response:
                return await _dispatch(state, request, family, handler, api)

            routes.append(Route(f"{prefix}/{suffix}", endpoint, methods=["POST"]))
    for path, family in (
        ("/serverless/v1/models", "serverless"),
        ("/serverless/v1/openrouter/models", "serverless"),
        ("/v1/models", "container"),
    ):
        routes.append(
            Route(path, functools.partial(_models, state, family=family), methods=["GET"])
        )
    app = Starlette(
        routes=routes, exception_handlers={HTTPException: _http_error, Exception: _http_error}
    )
    return _RequestId(AccessLog(app))
