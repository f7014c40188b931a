"""httpx hooks: the clients the core creates, and their requests built directly.

See `friendli_core._upstream_hooks` for why they exist and what they rely on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from http.cookiejar import CookieJar
from typing import Any

import httpx

__all__ = [
    "DefaultHeaders",
    "OwnedAsyncClient",
    "OwnedClient",
    "build_request",
    "default_headers",
    "environment_mounts",
    "merge_headers",
]

DefaultHeaders = list[tuple[str, str, str]]  # (name, lower-case name, value)
# what httpx's `cookies` setter accepts (httpx names this type only in a private module)
_CookieTypes = httpx.Cookies | CookieJar | dict[str, str] | list[tuple[str, str]]


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
    def cookies(self, cookies: _CookieTypes) -> None:
        self._own_cookies = _Cookies(cookies)


class OwnedClient(_OwnCookies, httpx.Client):
    """The `httpx.Client` a `FriendliClient` creates when it is given none."""

    def __init__(self, *, timeout: httpx.Timeout, **options: Any) -> None:
        """Create the client (httpx sets its jar directly, so ours is set after).

        `options` are `httpx.Client` arguments that leave `build_request` alone (`limits`,
        `event_hooks`, `transport`); nothing that sets a base URL, params, auth or cookies.
        """
        super().__init__(timeout=timeout, **options)
        self.cookies = {}


class OwnedAsyncClient(_OwnCookies, httpx.AsyncClient):
    """The `httpx.AsyncClient` an `AsyncFriendliClient` creates when it is given none."""

    def __init__(self, *, timeout: httpx.Timeout, **options: Any) -> None:
        """Create the client; `options` as for `OwnedClient`."""
        super().__init__(timeout=timeout, **options)
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


def build_request(
    http: httpx.Client | httpx.AsyncClient,
    defaults: DefaultHeaders | None,
    method: str,
    url: httpx.URL,
    *,
    headers: Mapping[str, str],
    content: bytes | None,
    timeout: httpx.Timeout,
) -> httpx.Request:
    """What `http.build_request(...)` gives; built directly when that is all it would do.

    `defaults` are the default headers of a client we created (None for a user's client). Such
    a client has no base URL, params or auth, so while its jar is empty `build_request` would
    only merge the default headers and set the timeout.
    """
    if defaults is not None and not http.cookies:
        return httpx.Request(
            method,
            url,
            headers=merge_headers(defaults, headers),
            content=content,
            extensions={"timeout": timeout.as_dict()},
        )
    return http.build_request(method, url, headers=headers, content=content, timeout=timeout)


def environment_mounts(
    transport: Callable[..., httpx.BaseTransport | httpx.AsyncBaseTransport], **options: Any
) -> dict[str, Any]:
    """Httpx's proxy mounts for HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY.

    httpx reads those variables only for a client without its own `transport`; the clients the
    core creates have one (a bounded pool), so they mount the environment's proxies
    themselves, as httpx would: a `transport(proxy=..., **options)` per proxied pattern, and
    None (no proxy) for the NO_PROXY hosts. Relies on `httpx._utils.get_environment_proxies`.
    """
    from httpx._utils import get_environment_proxies  # noqa: PLC0415 - see the docstring

    return {
        pattern: None if url is None else transport(proxy=url, **options)
        for pattern, url in get_environment_proxies().items()
    }
