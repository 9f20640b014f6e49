"""The outbound log: every message sent (or tried) to a customer, with its delivery status.

It is the proof that the customer was informed (seed 002, 2.7: "dejando evidencia que
demuestre que el usuario fue informado") and what operations look at when a provider fails
(``pqrbot outbound --status failed``).
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Dict, List, Optional

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from bot.outbound import schema
from core.clock import aware, utcnow

PENDING = "pending"  # created, first attempt under way
RETRYING = "retrying"  # a transient error happened, waiting for the next attempt

KIND_TEXT = "text"
KIND_TEMPLATE = "template"
KIND_PUBLIC = "public_reply"


@dataclass(frozen=True)
class OutboundRecord:
    id: int
    conversation_id: str
    input_channel: Optional[str]
    canal: Optional[str]
    address: Optional[str]
    kind: str
    purpose: str
    body: Optional[str]
    template: Optional[str]
    variables: Dict[str, str] = field(default_factory=dict)
    status: str = PENDING
    attempts: int = 0
    provider_message_id: Optional[str] = None
    last_error: Optional[str] = None
    created_at: Optional[datetime] = None
    updated_at: Optional[datetime] = None
    sent_at: Optional[datetime] = None

    def as_json(self) -> dict:
        out = dict(self.__dict__)
        for key in ("created_at", "updated_at", "sent_at"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


class OutboundLog:
    """Interface (implemented in SQL and in memory)."""

    def create(
        self,
        *,
        conversation_id: str,
        input_channel: Optional[str],
        canal: Optional[str],
        address: Optional[str],
        kind: str,
        purpose: str,
        body: Optional[str] = None,
        template: Optional[str] = None,
        variables: Optional[Dict[str, str]] = None,
        status: str = PENDING,
        last_error: Optional[str] = None,
    ) -> int:
        raise NotImplementedError

    def update(
        self,
        message_id: int,
        *,
        status: str,
        attempts: int,
        provider_message_id: Optional[str] = None,
        last_error: Optional[str] = None,
    ) -> None:
        raise NotImplementedError

    def get(self, message_id: int) -> Optional[OutboundRecord]:
        raise NotImplementedError

    def list(
        self, *, status: Optional[str] = None, conversation_id: Optional[str] = None, limit: int = 100
    ) -> List[OutboundRecord]:
        """Newest first."""
        raise NotImplementedError


class InMemoryOutboundLog(OutboundLog):
    def __init__(self) -> None:
        self.records: Dict[int, OutboundRecord] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def create(
        self,
        *,
        conversation_id,
        input_channel,
        canal,
        address,
        kind,
        purpose,
        body=None,
        template=None,
        variables=None,
        status=PENDING,
        last_error=None,
    ) -> int:
        with self._lock:
            now = utcnow()
            message_id = next(self._ids)
            self.records[message_id] = OutboundRecord(
                id=message_id,
                conversation_id=conversation_id,
                input_channel=input_channel,
                canal=canal,
                address=address,
                kind=kind,
                purpose=purpose,
                body=body,
                template=template,
                variables=dict(variables or {}),
                status=status,
                attempts=0,
                last_error=last_error,
                created_at=now,
                updated_at=now,
            )
            return message_id

    def update(self, message_id, *, status, attempts, provider_message_id=None, last_error=None):
        with self._lock:
            old = self.records[message_id]
            now = utcnow()
            self.records[message_id] = replace(
                old,
                status=status,
                attempts=attempts,
                provider_message_id=provider_message_id or old.provider_message_id,
                last_error=last_error,
                updated_at=now,
                sent_at=now if status == "sent" else old.sent_at,
            )

    def get(self, message_id):
        return self.records.get(message_id)

    def list(self, *, status=None, conversation_id=None, limit=100):
        rows = [
            r
            for r in self.records.values()
            if (status is None or r.status == status)
            and (conversation_id is None or r.conversation_id == conversation_id)
        ]
        return sorted(rows, key=lambda r: r.id, reverse=True)[:limit]


class SqlOutboundLog(OutboundLog):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._t = schema.outbound_messages

    def create(
        self,
        *,
        conversation_id,
        input_channel,
        canal,
        address,
        kind,
        purpose,
        body=None,
        template=None,
        variables=None,
        status=PENDING,
        last_error=None,
    ) -> int:
        now = utcnow()
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(self._t).values(
                    conversation_id=conversation_id,
                    input_channel=input_channel,
                    canal=canal,
                    address=address,
                    kind=kind,
                    purpose=purpose,
                    body=body,
                    template=template,
                    variables=json.dumps(variables or {}, ensure_ascii=False, sort_keys=True),
                    status=status,
                    attempts=0,
                    last_error=last_error,
                    created_at=now,
                    updated_at=now,
                )
            )
            return int(result.inserted_primary_key[0])

    def update(self, message_id, *, status, attempts, provider_message_id=None, last_error=None):
        now = utcnow()
        values = dict(status=status, attempts=attempts, last_error=last_error, updated_at=now)
        if provider_message_id:
            values["provider_message_id"] = provider_message_id
        if status == "sent":
            values["sent_at"] = now
        with self.engine.begin() as conn:
            conn.execute(update(self._t).where(self._t.c.id == message_id).values(**values))

    def _record(self, row) -> OutboundRecord:
        return OutboundRecord(
            id=row["id"],
            conversation_id=row["conversation_id"],
            input_channel=row["input_channel"],
            canal=row["canal"],
            address=row["address"],
            kind=row["kind"],
            purpose=row["purpose"],
            body=row["body"],
            template=row["template"],
            variables=json.loads(row["variables"] or "{}"),
            status=row["status"],
            attempts=row["attempts"],
            provider_message_id=row["provider_message_id"],
            last_error=row["last_error"],
            created_at=aware(row["created_at"]),
            updated_at=aware(row["updated_at"]),
            sent_at=aware(row["sent_at"]),
        )

    def get(self, message_id):
        with self.engine.connect() as conn:
            row = conn.execute(select(self._t).where(self._t.c.id == message_id)).mappings().first()
        return self._record(row) if row else None

    def list(self, *, status=None, conversation_id=None, limit=100):
        query = select(self._t).order_by(self._t.c.id.desc()).limit(limit)
        if status:
            query = query.where(self._t.c.status == status)
        if conversation_id:
            query = query.where(self._t.c.conversation_id == conversation_id)
        with self.engine.connect() as conn:
            return [self._record(r) for r in conn.execute(query).mappings()]
