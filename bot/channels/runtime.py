"""What a provider channel works with in the Rasa process: its stores, the outbound service and
the queue that runs each conversation's messages one after the other. Built by ``bot.bootstrap``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Optional

from bot.channels.deliveries import DeliveryLog
from bot.channels.media import MediaStore
from bot.logmask import mask, masked_logger
from bot.outbound.ports import Outbound
from bot.outbound.registry import AliasedConversationRegistry

logger = masked_logger(__name__)


class PerConversationQueue:
    """Runs background work, one task after the other per conversation (order preserved)."""

    def __init__(self) -> None:
        self._locks: Dict[str, asyncio.Lock] = {}
        self._pending: Dict[str, int] = {}
        self._tasks: set = set()

    def submit(self, key: str, work: Callable[[], Awaitable[Any]]) -> "asyncio.Task":
        self._pending[key] = self._pending.get(key, 0) + 1
        lock = self._locks.setdefault(key, asyncio.Lock())
        task = asyncio.get_running_loop().create_task(self._run(key, lock, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self, key: str, lock: asyncio.Lock, work: Callable[[], Awaitable[Any]]) -> None:
        try:
            async with lock:
                await work()
        except Exception:  # pragma: no cover - work() handles its own errors
            logger.exception("background work for %s failed", mask(key))
        finally:
            self._pending[key] -= 1
            if self._pending[key] == 0:
                self._pending.pop(key, None)
                self._locks.pop(key, None)

    @property
    def busy(self) -> int:
        return len(self._tasks)

    async def drain(self, timeout: Optional[float] = None) -> None:
        """Wait for the background work submitted so far (tests, graceful shutdown)."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._tasks:
            remaining = None if deadline is None else max(0.0, deadline - loop.time())
            done, _ = await asyncio.wait(list(self._tasks), timeout=remaining)
            if deadline is not None and loop.time() >= deadline:
                break


@dataclass
class ChannelRuntime:
    """The services a channel works with (one per process, or one per test)."""

    settings: Any
    registry: AliasedConversationRegistry
    outbound: Outbound
    deliveries: DeliveryLog
    media: MediaStore
    per_conversation: PerConversationQueue = field(default_factory=PerConversationQueue)
    # Durable inbound queue (bot/ingress/queue.py); None: an in-process one over ``deliveries``.
    queue: Any = None
    # False in the ingress process: it only admits deliveries, the Rasa process handles them.
    consume: bool = True

    @property
    def inbound_queue(self):
        if self.queue is None:
            from bot.ingress.queue import LocalInboundQueue

            self.queue = LocalInboundQueue(self.deliveries)
        return self.queue
