"""One SQLite file's writers, in every process of the host, queued on a kernel lock.

SQLite lets one writer at a time into a database file; a writer that finds the file locked is put
to sleep by SQLite's busy handler and tries again after 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50,
then 100 ms, whatever the holder does meanwhile. Under load (two Rasa workers, the worker, the
console's event writer all writing to one file) a transaction of a millisecond kept others
asleep for hundreds: up to 545 ms measured for one ``BEGIN IMMEDIATE``, on a Rasa worker's event
loop thread, which blocked every turn of that worker (issue 13).

``WriterLock`` takes an exclusive ``flock`` on ``<database>-writer.lock`` before the transaction
begins and drops it after the commit or rollback: a waiting writer sleeps in the kernel and is
woken as soon as the holder is done. SQLite's own locking stays underneath, unchanged (a writer
that does not use this lock, e.g. the ``sqlite3`` shell, is still serialised by SQLite).

- Each thread has its own descriptor of the lock file (``flock`` excludes open descriptions, so
  two threads of one process exclude each other), reopened in a forked child.
- Re-entrant per thread: a second write transaction that a thread opens on another connection
  while it holds the lock does not wait for itself (SQLite then behaves as it did without this).
- A process that dies holding the lock loses it with its descriptors.
- One instance per file in a process (``WriterLock.shared``): two instances in one thread would
  each wait for the other's descriptor (the CRM engine, a store with an engine of its own and the
  tracker store may all open write transactions on one file).
"""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from typing import Dict, Iterator, Union


class WriterLock:
    _instances: "Dict[str, WriterLock]" = {}
    _instances_lock = threading.Lock()

    def __init__(self, database: Union[str, os.PathLike]) -> None:
        self.path = f"{os.path.abspath(os.fspath(database))}-writer.lock"  # one file whatever the cwd
        self._local = threading.local()

    @classmethod
    def shared(cls, database: Union[str, os.PathLike]) -> "WriterLock":
        """The process's lock of this database file (re-entrant across its engines)."""
        key = os.path.abspath(os.fspath(database))
        with cls._instances_lock:
            lock = cls._instances.get(key)
            if lock is None:
                lock = cls._instances[key] = cls(key)
            return lock

    def _fd(self) -> int:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # new thread, or a forked child's copy
            local.fd = os.open(self.path, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
            local.pid, local.depth = os.getpid(), 0
        return local.fd

    @property
    def held(self) -> bool:
        return getattr(self._local, "pid", None) == os.getpid() and self._local.depth > 0

    def acquire(self) -> None:
        fd = self._fd()
        if self._local.depth == 0:
            fcntl.flock(fd, fcntl.LOCK_EX)  # the GIL is released while the thread waits
        self._local.depth += 1

    def release(self) -> None:
        if not self.held:
            return
        self._local.depth -= 1
        if self._local.depth == 0:
            fcntl.flock(self._local.fd, fcntl.LOCK_UN)

    @contextmanager
    def held_for(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()
