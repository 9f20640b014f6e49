"""Engine factory: one place that knows how to talk to SQLite and PostgreSQL."""

from __future__ import annotations

import os
import weakref
from pathlib import Path

from sqlalchemy import create_engine, event, pool
from sqlalchemy.engine import Engine, make_url


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

    On SQLite every transaction starts with ``BEGIN IMMEDIATE`` so that concurrent processes
    (Rasa server, action server, worker) serialise their writes instead of failing with
    "database is locked" half-way; WAL lets readers go on meanwhile.
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

        @event.listens_for(engine, "begin")
        def _on_begin(conn):  # pragma: no cover
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return _dispose_in_forked_child(engine)
    # A database that does not answer fails the connection in seconds instead of hanging a
    # customer's turn (the filing outbox takes over); the URL's own connect_timeout wins.
    connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": 10}
    return _dispose_in_forked_child(create_engine(url, future=True, pool_pre_ping=True, connect_args=connect_args))
