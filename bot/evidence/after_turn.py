"""Work a customer's reply must not wait for, done when the process has no turn to answer.

The chat image of a filed PQR (about 20 ms of CPU on this 2-core machine) was drawn inside the
filing turn: the customer waited for it, and so did every turn queued behind it in the worker.
Under load the filings of many customers arrive together and that cost made them the slowest
turns (issue 13). ``AfterTurn`` runs such jobs in a thread once the process has no customer turn
in flight (``bot.perf.turn_gate.turns_in_flight``), in submission order; under a load that never
pauses, a job waits at most ``max_delay`` seconds. A job that fails is logged. A job lost with its
process (a crash, a stop) is done by the worker's evidence backfill (``bot/evidence/backfill.py``).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Callable, Deque, Optional, Tuple

from bot.logmask import masked_logger

logger = masked_logger(__name__)

Job = Callable[[], None]


def _turns_in_flight() -> int:
    from bot.perf import turn_gate

    return turn_gate.turns_in_flight


class AfterTurn:
    def __init__(
        self, busy: Callable[[], int] = _turns_in_flight, *, max_delay: float = 30.0, poll: float = 0.02
    ) -> None:
        self.busy, self.max_delay, self.poll = busy, max_delay, poll
        self._jobs: Deque[Tuple[float, Job]] = deque()
        self._task: Optional[asyncio.Task] = None
        self.done = 0
        self.failed = 0

    @property
    def pending(self) -> int:
        return len(self._jobs)

    def submit(self, job: Job) -> None:
        """Queue ``job``; run it at once (this thread) when no event loop runs here."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._run(job)
            return
        self._jobs.append((time.monotonic(), job))
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._drain())

    def _run(self, job: Job) -> None:
        try:
            job()
            self.done += 1
        except Exception:
            self.failed += 1
            logger.exception("after-turn job failed (the worker's backfill will retry it)")

    async def _drain(self) -> None:
        while self._jobs:
            queued_at, job = self._jobs[0]
            if self.busy() and time.monotonic() - queued_at < self.max_delay:
                await asyncio.sleep(self.poll)
                continue
            self._jobs.popleft()
            await asyncio.to_thread(self._run, job)

    async def wait_idle(self, timeout: float = 10.0) -> bool:
        """Until every queued job ran (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while (self._jobs or (self._task is not None and not self._task.done())) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return not self._jobs
