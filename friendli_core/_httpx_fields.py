"""Pydantic field types for a user-supplied httpx client that do not import httpx.

The LangChain and LlamaIndex models accept the user's own `httpx.Client` / `httpx.AsyncClient`.
Typing those fields with the httpx classes would make importing the integration import httpx
(and, where they are installed, httpx's optional command line dependencies, rich and click),
although httpx is needed only when the first request is sent (benchmarks/README.md). To type
checkers these aliases are the httpx classes; at run time they are `Any` plus a check that the
value is an instance of the httpx class, which needs no import: a value can only be an httpx
client if httpx is already loaded.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator

__all__ = ["HttpAsyncClient", "HttpClient", "check_http_client"]


def check_http_client(value: object, class_name: str) -> object:
    """Return `value` if it is None or an instance of `httpx.<class_name>`.

    Raises:
        ValueError: Anything else, with what to pass instead.
    """
    if value is None:
        return value
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(value, getattr(httpx, class_name)):
        return value
    hint = (
        " (an httpx.AsyncClient goes in the async client field)"
        if class_name == "Client" and type(value).__name__ == "AsyncClient"
        else ""
    )
    msg = f"expected an httpx.{class_name}, got {type(value).__name__}{hint}"
    raise ValueError(msg)


if TYPE_CHECKING:
    from httpx import AsyncClient as HttpAsyncClient
    from httpx import Client as HttpClient
else:
    HttpClient = Annotated[Any, AfterValidator(lambda v: check_http_client(v, "Client"))]
    HttpAsyncClient = Annotated[Any, AfterValidator(lambda v: check_http_client(v, "AsyncClient"))]
