"""The AIMD concurrency rule and the gate that applies it."""

from __future__ import annotations

import asyncio

import pytest

from friendli_core.batch import AIMDWindow
from friendli_core.batch._limit import Gate


def test_a_429_halves_the_window_once_per_round_trip() -> None:
    window = AIMDWindow(16)
    window.rate_limited(sent_at=1.0, now=2.0)
    assert window.slots == 8
    window.rate_limited(sent_at=1.5, now=2.1)  # sent before the halving: same congestion
    assert window.slots == 8
    window.rate_limited(sent_at=2.0, now=3.0)  # sent at the halving: a new round trip
    assert window.slots == 4
    for now in range(4, 12):
        window.rate_limited(sent_at=float(now), now=float(now))
    assert window.slots == 1  # never below one
    assert window.lowest == 1


def test_successes_grow_the_window_by_one_slot_per_window_up_to_the_maximum() -> None:
    window = AIMDWindow(8)
    window.rate_limited(sent_at=0.0, now=0.0)
    window.rate_limited(sent_at=1.0, now=1.0)
    assert window.slots == 2
    window.succeeded()
    window.succeeded()  # 2 + 1/2 + 1/2.5 = 2.9: a window of successes adds about one slot
    assert window.slots == 2
    window.succeeded()
    assert window.slots == 3
    for _ in range(200):
        window.succeeded()
    assert window.slots == 8
    assert window.lowest == 2


def test_the_maximum_must_be_positive() -> None:
    with pytest.raises(ValueError, match="concurrency must be >= 1"):
        AIMDWindow(0)


async def test_the_gate_admits_up_to_the_window_and_close_wakes_waiters() -> None:
    now = [0.0]
    gate = Gate(2, clock=lambda: now[0])
    assert await gate.enter()
    assert await gate.enter()
    waiter = asyncio.create_task(gate.enter())
    await asyncio.sleep(0.01)
    assert not waiter.done()  # both slots taken
    gate.leave()
    assert await asyncio.wait_for(waiter, 1)
    gate.rate_limited(sent_at=0.0)  # window 2 -> 1, two in flight: nobody new gets in
    gate.leave()
    blocked = asyncio.create_task(gate.enter())
    await asyncio.sleep(0.01)
    assert not blocked.done()
    gate.close()
    assert await asyncio.wait_for(blocked, 1) is False
    assert gate.in_flight == 1


async def test_a_waiter_woken_then_cancelled_passes_the_slot_on() -> None:
    gate = Gate(1)
    assert await gate.enter()
    first = asyncio.create_task(gate.enter())
    second = asyncio.create_task(gate.enter())
    await asyncio.sleep(0)
    gate.leave()  # wakes `first` ...
    first.cancel()  # ... which is cancelled before it runs: `second` must get the slot
    assert await asyncio.wait_for(second, 1) is True
    assert first.cancelled()
    assert gate.in_flight == 1


async def test_a_cancelled_waiter_is_forgotten() -> None:
    gate = Gate(1)
    assert await gate.enter()
    waiter = asyncio.create_task(gate.enter())
    await asyncio.sleep(0)
    waiter.cancel()
    await asyncio.sleep(0)
    assert not gate._waiters
    gate.leave()
    assert gate.in_flight == 0
    assert await gate.enter()  # the slot was not handed to the cancelled waiter


async def test_leave_wakes_one_waiter_per_free_slot() -> None:
    gate = Gate(4)
    for _ in range(4):
        assert await gate.enter()
    gate.window.rate_limited(sent_at=0.0, now=1.0)  # window 4 -> 2
    waiters = [asyncio.create_task(gate.enter()) for _ in range(3)]
    await asyncio.sleep(0)
    gate.leave()  # 3 in flight, window 2: nobody
    gate.leave()  # 2 in flight: still nobody
    await asyncio.sleep(0.01)
    assert not any(w.done() for w in waiters)
    gate.leave()  # 1 in flight: one waiter
    await asyncio.sleep(0.01)
    assert sum(w.done() for w in waiters) == 1
    assert gate.in_flight == 2
    pending = [w for w in waiters if not w.done()]
    gate.close()
    assert [await w for w in pending] == [False, False]
