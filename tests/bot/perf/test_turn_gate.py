"""The turn gate: at most N turns at a time in one worker, served in arrival order, nothing lost."""

from __future__ import annotations

import asyncio

import pytest

from bot.perf import rasa_patches, turn_gate
from bot.perf.metrics import TURNS_WAITING
from bot.perf.turn_gate import TurnGate


def run(coro):
    return asyncio.run(coro)


def test_turns_run_in_arrival_order_and_at_most_limit_at_once():
    async def main():
        gate = TurnGate(2)
        running, peak, order = 0, 0, []

        async def turn(i):
            nonlocal running, peak
            async with gate.turn():
                running += 1
                peak = max(peak, running)
                order.append(i)
                await asyncio.sleep(0.001 * (i % 3))
                running -= 1

        await asyncio.gather(*(turn(i) for i in range(20)))
        return peak, order, gate

    peak, order, gate = run(main())
    assert peak == 2
    assert order == list(range(20))
    assert gate.active == 0 and gate.waiting == 0


def test_a_newcomer_does_not_overtake_a_woken_turn():
    async def main():
        gate = TurnGate(1)
        order = []

        async def turn(name, hold):
            async with gate.turn():
                order.append(name)
                await asyncio.sleep(hold)

        first = asyncio.create_task(turn("first", 0.01))
        await asyncio.sleep(0)
        second = asyncio.create_task(turn("second", 0))
        await asyncio.sleep(0.005)
        # "first" releases while "second" waits; a third arriving right at the release must queue
        await asyncio.sleep(0.006)
        third = asyncio.create_task(turn("third", 0))
        await asyncio.gather(first, second, third)
        return order

    assert run(main()) == ["first", "second", "third"]


def test_a_cancelled_waiting_turn_gives_its_place_back():
    async def main():
        gate = TurnGate(1)
        release = asyncio.Event()
        done = []

        async def holder():
            async with gate.turn():
                await release.wait()

        async def turn(name):
            async with gate.turn():
                done.append(name)

        h = asyncio.create_task(holder())
        await asyncio.sleep(0)
        cancelled = asyncio.create_task(turn("cancelled"))
        later = asyncio.create_task(turn("later"))
        await asyncio.sleep(0)
        assert gate.waiting == 2
        cancelled.cancel()
        release.set()
        await asyncio.gather(h, later)
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        return done, gate

    done, gate = run(main())
    assert done == ["later"]
    assert gate.active == 0 and gate.waiting == 0


def test_a_turn_that_fails_frees_its_place():
    async def main():
        gate = TurnGate(1)

        async def failing():
            async with gate.turn():
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            await failing()
        async with gate.turn():
            return gate.active

    assert run(main()) == 1


def test_limit_zero_admits_everything_at_once():
    async def main():
        gate = TurnGate(0)
        running, peak = 0, 0

        async def turn():
            nonlocal running, peak
            async with gate.turn():
                running += 1
                peak = max(peak, running)
                await asyncio.sleep(0.001)
                running -= 1

        await asyncio.gather(*(turn() for _ in range(10)))
        return peak

    assert run(main()) == 10


def test_each_event_loop_has_its_own_gate():
    async def get():
        return turn_gate.gate_for_this_loop(3)

    a, b = run(get()), run(get())
    assert a is not b and a.limit == b.limit == 3


def test_patched_handle_message_orders_turns_and_counts_the_waiting():
    """Through the patch Rasa runs: four turns sent at once to a worker admitting one at a time
    are handled one after the other, in order, and the waiting gauge goes back to zero."""

    class Message:
        def __init__(self, i):
            self.i, self.input_channel, self.sender_id = i, "rest", f"s{i}"

    log = []
    seen_waiting = []

    async def handle_message(agent, message):
        log.append(("start", message.i))
        await asyncio.sleep(0.002)
        seen_waiting.append(TURNS_WAITING._value.get())
        log.append(("end", message.i))
        return [{"text": str(message.i)}]

    handle = rasa_patches._timed(handle_message, turns_per_worker=1)

    async def main():
        return await asyncio.gather(*(handle(object(), Message(i)) for i in range(4)))

    before = TURNS_WAITING._value.get()
    replies = run(main())
    assert replies == [[{"text": str(i)}] for i in range(4)]
    assert log == [(kind, i) for i in range(4) for kind in ("start", "end")]
    assert [w - before for w in seen_waiting] == [3, 2, 1, 0]  # the others waited meanwhile
    assert TURNS_WAITING._value.get() == before
