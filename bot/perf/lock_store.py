"""Rasa lock store in a SQLite file: several Rasa workers on one host without Redis.

Rasa serialises the messages of one conversation with a ticket lock (``rasa.core.lock``) kept in a
lock store; it refuses several Sanic workers with its in-process store. Redis is the production
choice (``PQRBOT_LOCK_STORE_URL``); for the embedded profile on one machine this store keeps the
same ticket locks in ``<data>/run/locks.db``. Every read-modify-write of a lock (issuing a ticket,
finishing one, dropping expired ones) runs inside one ``BEGIN IMMEDIATE`` transaction, so it is
atomic across processes (Rasa's Redis store does these as separate get/set calls).

endpoints.yml: ``lock_store: {type: bot.perf.lock_store.SqliteLockStore, path: <file>}``
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Callable, Optional, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from core.shared_sqlite import SharedSqlite


class SqliteLockStore(LockStore):
    def __init__(self, path: Optional[Text] = None, endpoint_config: Optional[EndpointConfig] = None, **_: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store named by module path
            path = (endpoint_config.kwargs or {}).get("path", path)
        self.path = str(path or "locks.db")
        self._db = SharedSqlite(
            self.path,
            timeout=30,
            schema=["CREATE TABLE IF NOT EXISTS rasa_locks (conversation_id TEXT PRIMARY KEY, data TEXT NOT NULL)"],
        )
        self._db.connection()  # the file and its table exist from the start

    @staticmethod
    def _read(conn: sqlite3.Connection, conversation_id: Text) -> Optional[TicketLock]:
        row = conn.execute("SELECT data FROM rasa_locks WHERE conversation_id = ?", (conversation_id,)).fetchone()
        return TicketLock.from_dict(json.loads(row[0])) if row else None

    @staticmethod
    def _write(conn: sqlite3.Connection, lock: TicketLock) -> None:
        conn.execute(
            "INSERT INTO rasa_locks (conversation_id, data) VALUES (?, ?) "
            "ON CONFLICT(conversation_id) DO UPDATE SET data = excluded.data",
            (lock.conversation_id, lock.dumps()),
        )

    def _atomic(self, conversation_id: Text, change: Callable[[Optional[TicketLock]], Any]) -> Any:
        with self._db.transaction() as conn:
            lock = self._read(conn, conversation_id)
            result = change(lock)
            if lock is not None:
                self._write(conn, lock)
            return result

    # -- LockStore
    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        return self._read(self._db.connection(), conversation_id)

    def delete_lock(self, conversation_id: Text) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM rasa_locks WHERE conversation_id = ?", (conversation_id,))

    def save_lock(self, lock: TicketLock) -> None:
        with self._db.transaction() as conn:
            self._write(conn, lock)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = 60) -> int:
        try:
            with self._db.transaction() as conn:
                lock = self._read(conn, conversation_id) or self.create_lock(conversation_id)
                ticket = lock.issue_ticket(lock_lifetime)
                self._write(conn, lock)
                return ticket
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def update_lock(self, conversation_id: Text) -> None:
        self._atomic(conversation_id, lambda lock: lock and lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self._atomic(conversation_id, lambda lock: lock and lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        with self._db.transaction() as conn:
            lock = self._read(conn, conversation_id)
            if lock is None:
                return
            lock.remove_ticket_for(ticket_number)
            if lock.is_someone_waiting():
                self._write(conn, lock)
            else:
                conn.execute("DELETE FROM rasa_locks WHERE conversation_id = ?", (conversation_id,))
