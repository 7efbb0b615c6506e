"""SQLite's writers of one process take turns in the event loop (storage/write_gate.py)."""

from __future__ import annotations

import asyncio
import time

from storage.write_gate import WriteGate


async def test_a_second_writer_waits_for_the_first_and_goes_at_once_after() -> None:
    gate = WriteGate(timeout=5)
    order: list[str] = []
    inside = asyncio.Event()
    leave = asyncio.Event()

    async def first() -> None:
        async with gate.turn():
            order.append("first in")
            inside.set()
            await leave.wait()
            order.append("first out")

    async def second() -> None:
        await inside.wait()
        async with gate.turn():
            order.append("second in")

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await inside.wait()
    await asyncio.sleep(0.01)
    assert order == ["first in"]  # the second waits its turn
    leave.set()
    await asyncio.gather(*tasks)
    assert order == ["first in", "first out", "second in"]


async def test_a_task_holding_its_turn_passes_through_again() -> None:
    gate = WriteGate(timeout=5)
    async with gate.turn(), gate.turn():  # the same task: no wait on itself
        pass
    async with gate.turn():  # and the turn was given back
        pass


async def test_a_turn_not_given_in_time_is_waited_for_no_longer() -> None:
    gate = WriteGate(timeout=0.05)
    leave = asyncio.Event()
    inside = asyncio.Event()

    async def holder() -> None:
        async with gate.turn():
            inside.set()
            await leave.wait()

    holding = asyncio.create_task(holder())
    await inside.wait()
    started = time.monotonic()
    async with gate.turn():  # SQLite's own busy wait would decide from here
        assert 0.04 <= time.monotonic() - started < 1
    leave.set()
    await holding
    async with gate.turn():  # the holder's turn was given back; the timed-out one took none
        pass
