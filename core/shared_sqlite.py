"""A small SQLite file that the processes of one host share (Rasa's locks, rate-limit counters).

One connection per thread and per process (a forked Sanic worker opens its own), write-ahead log
with ``synchronous=NORMAL`` (a process crash loses nothing; an operating-system crash may forget
the last writes, which these counters and locks can afford), and ``transaction()``: ``BEGIN
IMMEDIATE`` ... ``COMMIT``, so a read-modify-write is atomic across processes; its writers queue
on the file's writer lock (``core.writer_lock``).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence, Union

from core.writer_lock import WriterLock


class SharedSqlite:
    def __init__(
        self, path: Union[str, Path], *, timeout: float, schema: Sequence[str] = (), private: bool = False
    ) -> None:
        """``schema``: statements run on each new connection (``CREATE ... IF NOT EXISTS``);
        ``private``: the file is created readable by its owner only (0600)."""
        self.path = Path(path)
        self.timeout, self.schema, self.private = timeout, tuple(schema), private
        self._local = threading.local()
        self._writer = WriterLock.shared(self.path)

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():  # new thread or forked worker
            self.path.absolute().parent.mkdir(parents=True, exist_ok=True)
            if self.private:
                os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
            conn = sqlite3.connect(str(self.path), timeout=self.timeout, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            for statement in self.schema:
                conn.execute(statement)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self.connection()
        with self._writer.held_for():  # queued in the kernel, not in SQLite's busy sleeps
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
