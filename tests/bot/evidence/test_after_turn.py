"""Work after the turn: it waits while customer turns are in flight, never longer than its bound,
and a failing job is logged without stopping the others."""

from __future__ import annotations

import asyncio

from bot.evidence.after_turn import AfterTurn


def test_jobs_wait_for_the_turns_in_flight_then_run_in_order():
    async def main():
        in_flight = {"n": 2}
        ran = []
        after = AfterTurn(lambda: in_flight["n"], max_delay=30, poll=0.005)
        after.submit(lambda: ran.append("image 1"))
        after.submit(lambda: ran.append("image 2"))
        await asyncio.sleep(0.05)
        waited = list(ran)
        in_flight["n"] = 0
        assert await after.wait_idle(5)
        return waited, ran, after

    waited, ran, after = asyncio.run(main())
    assert waited == []  # nothing ran while customers waited for their answers
    assert ran == ["image 1", "image 2"] and after.done == 2 and after.pending == 0


def test_a_load_that_never_pauses_delays_a_job_at_most_max_delay():
    async def main():
        ran = []
        after = AfterTurn(lambda: 5, max_delay=0.5, poll=0.005)
        after.submit(lambda: ran.append(1))
        await asyncio.sleep(0.02)
        before = list(ran)
        assert await after.wait_idle(5)
        return before, ran

    before, ran = asyncio.run(main())
    assert before == [] and ran == [1]


def test_a_failing_job_is_counted_and_the_next_one_runs(caplog):
    def boom():
        raise RuntimeError("no disk")

    async def main():
        ran = []
        after = AfterTurn(lambda: 0, poll=0.005)
        after.submit(boom)
        after.submit(lambda: ran.append("next"))
        assert await after.wait_idle(5)
        return ran, after

    ran, after = asyncio.run(main())
    assert ran == ["next"] and after.failed == 1 and after.done == 1
    assert "after-turn job failed" in caplog.text


def test_without_an_event_loop_the_job_runs_at_once():
    ran = []
    AfterTurn(lambda: 3).submit(lambda: ran.append(1))
    assert ran == [1]
