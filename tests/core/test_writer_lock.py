"""The writer lock: one writer at a time across threads and processes, re-entrant in a thread,
always released (commit, rollback, failed begin), and on every SQLite engine and shared file."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from core.shared_sqlite import SharedSqlite
from core.writer_lock import WriterLock
from crm_adapter.db import make_engine


def _other_thread_gets_it(lock: WriterLock, wait: float = 0.3) -> bool:
    got = threading.Event()

    def take() -> None:
        lock.acquire()
        got.set()
        lock.release()

    t = threading.Thread(target=take, daemon=True)
    t.start()
    return got.wait(wait)


def test_threads_exclude_each_other_and_the_waiter_goes_on_after_the_release(tmp_path):
    lock = WriterLock(tmp_path / "x.db")
    lock.acquire()
    assert lock.held
    assert not _other_thread_gets_it(lock)  # blocked while held (its thread keeps waiting)
    lock.release()
    assert not lock.held
    assert _other_thread_gets_it(lock, wait=5)


def test_reentrant_in_one_thread(tmp_path):
    lock = WriterLock(tmp_path / "x.db")
    lock.acquire()
    lock.acquire()  # a second write transaction opened by the same thread does not wait for itself
    lock.release()
    assert lock.held and not _other_thread_gets_it(lock, wait=0.1)
    lock.release()
    assert _other_thread_gets_it(lock, wait=5)
    lock.release()  # one release too many does nothing
    assert _other_thread_gets_it(lock, wait=5)


def _hold_in_child(path, holding, release) -> None:  # pragma: no cover - runs in the child
    lock = WriterLock(path)
    lock.acquire()
    holding.set()
    release.wait(10)
    lock.release()


def test_processes_exclude_each_other(tmp_path):
    ctx = multiprocessing.get_context("fork")
    holding, release = ctx.Event(), ctx.Event()
    child = ctx.Process(target=_hold_in_child, args=(tmp_path / "x.db", holding, release))
    child.start()
    try:
        assert holding.wait(10)
        lock = WriterLock(tmp_path / "x.db")
        assert not _other_thread_gets_it(lock)
        release.set()
        assert _other_thread_gets_it(lock, wait=5)
    finally:
        release.set()
        child.join(10)


def test_a_forked_child_does_not_share_its_parents_hold(tmp_path):
    ctx = multiprocessing.get_context("fork")
    lock = WriterLock(tmp_path / "x.db")
    lock.acquire()  # the parent holds it; the child inherits the object and must wait
    trying, result = ctx.Event(), ctx.Queue()

    def child() -> None:  # pragma: no cover - runs in the child
        trying.set()
        lock.acquire()
        result.put(time.time())
        lock.release()

    p = ctx.Process(target=child)
    p.start()
    assert trying.wait(30)
    time.sleep(0.3)
    released_at = time.time()
    lock.release()
    acquired_at = result.get(timeout=30)
    p.join(10)
    assert acquired_at >= released_at  # it got the lock only once the parent let it go


def test_an_engine_write_holds_the_lock_until_commit_and_a_failed_write_releases_it(tmp_path):
    path = tmp_path / "crm.db"
    engine = make_engine(f"sqlite:///{path}")
    probe = WriterLock(path)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x int PRIMARY KEY)"))
        assert not _other_thread_gets_it(probe, wait=0.1)
    assert _other_thread_gets_it(probe, wait=5)

    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))  # integrity error: rolled back
    assert _other_thread_gets_it(probe, wait=5)

    with engine.connect() as conn:  # a read takes no writer lock
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0
        assert _other_thread_gets_it(probe, wait=5)
    engine.dispose()


def test_a_begin_that_fails_releases_the_lock(tmp_path):
    import sqlite3

    path = tmp_path / "crm.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x int)"))
    engine.dispose()
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")  # a writer outside the lock (the sqlite3 shell, say)
    quick = make_engine(f"sqlite:///{path}")
    from sqlalchemy import event

    event.listen(quick, "connect", lambda dbapi, _r: dbapi.execute("PRAGMA busy_timeout=100"))
    with pytest.raises(OperationalError):
        with quick.begin() as conn:  # SQLite says "database is locked" after 100 ms
            conn.execute(text("INSERT INTO t VALUES (1)"))
    other.execute("ROLLBACK")
    other.close()
    assert _other_thread_gets_it(WriterLock(path), wait=5)
    with quick.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (2)"))
    quick.dispose()


def test_shared_sqlite_transactions_hold_the_lock(tmp_path):
    db = SharedSqlite(tmp_path / "locks.db", timeout=5, schema=["CREATE TABLE IF NOT EXISTS t (x int)"])
    probe = WriterLock(tmp_path / "locks.db")
    with db.transaction() as conn:
        conn.execute("INSERT INTO t VALUES (1)")
        assert not _other_thread_gets_it(probe, wait=0.1)
    assert _other_thread_gets_it(probe, wait=5)
    with pytest.raises(RuntimeError):
        with db.transaction() as conn:
            conn.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("boom")
    assert _other_thread_gets_it(probe, wait=5)
    assert db.connection().execute("SELECT count(*) FROM t").fetchone()[0] == 1
