"""Delivery ids already seen: a provider's retry of a delivery is acknowledged, not processed.

The primary key (provider, delivery_id) decides: the first insert wins, in one process or
across workers and restarts.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Optional, Set, Tuple

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.outbound import schema
from core.clock import utcnow


class DeliveryLog:
    def first_time(self, provider: str, delivery_id: str, at: Optional[datetime] = None) -> bool:
        """Record the delivery; True the first time it is seen, False for a repeat."""
        raise NotImplementedError

    def prune(self, older_than: timedelta) -> int:
        """Forget deliveries older than that (providers stop retrying after hours)."""
        raise NotImplementedError


class InMemoryDeliveryLog(DeliveryLog):
    def __init__(self) -> None:
        self.seen: Set[Tuple[str, str]] = set()
        self._lock = threading.Lock()

    def first_time(self, provider, delivery_id, at=None):
        with self._lock:
            key = (provider, delivery_id)
            if key in self.seen:
                return False
            self.seen.add(key)
            return True

    def prune(self, older_than):
        return 0


class SqlDeliveryLog(DeliveryLog):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def first_time(self, provider, delivery_id, at=None):
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(schema.deliveries).values(
                        provider=provider, delivery_id=delivery_id[:200], received_at=at or utcnow()
                    )
                )
            return True
        except IntegrityError:
            return False

    def prune(self, older_than):
        t = schema.deliveries
        with self.engine.begin() as conn:
            return conn.execute(delete(t).where(t.c.received_at < utcnow() - older_than)).rowcount
