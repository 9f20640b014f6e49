"""Loops the long-running processes share."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Optional

log = logging.getLogger(__name__)


async def run_every(
    interval: float,
    stopping: Callable[[], bool],
    tick: Callable[[], object],
    name: str,
    executor: Optional[Executor] = None,
) -> None:
    """``tick()`` in a thread (of ``executor``, if given) every ``interval`` seconds until
    ``stopping()`` (looked at four times a second); a failing tick is logged and the next one runs."""
    loop = asyncio.get_running_loop()
    while not stopping():
        try:
            await loop.run_in_executor(executor, tick)
        except Exception:
            log.exception("%s failed", name)
        next_tick = loop.time() + interval
        while not stopping() and loop.time() < next_tick:
            await asyncio.sleep(min(0.25, next_tick - loop.time()))
