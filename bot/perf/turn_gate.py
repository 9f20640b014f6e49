"""First come, first served: at most N customer turns at a time in one Rasa worker's event loop.

Rasa handles every message it receives at once: 25 turns in one worker interleave on its event
loop, each one's CPU cut in slices between the others' (processor sharing). Every turn then
takes as long as the whole crowd: a turn twice as costly as the rest (filing: the PQR, its
evidence, the chat image) takes twice as long as the others under load, and customers who sent
their messages together (a campaign, a bill arriving the same morning) stay in lock-step, each
wave of them as slow as its most costly turn. That was the p95 at 50 customers (issue 13).

Admitting turns in arrival order, a few at a time, serves them one after the other instead: a
turn waits for those that came before it, then runs with the CPU to itself. The mean latency
of a saturated server does not change (the same work is done), but the spread does: each turn
costs its own time, not a multiple of it. N > 1 keeps the CPU busy while an admitted turn waits
for its database or its conversation lock.

``PQRBOT_TURNS_PER_WORKER`` sets N (0: no gate, Rasa's own behaviour). The turns waiting are in
``pqrbot_turns_waiting`` (``/metrics``). Applied by wrapping ``Agent.handle_message``
(``bot/perf/rasa_patches.py``), where every channel's messages meet: REST, web chat, the inbound
queue of the provider channels.
"""

from __future__ import annotations

import asyncio
from collections import deque
from contextlib import asynccontextmanager
from typing import AsyncIterator, Deque, Optional


class TurnGate:
    """An asyncio gate that admits at most ``limit`` holders at a time, strictly in arrival order
    (asyncio.Semaphore in Python 3.10 lets a newcomer overtake a woken waiter)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._active = 0
        self._waiting: Deque[asyncio.Future] = deque()

    @property
    def active(self) -> int:
        return self._active

    @property
    def waiting(self) -> int:
        return sum(1 for f in self._waiting if not f.done())

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        if self.limit <= 0:
            yield
            return
        if self._active < self.limit and not self._waiting:
            self._active += 1
        else:
            future = asyncio.get_running_loop().create_future()
            self._waiting.append(future)
            try:
                await future  # a release handed its place to this turn (_active unchanged)
            except asyncio.CancelledError:
                if future.done() and not future.cancelled():
                    self._release()  # the place was handed over just as the turn was cancelled
                else:
                    self._waiting.remove(future)
                raise
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():
                future.set_result(None)  # the place goes to the oldest waiting turn
                return
        self._active -= 1


_gate: Optional[TurnGate] = None
_loop: Optional[asyncio.AbstractEventLoop] = None


def gate_for_this_loop(limit: int) -> TurnGate:
    """The gate of the running event loop (one per Sanic worker; a forked worker or a new loop
    in tests gets a fresh one)."""
    global _gate, _loop
    loop = asyncio.get_running_loop()
    if _gate is None or _loop is not loop:
        _gate, _loop = TurnGate(limit), loop
    return _gate


def waiting_now() -> int:
    return _gate.waiting if _gate is not None else 0
