"""The places where the integrations rely on how httpx and pydantic work inside, for speed.

Each piece here skips work that httpx or pydantic would otherwise do on every request or every
streamed token, and is kept only because `benchmarks/` shows it is worth more than 5 % on a
headline figure (`benchmarks/README.md`, "Why the fast paths are the way they are").
`tests/core/test_upstream_hooks.py` fails if the upstream behaviour a piece relies on changes.
The pieces live in two modules, so that the adapters' per-token code does not load httpx:

* `httpx_client.OwnedClient` / `OwnedAsyncClient`: the httpx clients the core creates when
  it is given none. Their cookie jar skips `http.cookiejar` for responses that set no
  cookie. Relies on httpx reaching the jar through the client's public `cookies` property.
* `httpx_client.build_request`: the request of a client we created, built directly while
  its jar is empty; it must equal what httpx's `Client.build_request` gives (default headers
  merged as `httpx.Headers.update` merges them, the timeout as the `timeout` extension).
* `pydantic_copy.Prototype`: copies of a validated pydantic instance with some fields
  replaced, instead of validating a new one per streamed token. It fills a new instance's
  slots as pydantic's `BaseModel.__copy__` does (`__dict__`, `__pydantic_fields_set__`,
  `__pydantic_extra__`, `__pydantic_private__`), so it relies on that instance layout.

* `httpx_client.BoundedTransport` / `BoundedAsyncTransport`: the transports of the pools the
  core creates. At most `max_connections` requests enter httpx at once; the others wait on a
  semaphore (one slot per connection, given back when the response is closed), because
  httpcore scans its whole queue of waiting requests against every connection on each request
  start and end, and with a keep-alive smaller than the limit closes and reopens connections
  under load (encode/httpcore#1110). The connections are split into httpx transports of at
  most 16 connections each, filled in order: httpcore's scan on each event visits every
  connection of its pool and, for each idle one, every connection again, so one large pool
  costs every request CPU in proportion to its idle connections times its size. Public httpx
  API only (transports wrapped, the response stream wrapped once, one
  `httpx.create_ssl_context` for all of them); the wait is bounded by the pool timeout, raised
  as `httpx.PoolTimeout`. `transports` lists the httpx transports opened so far, for tests.

A user-supplied `http_client` is never touched: it always goes through `build_request`.
"""
