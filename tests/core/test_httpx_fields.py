"""The httpx-client field types: httpx instances pass, anything else is refused clearly."""

from __future__ import annotations

import re

import httpx
import pytest
from pydantic import BaseModel, ValidationError

from friendli_core._httpx_fields import HttpAsyncClient, HttpClient, check_http_client


class Holder(BaseModel):
    sync: HttpClient | None = None
    async_: HttpAsyncClient | None = None


def test_httpx_clients_and_none_pass_through_unchanged() -> None:
    sync, async_ = httpx.Client(), httpx.AsyncClient()
    holder = Holder(sync=sync, async_=async_)
    assert holder.sync is sync
    assert holder.async_ is async_
    assert Holder().sync is None
    sync.close()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sync", object(), "expected an httpx.Client, got object"),
        ("sync", "http://proxy", "expected an httpx.Client, got str"),
        ("async_", httpx.Client(), "expected an httpx.AsyncClient, got Client"),
        (
            "sync",
            httpx.AsyncClient(),
            "got AsyncClient (an httpx.AsyncClient goes in the async client field)",
        ),
    ],
)
def test_other_values_are_refused_with_what_to_pass(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        Holder(**{field: value})


def test_check_needs_no_httpx_import_for_non_clients() -> None:
    with pytest.raises(ValueError, match=r"expected an httpx\.Client, got int"):
        check_http_client(3, "Client")
