"""A background writer: events are queued by the caller and written in batches by a thread."""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

from bot.events.sinks import Sink, call_all
from bot.events.store import EventStore, row_for

log = logging.getLogger(__name__)

_STOP = object()


class EventWriter:
    """Never blocks the caller: ``submit`` only puts the event on a queue (bounded; when full,
    the event is dropped and counted, the conversation goes on)."""

    def __init__(
        self,
        store_factory: Callable[[], EventStore],
        sinks: Sequence[Sink] = (),
        *,
        max_queue: int = 10000,
        batch: int = 200,
        retry_delay: float = 1.0,
    ) -> None:
        self._factory = store_factory
        self._store: Optional[EventStore] = None
        self.sinks = list(sinks)
        self.queue: "queue.Queue[Any]" = queue.Queue(maxsize=max_queue)
        self.batch = batch
        self.retry_delay = retry_delay
        self.dropped = 0
        self.written = 0
        self._thread = threading.Thread(target=self._run, name="pqrbot-event-writer", daemon=True)
        self._thread.start()

    def submit(self, event: Dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(event)
        except queue.Full:
            self.dropped += 1
            if self.dropped % 100 == 1:
                log.error("event queue full: %s event(s) dropped so far", self.dropped)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until everything submitted so far is written (tests, shutdown)."""
        done = threading.Event()
        self.queue.put(done)
        done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        self.queue.put(_STOP)
        self._thread.join(timeout)

    # ------------------------------------------------------------------ thread
    @property
    def store(self) -> EventStore:
        if self._store is None:
            self._store = self._factory()
        return self._store

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            items = [item]
            while len(items) < self.batch:
                try:
                    items.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            events = [i for i in items if isinstance(i, dict)]
            if events:
                self._write(events)
                for event in events:
                    call_all(self.sinks, event)
            for i in items:
                if isinstance(i, threading.Event):
                    i.set()
            if any(i is _STOP for i in items):
                return

    def _write(self, events: List[Dict[str, Any]]) -> None:
        rows = [r for r in (row_for(e) for e in events) if r]
        for attempt in range(3):
            try:
                self.written += self.store.add_many(rows)
                return
            except Exception:
                log.exception("could not store %s conversation event(s) (attempt %s)", len(rows), attempt + 1)
                time.sleep(self.retry_delay)
        self.dropped += len(rows)
