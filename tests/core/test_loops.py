"""The worker's periodic jobs: ticked on their interval, a failing tick does not stop the next, and
a stop is seen within a quarter of a second."""

from __future__ import annotations

import asyncio
import time

from core.loops import run_every


def test_ticks_go_on_after_a_failure_and_stop_when_asked(caplog):
    ticks = []

    def tick():
        ticks.append(time.monotonic())
        if len(ticks) == 1:
            raise RuntimeError("database away")

    asyncio.run(run_every(0.05, lambda: len(ticks) >= 3, tick, "test job"))
    assert len(ticks) == 3
    assert "test job failed" in caplog.text
    assert ticks[2] - ticks[1] >= 0.04  # the interval is kept between ticks


def test_a_long_interval_is_left_as_soon_as_the_stop_comes():
    ticks = []
    started = time.monotonic()

    async def main():
        stop = {"now": False}
        task = asyncio.ensure_future(run_every(3600, lambda: stop["now"], lambda: ticks.append(1), "hourly"))
        await asyncio.sleep(0.1)
        stop["now"] = True
        await asyncio.wait_for(task, 2)

    asyncio.run(main())
    assert ticks == [1] and time.monotonic() - started < 2
