"""Admission control: bounded in-flight work and queue, FIFO hand-over, immediate refusal, no leaked slots."""

from __future__ import annotations

import asyncio

import pytest

from assistant.admission import Admission, AdmissionSettings
from assistant.errors import Busy


async def _hold(admission: Admission, release: asyncio.Event, order: list[int], n: int) -> None:
    async with admission.slot():
        order.append(n)
        await release.wait()


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_n_in_flight_plus_queue_admitted_and_the_next_refused_at_once() -> None:
    admission = Admission(AdmissionSettings(max_in_flight=4, max_queue=16, retry_after_s=2))
    release, order = asyncio.Event(), []
    holders = [asyncio.create_task(_hold(admission, release, order, n)) for n in range(20)]
    await _settle()
    assert (admission.in_flight, admission.queued) == (4, 16)
    with pytest.raises(Busy) as refused:
        async with admission.slot():
            pass
    assert refused.value.retry_after == 2 and refused.value.status_code == 503
    release.set()
    await asyncio.gather(*holders)
    assert order == list(range(20)), "slots are handed over in arrival order"
    assert (admission.in_flight, admission.queued, admission.peak, admission.refused) == (0, 0, 20, 1)


async def test_zero_queue_refuses_the_first_caller_beyond_the_slots() -> None:
    admission = Admission(AdmissionSettings(max_in_flight=1, max_queue=0))
    release = asyncio.Event()
    holder = asyncio.create_task(_hold(admission, release, [], 0))
    await _settle()
    with pytest.raises(Busy):
        async with admission.slot():
            pass
    release.set()
    await holder
    async with admission.slot():
        assert admission.in_flight == 1


async def test_a_queued_caller_is_refused_after_the_queue_timeout() -> None:
    admission = Admission(AdmissionSettings(max_in_flight=1, max_queue=1, queue_timeout_s=0.05))
    release = asyncio.Event()
    holder = asyncio.create_task(_hold(admission, release, [], 0))
    await _settle()
    with pytest.raises(Busy, match="no generation slot"):
        async with admission.slot():
            pass
    assert admission.queued == 0
    release.set()
    await holder
    assert admission.in_flight == 0


async def test_cancelled_holders_and_waiters_give_their_slots_back() -> None:
    admission = Admission(AdmissionSettings(max_in_flight=2, max_queue=2))
    release, order = asyncio.Event(), []
    tasks = [asyncio.create_task(_hold(admission, release, order, n)) for n in range(4)]
    await _settle()
    tasks[0].cancel()  # a generating client disconnects
    tasks[2].cancel()  # a queued client disconnects
    await _settle()
    assert admission.in_flight == 2 and admission.queued == 0 and order == [0, 1, 3]
    release.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert admission.in_flight == 0 and admission.queued == 0


async def test_cancellation_right_after_the_hand_over_passes_the_slot_on() -> None:
    admission = Admission(AdmissionSettings(max_in_flight=1, max_queue=2))
    release, order = asyncio.Event(), []
    first = asyncio.create_task(_hold(admission, release, order, 0))
    await _settle()
    second = asyncio.create_task(_hold(admission, asyncio.Event(), order, 1))
    third = asyncio.create_task(_hold(admission, release, order, 2))
    await _settle()
    release.set()
    await first  # the slot is now handed to `second` ...
    second.cancel()  # ... which is cancelled before it runs
    await asyncio.gather(second, third, return_exceptions=True)
    assert 2 in order and admission.in_flight == 0 and admission.queued == 0
