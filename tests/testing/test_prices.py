"""The local server's catalog prices each snapshot model it serves as the snapshot does."""

from __future__ import annotations

from friendli_core import FriendliClient
from friendli_core.catalog import find_model, known_models
from friendli_core.pricing import UsageCounts, usage_cost
from friendli_core.testing import LocalServer


def test_live_and_snapshot_prices_give_the_same_bill(friendli_server: LocalServer) -> None:
    with FriendliClient(token=friendli_server.token, base_url=friendli_server.serverless_url) as c:
        served = c.list_models()
    usage = UsageCounts(prompt_tokens=5000, completion_tokens=700, cached_tokens=4096)
    priced = [m for m in known_models() if m.pricing is not None]
    assert priced
    for snapshot in priced:
        live = find_model(snapshot.id, served)
        assert live is not None, snapshot.id
        assert usage_cost(usage, live) == usage_cost(usage, snapshot) is not None, snapshot.id
