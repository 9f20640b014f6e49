"""Engine factory: one place that knows how to talk to SQLite and PostgreSQL."""

from __future__ import annotations

import os
import weakref
from pathlib import Path
from typing import Optional

from sqlalchemy import create_engine, event, pool
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.future import Connection as FutureConnection

from core.writer_lock import WriterLock


class _SqliteConnection(FutureConnection):
    """Knows whether its transaction was begun implicitly: ``engine.connect()`` followed by
    reads autobegins, ``engine.begin()`` (every write in this code base) begins explicitly.
    A write transaction holds the file's writer lock (``core.writer_lock``) from its begin to its
    commit or rollback."""

    _autobegun = False
    _writer: Optional[WriterLock] = None

    def _autobegin(self):  # noqa: ANN202
        self._autobegun = True
        try:
            return super()._autobegin()
        finally:
            self._autobegun = False

    def _drop_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.release()

    def _commit_impl(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        try:
            return super()._commit_impl(*args, **kwargs)
        finally:
            self._drop_writer()

    def _rollback_impl(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        try:
            return super()._rollback_impl(*args, **kwargs)
        finally:
            self._drop_writer()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._drop_writer()


_SYNCHRONOUS = "pqrbot_sqlite_synchronous"


def relaxed_durability(engine: Engine) -> Engine:
    """The same engine (pool, writer lock, schema) for data the product can afford to lose in an
    operating-system crash or a power cut, never in a process crash: the console's copy of the
    conversation events and the follow-up bookkeeping. On SQLite its write transactions commit
    with ``synchronous=NORMAL``: in WAL mode the commit is in the log, which is synced at the next
    checkpoint or at the next commit of a durable transaction (a PQR, a queued delivery), instead
    of an ``fsync`` per commit, paid with the file's writer lock held, on a Rasa worker's event
    loop for the follow-ups (issue 13). PostgreSQL: unchanged (its commits stay synchronous)."""
    if engine.dialect.name != "sqlite":
        return engine
    relaxed = engine.execution_options(**{_SYNCHRONOUS: "NORMAL"})
    relaxed._connection_cls = engine._connection_cls  # type: ignore[attr-defined]  # an instance attribute
    return relaxed


def _dispose_in_forked_child(engine: Engine) -> Engine:
    """Sanic workers (Rasa, action server) are forked after the engine exists: a child must not
    use the parent's pooled connections (SQLite or PostgreSQL), so it starts with a fresh pool."""
    ref = weakref.ref(engine)

    def _after_fork() -> None:
        e = ref()
        if e is not None:
            e.dispose(close=False)

    os.register_at_fork(after_in_child=_after_fork)
    return engine


def make_engine(url: str) -> Engine:
    """An engine in SQLAlchemy 2.0 style.

    On SQLite every ``engine.begin()`` transaction starts with ``BEGIN IMMEDIATE`` so that
    concurrent processes (Rasa server, action server, worker) serialise their writes instead of
    failing with "database is locked" half-way; WAL lets readers go on meanwhile. The writers of
    a file queue on its writer lock first (``core.writer_lock``), so a waiting writer starts as
    soon as the one before it is done. A read
    (``engine.connect()``, then queries) begins a plain deferred transaction: it reads a snapshot
    without waiting for the write lock (it had waited behind every other process's commit, a
    customer's turn with it, issue 13). Code that writes opens ``engine.begin()``.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # Customer data: the file is readable by its owner only (SQLite gives its journal
            # and WAL files the database file's permissions).
            os.close(os.open(parsed.database, os.O_CREAT | os.O_RDWR, 0o600))
            os.chmod(parsed.database, 0o600)
        # Pooled connections: SQLAlchemy 1.4 gives a file database NullPool, a new connection and
        # these pragmas for every transaction (a quarter of the action server's time, issue 13).
        # A connection never crosses a fork (_dispose_in_forked_child).
        engine = create_engine(
            url,
            future=True,
            poolclass=pool.QueuePool if parsed.database and parsed.database != ":memory:" else None,
            connect_args={"check_same_thread": False, "timeout": 30},
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            if parsed.database and parsed.database != ":memory:":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        engine._connection_cls = _SqliteConnection  # type: ignore[attr-defined]

        writer = WriterLock.shared(parsed.database) if parsed.database and parsed.database != ":memory:" else None

        @event.listens_for(engine, "begin")
        def _on_begin(conn):  # pragma: no cover
            if getattr(conn, "_autobegun", False):
                conn.exec_driver_sql("BEGIN")
                return
            if writer is not None and conn._writer is None:
                # queued in the kernel, woken when the holder is done (SQLite's busy handler slept
                # up to 100 ms at a time: issue 13)
                writer.acquire()
                conn._writer = writer
            try:
                synchronous = conn.get_execution_options().get(_SYNCHRONOUS, "FULL")
                info = conn.connection.info
                if info.get(_SYNCHRONOUS) != synchronous:  # a connection-wide pragma: set on change
                    conn.exec_driver_sql(f"PRAGMA synchronous={synchronous}")
                    info[_SYNCHRONOUS] = synchronous
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                conn._drop_writer()
                raise

        return _dispose_in_forked_child(engine)
    # A database that does not answer fails the connection in seconds instead of hanging a
    # customer's turn (the filing outbox takes over); the URL's own connect_timeout wins.
    connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": 10}
    return _dispose_in_forked_child(create_engine(url, future=True, pool_pre_ping=True, connect_args=connect_args))
