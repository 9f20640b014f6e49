"""Feeds queued deliveries of one channel to the assistant, inside the Rasa process.

Started by each provider channel when Rasa's server starts (``WebhookChannel.prepared``). It claims
rows that another process queued (the ingress process, another Rasa worker that stopped, a
previous run that crashed) and hands them to the channel's per-conversation dispatcher; a row is
marked done only after the assistant has handled the message. Deliveries accepted by this same
process skip the polling (``WebhookChannel.accept`` submits them at once).

A row claimed again after a crash may already have reached the assistant (the crash came after
Rasa stored the message, before the row was marked done): when Rasa's tracker already holds a
user message with the delivery's ``message_id`` it is marked done without a second answer.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Awaitable, Callable, Optional, Set

from bot.ingress.queue import DEFAULT_LEASE_SECONDS, Claimed, worker_id

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2
RECOVER_EVERY_SECONDS = 15.0
MAX_IN_FLIGHT = 32


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


class QueueConsumer:
    def __init__(
        self,
        channel: Any,
        *,
        poll_seconds: float = POLL_SECONDS,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        self.channel = channel
        self.poll_seconds = poll_seconds
        self.lease_seconds = lease_seconds
        self.max_in_flight = max_in_flight
        self.worker = worker_id()
        self.in_flight: Set[int] = set()
        self._wake = asyncio.Event()
        self._task: Optional[asyncio.Task] = None
        self._stopping = False

    @property
    def queue(self):
        return self.channel.runtime.inbound_queue

    def start(self, on_new_message: Callable[[Any], Awaitable[Any]], seen: Optional[Callable] = None) -> None:
        self.on_new_message, self.seen = on_new_message, seen
        self._task = asyncio.get_running_loop().create_task(self._loop())

    def wake(self) -> None:
        self._wake.set()

    async def _recover(self) -> None:
        dead = ()
        local = getattr(self.queue, "local_claimers", None)
        if local is not None:
            claimers = await asyncio.to_thread(local)
            dead = tuple(
                w
                for w in claimers
                if w != self.worker and w.rsplit("/", 1)[-1].isdigit() and not _pid_alive(int(w.rsplit("/", 1)[-1]))
            )
        n = await asyncio.to_thread(self.queue.recover, self.lease_seconds, dead)
        if n:
            logger.warning("inbound queue: %d unfinished deliveries back in the queue", n)

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_recover = 0.0
        while not self._stopping:
            try:
                if loop.time() >= next_recover:
                    await self._recover()
                    next_recover = loop.time() + RECOVER_EVERY_SECONDS
                room = self.max_in_flight - len(self.in_flight)
                claimed = (
                    await asyncio.to_thread(self.queue.claim, self.channel.name(), self.worker, room)
                    if room > 0
                    else []
                )
                for row in claimed:
                    self.submit(row)
                if claimed:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("inbound queue of %s: poll failed", self.channel.name())
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except asyncio.TimeoutError:
                pass

    def submit(self, row: Claimed, message: Any = None) -> None:
        self.in_flight.add(row.id)
        self.channel.runtime.per_conversation.submit(row.conversation_id, lambda: self._handle(row, message))

    async def _handle(self, row: Claimed, message: Any) -> None:
        try:
            await self.channel.process_claimed(row, self.on_new_message, message=message, seen=self.seen)
            await asyncio.to_thread(self.queue.done, row.id)
        finally:
            self.in_flight.discard(row.id)

    async def stop(self, drain_timeout: float = 10.0) -> None:
        """Stop claiming, let the work under way finish, give back what did not."""
        self._stopping = True
        self.wake()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        await self.channel.runtime.per_conversation.drain(timeout=drain_timeout)
        for row_id in list(self.in_flight):
            await asyncio.to_thread(self.queue.release, row_id)
