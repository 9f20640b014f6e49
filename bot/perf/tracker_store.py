"""Rasa's SQL tracker store without rereading the conversation on every message.

Rasa 3.6's ``SQLTrackerStore`` answers every ``retrieve`` by selecting all events of the
conversation's latest session, parsing each row's JSON and building every ``Event`` again; its
``save`` counts those rows once more, and with an event broker configured (pqrbot's
``PqrEventBroker``) ``stream_events`` retrieves the whole tracker a second time. That is most of the
19 % of the Rasa process's CPU that py-spy showed in ``_retrieve``, and it grows with the length
of the conversation.

``WindowedSQLTrackerStore`` keeps, per conversation, the parsed events of the latest session (the
*window*) and the id of the last row it has seen, in a bounded LRU cache in the process. Each
``retrieve``/``save`` reads only the rows written after that id (``WHERE sender_id = ? AND id > ?``,
normally none: one indexed look-up), so

- it stays correct with several Rasa workers or replicas sharing the database: rows another
  process wrote are picked up by the delta query (Rasa's lock store keeps one conversation's
  messages in one process at a time);
- the window follows Rasa's own rule exactly: the events whose timestamp is at least the latest
  ``session_started`` event's (``SQLTrackerStore._event_query``), recomputed when a new session
  starts; ``retrieve_full_tracker`` (all sessions) is Rasa's unchanged;
- a process that restarts (or a conversation evicted from the cache) rebuilds the window from
  the database once, the same way Rasa does.

The table and the rows are Rasa's (``events``): switching between the two stores keeps every
stored conversation.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Iterable, List, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME  # noqa: F401  (re-exported for tests)
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.perf import metrics
from core.writer_lock import WriterLock

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 5000


@dataclass
class _Window:
    last_id: int = 0
    session_start: Optional[float] = None  # timestamp of the latest session_started
    events: List[Event] = field(default_factory=list)

    def add(self, row_id: int, event: Event) -> None:
        if isinstance(event, SessionStarted):
            ts = event.timestamp
            if self.session_start is None or ts >= self.session_start:
                self.session_start = ts
                self.events = [e for e in self.events if e.timestamp is not None and e.timestamp >= ts]
        if self.session_start is None or (event.timestamp is not None and event.timestamp >= self.session_start):
            self.events.append(event)
        self.last_id = max(self.last_id, row_id)


def _insert_sqlite(conn: Any, insert: Any, rows: List[dict]) -> List[int]:
    """The rows in one ``executemany`` of the cached single-row INSERT (a turn that ends an
    intake stores about twenty events: one execution each had been most of the save), their ids
    read back from ``last_insert_rowid()``. They are consecutive: SQLite gives a new row of an
    ``INTEGER PRIMARY KEY`` table the largest id plus one, and the transaction holds the file's
    write lock. (A multi-row VALUES statement was slower: compiled anew for each number of rows.)"""
    if not rows:
        return []
    conn.execute(insert, rows)
    last = conn.exec_driver_sql("SELECT last_insert_rowid()").scalar()
    return list(range(last - len(rows) + 1, last + 1))


class WindowedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that reads each conversation's rows once per process (see module doc)."""

    engine: Any  # set by SQLTrackerStore.__init__ (pooled again on SQLite: _sqlite_wal)

    def __init__(self, *args: Any, cache_size: int = DEFAULT_CACHE_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The start-up patches also when Rasa was started by another entry than bot.rasa_server
        # (idempotent; the cached validator matters most).
        from bot.perf import rasa_patches

        rasa_patches.apply()
        self._writer: Optional[WriterLock] = None
        if self.engine.dialect.name == "sqlite":
            self._sqlite_wal()
            database = self.engine.url.database
            if database and database != ":memory:":
                self._writer = WriterLock.shared(database)
        self.cache_size = int(cache_size)
        self._windows: "OrderedDict[str, _Window]" = OrderedDict()
        self.rows_read = 0  # rows parsed since start (tests, metrics)

    def _sqlite_wal(self) -> None:
        """SQLite (embedded profile): write-ahead log with ``synchronous=NORMAL``. Rasa's default
        (rollback journal, ``FULL``) syncs the disk several times per saved turn, and the save runs
        on the server's event loop. In WAL mode ``NORMAL`` survives a crash of the process; only an
        operating-system crash or power loss may lose the last turns (PostgreSQL in production).

        Connections are pooled: SQLAlchemy 1.4 gives a file database ``NullPool``, which opened a
        new connection (and ran these pragmas) for every read and every save (issue 13)."""
        from sqlalchemy.pool import QueuePool

        self.engine.dispose()
        engine: Any = sa.create_engine(
            self.engine.url, poolclass=QueuePool, pool_size=4, connect_args={"check_same_thread": False}
        )
        self.engine = engine
        self.sessionmaker = sa.orm.session.sessionmaker(bind=engine)

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.close()

    # -- the window
    def _window(self, session: Any, sender_id: Text) -> _Window:
        # Core statements on the session's connection: the ORM's query building was a good part
        # of each turn's reads and writes here (issue 13); the rows and the table are the same.
        conn = session.connection()
        t = self.SQLEvent.__table__
        window = self._windows.get(sender_id)
        query = sa.select(t.c.id, t.c.data).where(t.c.sender_id == sender_id)
        if window is None:
            window = _Window()
            start = conn.execute(
                sa.select(sa.func.max(t.c.timestamp)).where(
                    t.c.sender_id == sender_id, t.c.type_name == SessionStarted.type_name
                )
            ).scalar()
            if start is not None:
                window.session_start = start
                query = query.where(t.c.timestamp >= start)
        else:
            query = query.where(t.c.id > window.last_id)
        for row_id, data in conn.execute(query.order_by(t.c.id)).all():
            self.rows_read += 1
            window.add(row_id, Event.from_parameters(json.loads(data)))
        self._windows[sender_id] = window
        self._windows.move_to_end(sender_id)
        while len(self._windows) > self.cache_size:
            self._windows.popitem(last=False)
        return window

    def forget(self, sender_id: Optional[Text] = None) -> None:
        """Drop the cached window of one conversation (or all)."""
        if sender_id is None:
            self._windows.clear()
        else:
            self._windows.pop(sender_id, None)

    # -- TrackerStore
    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The tracker of the conversation's latest session, as Rasa's ``SQLTrackerStore``."""
        try:
            with self.session_scope() as session:
                window = self._window(session, sender_id)
        except Exception:
            self.forget(sender_id)
            raise
        if not self.domain or not window.events:
            return None
        return DialogueStateTracker.from_events(sender_id, list(window.events), self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the tracker's events that are not stored yet; stream them to the broker."""
        sender_id = tracker.sender_id
        try:
            with self.session_scope() as session:
                window = self._window(session, sender_id)
                new_events = list(tracker.events)[len(window.events) :]
                metrics.count_events(new_events)
                if self.event_broker is not None and new_events:
                    await self._stream_new_events(self.event_broker, new_events, sender_id)
                conn = session.connection()
                insert = self.SQLEvent.__table__.insert()
                rows = []
                for event in new_events:
                    data = event.as_dict()
                    rows.append(
                        dict(
                            sender_id=sender_id,
                            type_name=event.type_name,
                            timestamp=data.get("timestamp"),
                            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                            action_name=data.get("name"),
                            data=json.dumps(data),
                        )
                    )
                ids = []
                # SQLite: the workers' saves queue on the file's writer lock (``core.writer_lock``)
                # rather than in SQLite's busy handler, which slept up to 100 ms at a time on the
                # worker's event loop (about 4 % of its time under load, issue 13).
                if self._writer is None:  # PostgreSQL: each row's id as the database returns it
                    for row in rows:
                        ids.append(conn.execute(insert, row).inserted_primary_key[0])
                    session.commit()
                else:
                    with self._writer.held_for():
                        ids = _insert_sqlite(conn, insert, rows)
                        session.commit()
                # The rows are stored: the window takes them without reading them back. A row
                # written meanwhile by another process has a smaller id and would be missed:
                # re-read then.
                stale = bool(ids) and ids[0] != window.last_id + 1
                stale = stale and self._has_rows_between(session, sender_id, window.last_id, ids[0])
        except Exception:
            self.forget(sender_id)
            raise
        if stale:
            self.forget(sender_id)
            return
        for row_id, event in zip(ids, new_events, strict=False):
            window.add(row_id, event)

    def _has_rows_between(self, session: Any, sender_id: Text, low: int, high: int) -> bool:
        t = self.SQLEvent.__table__
        query = sa.select(t.c.id).where(t.c.sender_id == sender_id, t.c.id > low, t.c.id < high).limit(1)
        found = session.connection().execute(query).first() is not None
        session.commit()
        return found

    async def keys(self) -> Iterable[Text]:
        return await super().keys()
