"""The httpx clients the core creates for itself, and how requests are built for them.

httpx's general request path does two things on every call that a client nobody else
configures does not need to pay for:

* The cookie jar. `httpx.Client` hands every response to `http.cookiejar`, which builds a
  urllib request and an `email.message.Message` of the response headers (about 13 µs) even
  when the response sets no cookie. `OwnedClient`'s jar skips that when there is no
  Set-Cookie or Set-Cookie2 header; cookies that are set are stored, and sent back, as before.
* `build_request` merges the client's base URL, params, cookies and default headers (about
  19 µs). The clients we create have no base URL or params, and default headers that nothing
  changes, so `BaseClient` builds the `httpx.Request` directly with `merge_headers` (about
  12 µs) while the jar is empty, and falls back to `build_request` once it holds a cookie.

A user-supplied `http_client` is never touched: it always goes through `build_request`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from httpx._types import CookieTypes

__all__ = [
    "DefaultHeaders",
    "OwnedAsyncClient",
    "OwnedClient",
    "default_headers",
    "merge_headers",
]

DefaultHeaders = list[tuple[str, str, str]]  # (name, lower-case name, value)


class _Cookies(httpx.Cookies):
    """A jar that only parses responses which set a cookie."""

    def extract_cookies(self, response: httpx.Response) -> None:
        """Store the cookies `response` sets, if it sets any."""
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:
            super().extract_cookies(response)


class _OwnCookies:
    """Gives an httpx client a `_Cookies` jar (through httpx's public `cookies` property)."""

    _own_cookies: _Cookies

    @property
    def cookies(self) -> httpx.Cookies:
        """The client's cookie jar."""
        return self._own_cookies

    @cookies.setter
    def cookies(self, cookies: CookieTypes) -> None:
        self._own_cookies = _Cookies(cookies)


class OwnedClient(_OwnCookies, httpx.Client):
    """The `httpx.Client` a `FriendliClient` creates when it is given none."""

    def __init__(self, *, timeout: httpx.Timeout) -> None:
        """Create the client (httpx sets its jar directly, so ours is set after)."""
        super().__init__(timeout=timeout)
        self.cookies = {}


class OwnedAsyncClient(_OwnCookies, httpx.AsyncClient):
    """The `httpx.AsyncClient` an `AsyncFriendliClient` creates when it is given none."""

    def __init__(self, *, timeout: httpx.Timeout) -> None:
        """Create the client (httpx sets its jar directly, so ours is set after)."""
        super().__init__(timeout=timeout)
        self.cookies = {}


def default_headers(client: httpx.Client | httpx.AsyncClient) -> DefaultHeaders:
    """The client's default headers, in order and as spelled, as `merge_headers` takes them."""
    encoding = client.headers.encoding
    raw = [(name.decode(encoding), value.decode(encoding)) for name, value in client.headers.raw]
    return [(name, name.lower(), value) for name, value in raw]


def merge_headers(defaults: DefaultHeaders, headers: Mapping[str, str]) -> list[tuple[str, str]]:
    """What `httpx.Headers(defaults).update(headers)` gives, as `build_request` merges them.

    The defaults that `headers` does not name (in any case) keep their order; `headers` follow.
    """
    named = {name.lower() for name in headers}
    merged = [(name, value) for name, lower, value in defaults if lower not in named]
    merged.extend(headers.items())
    return merged
