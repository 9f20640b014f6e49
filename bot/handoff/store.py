"""States of the hand-over in the database. Races are decided by conditional UPDATEs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Iterable, List, Optional

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.handoff import schema
from bot.handoff.schema import AGENT, BOT, CLOSED, MESSAGE, NOTE, WAITING
from core.clock import aware, utcnow

h = schema.handoffs


class HandoffConflict(Exception):
    """Another agent holds the conversation (or it is not held by the one acting)."""

    def __init__(self, message: str, holder: Optional[str] = None) -> None:
        super().__init__(message)
        self.holder = holder


@dataclass(frozen=True)
class Handoff:
    conversation_id: str
    state: str
    assigned_to: Optional[str] = None
    reason: Optional[str] = None
    input_channel: Optional[str] = None
    canal: Optional[str] = None
    data: Optional[Dict[str, Any]] = None
    waiting_since: Optional[datetime] = None
    taken_at: Optional[datetime] = None
    first_agent_reply_at: Optional[datetime] = None
    timeout_notified_at: Optional[datetime] = None
    outside_hours: bool = False
    updated_at: Optional[datetime] = None

    @classmethod
    def from_row(cls, r) -> "Handoff":
        return cls(
            conversation_id=r.conversation_id,
            state=r.state,
            assigned_to=r.assigned_to,
            reason=r.reason,
            input_channel=r.input_channel,
            canal=r.canal,
            data=json.loads(r.data) if r.data else None,
            waiting_since=aware(r.waiting_since),
            taken_at=aware(r.taken_at),
            first_agent_reply_at=aware(r.first_agent_reply_at),
            timeout_notified_at=aware(r.timeout_notified_at),
            outside_hours=bool(r.outside_hours),
            updated_at=aware(r.updated_at),
        )


@dataclass(frozen=True)
class AgentMessage:
    id: int
    conversation_id: str
    kind: str
    author: str
    author_name: Optional[str]
    text: str
    delivery: Optional[str]
    at: datetime


class HandoffStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------------ reading
    def get(self, conversation_id: str) -> Optional[Handoff]:
        with self.engine.connect() as conn:
            row = conn.execute(select(h).where(h.c.conversation_id == conversation_id)).first()
        return Handoff.from_row(row) if row else None

    def state_of(self, conversation_id: str) -> str:
        found = self.get(conversation_id)
        return found.state if found else BOT

    def is_held(self, conversation_id: str) -> bool:
        """A person holds the conversation: the assistant and the follow-ups stay quiet."""
        return self.state_of(conversation_id) == AGENT

    def list(self, state: Optional[str] = None) -> List[Handoff]:
        query = select(h).order_by(h.c.updated_at.desc())
        if state:
            query = query.where(h.c.state == state)
        with self.engine.connect() as conn:
            return [Handoff.from_row(r) for r in conn.execute(query)]

    def all_by_id(self, conversation_ids: Iterable[str]) -> Dict[str, Handoff]:
        ids = list(conversation_ids)
        if not ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(select(h).where(h.c.conversation_id.in_(ids)))
            return {r.conversation_id: Handoff.from_row(r) for r in rows}

    def transitions(self, since: Optional[datetime] = None) -> List[dict]:
        t = schema.transitions
        query = select(t).order_by(t.c.id)
        if since:
            query = query.where(t.c.at >= since)
        with self.engine.connect() as conn:
            return [dict(r._mapping, at=aware(r.at)) for r in conn.execute(query)]

    def messages(self, conversation_id: str, include_notes: bool = True) -> List[AgentMessage]:
        m = schema.messages
        query = select(m).where(m.c.conversation_id == conversation_id).order_by(m.c.id)
        if not include_notes:
            query = query.where(m.c.kind == MESSAGE)
        with self.engine.connect() as conn:
            return [
                AgentMessage(r.id, r.conversation_id, r.kind, r.author, r.author_name, r.text, r.delivery, aware(r.at))
                for r in conn.execute(query)
            ]

    def messages_after(self, conversation_id: str, after_id: int) -> List[AgentMessage]:
        """Agent messages (not notes) newer than ``after_id``: what the web chat page polls."""
        return [m for m in self.messages(conversation_id, include_notes=False) if m.id > after_id]

    # ------------------------------------------------------------------ changes
    def _ensure(self, conn: Connection, conversation_id: str, now: datetime, **values: Any) -> None:
        if conn.execute(select(h.c.conversation_id).where(h.c.conversation_id == conversation_id)).first():
            return
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(h).values(
                        conversation_id=conversation_id,
                        state=BOT,
                        created_at=now,
                        updated_at=now,
                        outside_hours=0,
                        **values,
                    )
                )
        except IntegrityError:
            pass  # created meanwhile by another process

    def _transition(
        self,
        conn: Connection,
        conversation_id: str,
        from_state: Optional[str],
        to_state: str,
        actor: Optional[str],
        reason: Optional[str],
        now: datetime,
    ) -> None:
        conn.execute(
            insert(schema.transitions).values(
                conversation_id=conversation_id,
                from_state=from_state,
                to_state=to_state,
                actor=actor,
                reason=reason,
                at=now,
            )
        )

    def request_agent(
        self,
        conversation_id: str,
        reason: str,
        *,
        input_channel: Optional[str] = None,
        canal: Optional[str] = None,
        data: Optional[Dict[str, Any]] = None,
        outside_hours: bool = False,
        now: Optional[datetime] = None,
    ) -> Handoff:
        """The assistant hands over: ``waiting`` (unless a person already holds it)."""
        now = now or utcnow()
        with self.engine.begin() as conn:
            self._ensure(conn, conversation_id, now, input_channel=input_channel, canal=canal)
            prev = conn.execute(select(h.c.state).where(h.c.conversation_id == conversation_id)).scalar_one()
            values: Dict[str, Any] = dict(
                state=WAITING,
                reason=reason,
                updated_at=now,
                data=json.dumps(data, ensure_ascii=False, default=str) if data else None,
                outside_hours=1 if outside_hours else 0,
                timeout_notified_at=None,
            )
            if input_channel:
                values.update(input_channel=input_channel, canal=canal)
            result = conn.execute(
                update(h).where(h.c.conversation_id == conversation_id, h.c.state != AGENT).values(**values)
            )
            if result.rowcount:
                # Keep the first waiting_since when asked again while already waiting.
                conn.execute(
                    update(h)
                    .where(h.c.conversation_id == conversation_id, h.c.waiting_since.is_(None))
                    .values(waiting_since=now)
                )
                if prev != WAITING:
                    self._transition(conn, conversation_id, prev, WAITING, "asistente", reason, now)
        return self.get(conversation_id)

    def take(self, conversation_id: str, agent: str, *, now: Optional[datetime] = None) -> Handoff:
        """The agent holds the conversation. HandoffConflict if another agent holds it."""
        now = now or utcnow()
        with self.engine.begin() as conn:
            self._ensure(conn, conversation_id, now)
            prev = conn.execute(select(h.c.state).where(h.c.conversation_id == conversation_id)).scalar_one()
            result = conn.execute(
                update(h)
                .where(h.c.conversation_id == conversation_id, or_(h.c.state != AGENT, h.c.assigned_to == agent))
                .values(state=AGENT, assigned_to=agent, taken_at=now, updated_at=now)
            )
            if result.rowcount != 1:
                holder = conn.execute(select(h.c.assigned_to).where(h.c.conversation_id == conversation_id)).scalar()
                raise HandoffConflict(f"la conversación ya la atiende {holder}", holder)
            if prev != AGENT:
                self._transition(conn, conversation_id, prev, AGENT, agent, "toma", now)
        return self.get(conversation_id)

    def transfer(
        self,
        conversation_id: str,
        from_agent: str,
        to_agent: str,
        *,
        force: bool = False,
        now: Optional[datetime] = None,
    ) -> Handoff:
        """Hand the conversation to another agent (``force``: an admin moves anyone's)."""
        now = now or utcnow()
        cond = [h.c.conversation_id == conversation_id, h.c.state == AGENT]
        if not force:
            cond.append(h.c.assigned_to == from_agent)
        with self.engine.begin() as conn:
            result = conn.execute(update(h).where(and_(*cond)).values(assigned_to=to_agent, updated_at=now))
            if result.rowcount != 1:
                holder = conn.execute(select(h.c.assigned_to).where(h.c.conversation_id == conversation_id)).scalar()
                raise HandoffConflict("no tienes esta conversación", holder)
            self._transition(conn, conversation_id, AGENT, AGENT, from_agent, f"transferida a {to_agent}", now)
        return self.get(conversation_id)

    def release(
        self, conversation_id: str, agent: str, *, resume: bool, force: bool = False, now: Optional[datetime] = None
    ) -> Handoff:
        """Hand back to the assistant (``resume``) or close. Only the holder (or ``force``)."""
        now = now or utcnow()
        to_state = BOT if resume else CLOSED
        with self.engine.begin() as conn:
            self._ensure(conn, conversation_id, now)
            row = conn.execute(select(h).where(h.c.conversation_id == conversation_id)).first()
            cond = [h.c.conversation_id == conversation_id]
            if not force:
                # The holder; or anyone when nobody holds it (closing a waiting conversation).
                cond.append(or_(h.c.assigned_to == agent, h.c.state != AGENT))
            result = conn.execute(
                update(h)
                .where(and_(*cond))
                .values(state=to_state, assigned_to=None, waiting_since=None, updated_at=now, timeout_notified_at=None)
            )
            if result.rowcount != 1:
                raise HandoffConflict("la conversación la atiende otra persona", row.assigned_to if row else None)
            self._transition(
                conn, conversation_id, row.state, to_state, agent, "devuelta al asistente" if resume else "cerrada", now
            )
        return self.get(conversation_id)

    def mark_timeout_notified(self, conversation_id: str, now: Optional[datetime] = None) -> bool:
        """True once per waiting period: the customer is told nobody could take it yet."""
        now = now or utcnow()
        with self.engine.begin() as conn:
            result = conn.execute(
                update(h)
                .where(h.c.conversation_id == conversation_id, h.c.state == WAITING, h.c.timeout_notified_at.is_(None))
                .values(timeout_notified_at=now)
            )
            return result.rowcount == 1

    def add_message(
        self,
        conversation_id: str,
        author: str,
        text: str,
        *,
        kind: str = MESSAGE,
        author_name: Optional[str] = None,
        delivery: Optional[str] = None,
        now: Optional[datetime] = None,
    ) -> int:
        now = now or utcnow()
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(schema.messages).values(
                    conversation_id=conversation_id,
                    kind=kind,
                    author=author,
                    author_name=author_name,
                    text=text,
                    delivery=delivery,
                    at=now,
                )
            )
            if kind == MESSAGE:
                conn.execute(
                    update(h)
                    .where(h.c.conversation_id == conversation_id, h.c.first_agent_reply_at.is_(None))
                    .values(first_agent_reply_at=now)
                )
            return int(result.inserted_primary_key[0])

    def set_delivery(self, message_id: int, delivery: str, outbound_message_id: Optional[int] = None) -> None:
        m = schema.messages
        with self.engine.begin() as conn:
            conn.execute(
                update(m).where(m.c.id == message_id).values(delivery=delivery, outbound_message_id=outbound_message_id)
            )

    def add_note(self, conversation_id: str, author: str, text: str, author_name: Optional[str] = None) -> int:
        return self.add_message(conversation_id, author, text, kind=NOTE, author_name=author_name)
