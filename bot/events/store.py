"""Writing and reading the conversation events table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Optional

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from bot.events import schema
from core.clock import aware, utcnow
from crm_adapter.db import relaxed_durability

t = schema.conversation_events
# Rasa event names mapped to the kinds kept.
_RASA_KINDS = {
    "user": schema.USER,
    "bot": schema.BOT,
    "slot": schema.SLOT,
    "action": schema.ACTION,
    "pause": schema.PAUSE,
    "resume": schema.RESUME,
}
# Slots that are bookkeeping, not intake data: not stored.
_SKIPPED_SLOTS = {"requested_slot", "session_started_metadata"}
# Actions every turn runs: nothing to learn from them.
_SKIPPED_ACTIONS = {"action_listen", "action_session_start", "action_unlikely_intent"}


def _json(value: Any) -> Optional[str]:
    if value in (None, {}, []):
        return None
    return json.dumps(value, ensure_ascii=False, default=str)


def row_for(event: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The row to store for one Rasa event dict, or None when the event is not kept."""
    kind = _RASA_KINDS.get(event.get("event"))
    sender = event.get("sender_id")
    if kind is None or not sender:
        return None
    ts = event.get("timestamp")
    at = datetime.fromtimestamp(float(ts), tz=timezone.utc) if ts else utcnow()
    row: Dict[str, Any] = {
        "conversation_id": str(sender)[:255],
        "kind": kind,
        "at": at,
        "input_channel": event.get("input_channel"),
        "text": None,
        "name": None,
        "value": None,
        "intent": None,
        "confidence": None,
        "metadata": None,
        "data": None,
    }
    if kind == schema.USER:
        intent = (event.get("parse_data") or {}).get("intent") or {}
        row.update(
            text=event.get("text"),
            intent=intent.get("name"),
            confidence=intent.get("confidence"),
            metadata=_json(event.get("metadata")),
        )
    elif kind == schema.BOT:
        data = {k: v for k, v in (event.get("data") or {}).items() if v not in (None, [], {})}
        if not event.get("text") and not data:
            return None
        row.update(text=event.get("text"), data=_json(data), metadata=_json(event.get("metadata")))
    elif kind == schema.SLOT:
        if event.get("name") in _SKIPPED_SLOTS:
            return None
        row.update(name=event.get("name"), value=json.dumps(event.get("value"), ensure_ascii=False, default=str))
    elif kind == schema.ACTION:
        if event.get("name") in _SKIPPED_ACTIONS or not event.get("name"):
            return None
        row.update(name=event.get("name"))
    return row


@dataclass(frozen=True)
class StoredEvent:
    id: int
    conversation_id: str
    kind: str
    at: datetime
    input_channel: Optional[str]
    text: Optional[str]
    name: Optional[str]
    value: Any
    intent: Optional[str]
    confidence: Optional[float]
    metadata: Dict[str, Any]
    data: Dict[str, Any]


def _stored(r) -> StoredEvent:
    return StoredEvent(
        id=r.id,
        conversation_id=r.conversation_id,
        kind=r.kind,
        at=aware(r.at),
        input_channel=r.input_channel,
        text=r.text,
        name=r.name,
        value=json.loads(r.value) if r.value else None,
        intent=r.intent,
        confidence=r.confidence,
        metadata=json.loads(r.metadata) if r.metadata else {},
        data=json.loads(r.data) if r.data else {},
    )


class EventStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # The console's copy of the conversation (Rasa's tracker holds the conversation itself):
        # appended for every event, its commits are not synced one by one.
        self._appends = relaxed_durability(engine)

    def add_many(self, rows: Iterable[Dict[str, Any]]) -> int:
        """One ``executemany`` of the cached single-row INSERT for the batch: not one execution
        per row (the writer thread holds the database's write lock meanwhile, and each execution
        gave up Python's GIL to the busy Rasa worker and waited to get it back), and not a
        multi-row VALUES statement either (compiled anew for each number of rows: slower still;
        issue 13)."""
        rows = list(rows)
        if not rows:
            return 0
        with self._appends.begin() as conn:
            conn.execute(insert(t), rows)
        return len(rows)

    def add_event(self, event: Dict[str, Any]) -> bool:
        row = row_for(event)
        return bool(row) and self.add_many([row]) == 1

    def for_conversation(self, conversation_id: str, kinds: Optional[Iterable[str]] = None) -> List[StoredEvent]:
        query = select(t).where(t.c.conversation_id == conversation_id).order_by(t.c.id)
        if kinds:
            query = query.where(t.c.kind.in_(list(kinds)))
        with self.engine.connect() as conn:
            return [_stored(r) for r in conn.execute(query)]

    def since(self, after_id: int, limit: int = 500) -> List[StoredEvent]:
        query = select(t).where(t.c.id > after_id).order_by(t.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [_stored(r) for r in conn.execute(query)]

    def between(self, start: datetime, end: datetime, kinds: Optional[Iterable[str]] = None) -> List[StoredEvent]:
        query = select(t).where(t.c.at >= start, t.c.at < end).order_by(t.c.id)
        if kinds:
            query = query.where(t.c.kind.in_(list(kinds)))
        with self.engine.connect() as conn:
            return [_stored(r) for r in conn.execute(query)]

    def last_id(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar_one()

    def conversations(self, limit: int = 500) -> List[Dict[str, Any]]:
        """Conversation ids with their channel, first and last event time, newest first."""
        query = (
            select(
                t.c.conversation_id,
                func.min(t.c.at).label("first_at"),
                func.max(t.c.at).label("last_at"),
                func.max(t.c.input_channel).label("input_channel"),
            )
            .group_by(t.c.conversation_id)
            .order_by(func.max(t.c.at).desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [
                {
                    "conversation_id": r.conversation_id,
                    "first_at": aware(r.first_at),
                    "last_at": aware(r.last_at),
                    "input_channel": r.input_channel,
                }
                for r in conn.execute(query)
            ]

    def last_user_messages(self, conversation_ids: Iterable[str]) -> Dict[str, StoredEvent]:
        ids = list(conversation_ids)
        if not ids:
            return {}
        latest = (
            select(func.max(t.c.id).label("id"))
            .where(t.c.kind == schema.USER, t.c.conversation_id.in_(ids))
            .group_by(t.c.conversation_id)
            .subquery()
        )
        with self.engine.connect() as conn:
            rows = conn.execute(select(t).where(t.c.id.in_(select(latest.c.id))))
            return {r.conversation_id: _stored(r) for r in rows}

    def input_channel_of(self, conversation_id: str) -> Optional[str]:
        """The channel of the customer's latest message (None when they never wrote)."""
        query = (
            select(t.c.input_channel)
            .where(t.c.conversation_id == conversation_id, t.c.kind == schema.USER)
            .order_by(t.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def conversations_with_slot_value(self, names: Iterable[str], fragment: str, limit: int = 200) -> List[str]:
        """Conversations where one of the slots ``names`` was set to a value containing ``fragment``."""
        query = (
            select(t.c.conversation_id)
            .where(t.c.kind == schema.SLOT, t.c.name.in_(list(names)), t.c.value.contains(fragment, autoescape=True))
            .distinct()
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [r.conversation_id for r in conn.execute(query)]

    def slots(self, conversation_id: str) -> Dict[str, Any]:
        """The latest value of each slot (None once reset)."""
        values: Dict[str, Any] = {}
        for ev in self.for_conversation(conversation_id, kinds=[schema.SLOT]):
            values[ev.name] = ev.value
        return values
