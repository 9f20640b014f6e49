"""The SQLite engine keeps its connections (issue 13) and still sets them up as before."""

from __future__ import annotations

from sqlalchemy import event, text

from crm_adapter.db import make_engine


def test_a_file_database_reuses_its_connections_with_wal_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'crm.db'}")
    connects = []
    event.listen(engine, "connect", lambda *_: connects.append(1))
    for i in range(20):
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS t (x int)"))
            conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": i})
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 20
    assert len(connects) == 1  # NullPool (SQLAlchemy 1.4's default for files) opened 21
    engine.dispose()


def test_a_memory_database_keeps_its_single_connection():
    engine = make_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x int)"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0


def test_a_read_does_not_wait_for_another_process_write_lock_and_writes_still_serialise(tmp_path):
    import sqlite3
    import threading
    import time

    path = tmp_path / "crm.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x int)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process is writing (and, say, syncing the disk)
    other.execute("INSERT INTO t VALUES (2)")
    start = time.monotonic()
    with engine.connect() as conn:  # a customer's turn reading its contract
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1  # the committed snapshot
    assert time.monotonic() - start < 2.0

    written = threading.Event()

    def write() -> None:
        with engine.begin() as conn:  # waits for the other writer, then goes through
            conn.execute(text("INSERT INTO t VALUES (3)"))
        written.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert not written.wait(0.5)
    other.execute("COMMIT")
    writer.join(10)
    assert written.is_set()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 3
    other.close()
    engine.dispose()
