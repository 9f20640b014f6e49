"""Follow-ups in the database: schedule, cancel, claim (exactly once), complete, report.

Every process (action server, Rasa server, workers) shares state only through these tables.

Claiming: a worker takes one due row at a time and holds it with a lease (``claimed_by``,
``claimed_until``). On PostgreSQL the candidate row is locked with ``SELECT ... FOR UPDATE
SKIP LOCKED`` so concurrent workers pick different rows without waiting; on SQLite every
transaction starts with ``BEGIN IMMEDIATE`` (crm_adapter.db), so claims are serialised. The
claim UPDATE re-checks the row's state in its WHERE clause either way. A worker that dies
while holding a lease loses it when ``claimed_until`` passes; another worker then retries
(up to ``max_attempts``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, List, Optional

from sqlalchemy import func, insert, or_, select, true, update
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import IntegrityError

from bot.followups import schema as s
from bot.followups.schema import CANCELLED, FAILED, SCHEDULED, SENT, UNSENDABLE
from core.clock import aware, utcnow
from crm_adapter.db import make_engine, relaxed_durability
from crm_adapter.migrations import upgrade

f = s.followups
c = s.followup_conversations


def _iso(value: Optional[datetime]) -> Optional[str]:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class Followup:
    id: int
    conversation_id: str
    input_channel: str
    canal: str
    requested: Optional[str]
    asked_publicly: bool
    public_ref: Optional[str]
    status: str
    due_at: datetime
    requested_due_at: datetime
    last_inbound_at: Optional[datetime]
    window_ends_at: Optional[datetime]
    delivery: Optional[str]
    reason: Optional[str]
    attempts: int
    claimed_by: Optional[str]
    claimed_until: Optional[datetime]
    outbound_message_id: Optional[int]
    provider_message_id: Optional[str]
    created_at: datetime
    scheduled_at: datetime
    updated_at: datetime
    sent_at: Optional[datetime]
    cancelled_at: Optional[datetime]

    @classmethod
    def from_row(cls, row: Row) -> "Followup":
        names = {fld.name for fld in fields(cls)}
        data = {k: v for k, v in row._mapping.items() if k in names}  # tolerate newer columns
        for key, value in data.items():
            if isinstance(value, datetime):
                data[key] = aware(value)
        data["asked_publicly"] = bool(data["asked_publicly"])
        return cls(**data)

    def to_json(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        for key, value in asdict(self).items():
            out[key] = _iso(value) if isinstance(value, datetime) else value
        out["channel"] = self.input_channel
        return out


@dataclass(frozen=True)
class ConversationState:
    conversation_id: str
    closed_for_lack_of_info: bool
    closed_at: Optional[datetime]
    closed_by_followup: Optional[int]
    last_reply_at: Optional[datetime]


@dataclass(frozen=True)
class ClosingPlan:
    """When and how a conversation's closing goes out, decided when the assistant asks for data."""

    input_channel: str
    canal: str
    requested: Optional[str]
    due_at: datetime
    requested_due_at: datetime
    last_inbound_at: Optional[datetime]
    window_ends_at: Optional[datetime]
    asked_publicly: bool = False
    public_ref: Optional[str] = None

    def values(self, now: datetime) -> Dict[str, Any]:
        """The follow-up's columns this plan sets, scheduled at ``now``."""
        return dict(vars(self), scheduled_at=now, updated_at=now, reason=None)


def _unset_followup_columns() -> Dict[str, Any]:
    """The columns of a new follow-up that scheduling leaves empty."""
    return dict(
        delivery=None,
        claimed_by=None,
        claimed_until=None,
        outbound_message_id=None,
        provider_message_id=None,
        sent_at=None,
        cancelled_at=None,
    )


class FollowupStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # The bookkeeping of customers' turns (a reply, the next closing scheduled) is written on
        # every message: its commits are not synced one by one (``relaxed_durability``). Claims
        # and outcomes of sent closings keep durable commits.
        self._turns = relaxed_durability(engine)
        self._for_update = engine.dialect.name != "sqlite"

    @classmethod
    def from_url(cls, url: str, migrate: bool = True) -> "FollowupStore":
        engine = make_engine(url)
        if migrate:
            from bot.schema import history

            upgrade(engine, [history("followups")])
        return cls(engine)

    def dispose(self) -> None:
        self.engine.dispose()

    # ---------------------------------------------------------------- scheduling
    def schedule(self, conversation_id: str, plan: ClosingPlan, now: Optional[datetime] = None) -> Followup:
        """Schedule the closing of a conversation, replacing its pending one (if any)."""
        now = now or utcnow()
        values = plan.values(now)
        return self._retrying(lambda conn: self._schedule(conn, conversation_id, values, now))

    def _retrying(self, work: Callable[[Connection], Followup]) -> Followup:
        """``work`` in a write transaction, again if a concurrent scheduling of the same
        conversation won the race (unique pending follow-up per conversation)."""
        for attempt in range(3):
            try:
                with self._turns.begin() as conn:
                    return work(conn)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _schedule(self, conn: Connection, conversation_id: str, values: Dict[str, Any], now: datetime) -> Followup:
        pending = self._pending(conn, conversation_id)
        if pending is not None and not self._is_leased(pending, now):
            conn.execute(
                update(f)
                .where(f.c.id == pending.id, f.c.status == SCHEDULED)
                .values(attempts=0, claimed_by=None, claimed_until=None, **values)
            )
            fid = pending.id
        else:
            if pending is not None:  # a worker is sending it right now
                self._cancel_rows(conn, [pending.id], "replaced by a new data request", now)
            fid = conn.execute(
                insert(f).values(
                    conversation_id=conversation_id,
                    status=SCHEDULED,
                    attempts=0,
                    created_at=now,
                    **values,
                )
            ).inserted_primary_key[0]
        # Asking for data again means the intake is open: not closed any more.
        self._reopen(conn, conversation_id, now)
        return Followup.from_row(conn.execute(select(f).where(f.c.id == fid)).one())

    def cancel_pending(self, conversation_id: str, reason: str, now: Optional[datetime] = None) -> int:
        now = now or utcnow()
        with self.engine.begin() as conn:
            return self._cancel_pending(conn, conversation_id, reason, now)

    def customer_replied(self, conversation_id: str, now: Optional[datetime] = None) -> int:
        """Cancel the pending closing and remember the reply (a closing already being sent
        then does not mark the conversation closed)."""
        now = now or utcnow()
        with self._turns.begin() as conn:
            return self._customer_replied(conn, conversation_id, now)

    def customer_replied_and_scheduled(
        self, conversation_id: str, plan: ClosingPlan, now: Optional[datetime] = None
    ) -> Followup:
        """``customer_replied`` then ``schedule(plan)``, in one transaction: the turn of a
        customer who answered and was asked for the next datum (one commit instead of two)."""
        now = now or utcnow()
        row = dict(plan.values(now), conversation_id=conversation_id, status=SCHEDULED, attempts=0, created_at=now)

        def work(conn: Connection) -> Followup:
            # Three statements: the pending closing cancelled (nothing stays pending), the reply
            # and the open intake in the conversation's state, the new closing.
            self._cancel_pending(conn, conversation_id, "customer replied", now)
            self._upsert_state(conn, conversation_id, now, last_reply_at=now, closed_for_lack_of_info=False)
            fid = conn.execute(insert(f).values(**row)).inserted_primary_key[0]
            return Followup(**_unset_followup_columns(), **row, id=fid)

        return self._retrying(work)

    def _customer_replied(self, conn: Connection, conversation_id: str, now: datetime) -> int:
        n = self._cancel_pending(conn, conversation_id, "customer replied", now)
        self._upsert_state(conn, conversation_id, now, last_reply_at=now)
        return n

    def intake_finished(self, conversation_id: str, outcome: str, now: Optional[datetime] = None) -> int:
        now = now or utcnow()
        with self._turns.begin() as conn:
            n = self._cancel_pending(conn, conversation_id, f"intake finished: {outcome}", now)
            self._reopen(conn, conversation_id, now)
            return n

    # ------------------------------------------------------------------ claiming
    def claim_next(
        self,
        worker_id: str,
        *,
        now: Optional[datetime] = None,
        lease_seconds: float = 300.0,
        max_attempts: int = 3,
    ) -> Optional[Followup]:
        """Take the next due follow-up for this worker, or None. Exactly one worker gets it."""
        now = now or utcnow()
        while True:
            with self.engine.begin() as conn:
                query = (
                    select(f)
                    .where(
                        f.c.status == SCHEDULED,
                        f.c.due_at <= now,
                        or_(f.c.claimed_until.is_(None), f.c.claimed_until < now),
                    )
                    .order_by(f.c.due_at, f.c.id)
                    .limit(1)
                )
                if self._for_update:
                    query = query.with_for_update(skip_locked=True)
                row = conn.execute(query).first()
                if row is None:
                    return None
                if row.claimed_by is not None and row.attempts >= max_attempts:
                    # Its worker died while sending, too many times: give up, visibly.
                    conn.execute(
                        update(f)
                        .where(f.c.id == row.id, f.c.status == SCHEDULED)
                        .values(
                            status=FAILED,
                            reason=f"worker stopped while sending ({row.attempts} attempts, last by {row.claimed_by})",
                            claimed_by=None,
                            claimed_until=None,
                            updated_at=now,
                        )
                    )
                    self._close_conversation(conn, Followup.from_row(row), now)
                    continue
                claimed = conn.execute(
                    update(f)
                    .where(
                        f.c.id == row.id,
                        f.c.status == SCHEDULED,
                        f.c.due_at <= now,
                        or_(f.c.claimed_until.is_(None), f.c.claimed_until < now),
                    )
                    .values(
                        claimed_by=worker_id,
                        claimed_until=now + timedelta(seconds=lease_seconds),
                        attempts=f.c.attempts + 1,
                        updated_at=now,
                    )
                ).rowcount
                if claimed != 1:
                    continue
                return Followup.from_row(conn.execute(select(f).where(f.c.id == row.id)).one())

    def complete(
        self,
        followup: Followup,
        worker_id: str,
        *,
        status: str,
        reason: Optional[str],
        delivery: Optional[str] = None,
        outbound_message_id: Optional[int] = None,
        provider_message_id: Optional[str] = None,
        now: Optional[datetime] = None,
    ) -> bool:
        """Record the outcome of a claimed follow-up and, unless cancelled, mark the
        conversation closed for lack of information (the request is closed even when the
        message could not be delivered; the reason says why). False if the follow-up was cancelled
        or replaced while being sent (then the send is noted on the cancelled row)."""
        assert status in (SENT, UNSENDABLE, FAILED, CANCELLED)
        now = now or utcnow()
        sent_at = now if status == SENT else None
        cancelled_at = now if status == CANCELLED else None
        with self.engine.begin() as conn:
            done = conn.execute(
                update(f)
                .where(f.c.id == followup.id, f.c.status == SCHEDULED, f.c.claimed_by == worker_id)
                .values(
                    status=status,
                    reason=reason,
                    delivery=delivery,
                    outbound_message_id=outbound_message_id,
                    provider_message_id=provider_message_id,
                    claimed_by=None,
                    claimed_until=None,
                    sent_at=sent_at,
                    cancelled_at=cancelled_at,
                    updated_at=now,
                )
            ).rowcount
            if done == 1:
                if status != CANCELLED:
                    self._close_conversation(conn, followup, now)
                return True
            if status == SENT:  # cancelled meanwhile: keep the proof that it went out anyway
                current = conn.execute(select(f.c.reason).where(f.c.id == followup.id)).scalar()
                conn.execute(
                    update(f)
                    .where(f.c.id == followup.id)
                    .values(
                        reason=f"{current or 'cancelled'}; the closing had already been sent ({delivery})",
                        delivery=delivery,
                        sent_at=now,
                        outbound_message_id=outbound_message_id,
                        provider_message_id=provider_message_id,
                        updated_at=now,
                    )
                )
            return False

    def release(
        self,
        followup: Followup,
        worker_id: str,
        *,
        retry_at: datetime,
        reason: str,
        now: Optional[datetime] = None,
    ) -> bool:
        """Give a claimed follow-up back for a later retry (transient failure)."""
        now = now or utcnow()
        with self.engine.begin() as conn:
            return (
                conn.execute(
                    update(f)
                    .where(f.c.id == followup.id, f.c.status == SCHEDULED, f.c.claimed_by == worker_id)
                    .values(
                        due_at=retry_at,
                        reason=reason,
                        claimed_by=None,
                        claimed_until=None,
                        updated_at=now,
                    )
                ).rowcount
                == 1
            )

    # ----------------------------------------------------------------- reading
    def get(self, followup_id: int) -> Optional[Followup]:
        with self.engine.connect() as conn:
            row = conn.execute(select(f).where(f.c.id == followup_id)).first()
            return Followup.from_row(row) if row else None

    def list(
        self,
        status: Optional[str] = None,
        conversation_id: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> List[Followup]:
        query = select(f).order_by(f.c.created_at, f.c.id)
        if status:
            query = query.where(f.c.status == status)
        if conversation_id:
            query = query.where(f.c.conversation_id == conversation_id)
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [Followup.from_row(r) for r in conn.execute(query).all()]

    def pending(self, conversation_id: str) -> Optional[Followup]:
        with self.engine.connect() as conn:
            row = self._pending(conn, conversation_id)
            return Followup.from_row(row) if row else None

    def counts(self) -> Dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(f.c.status, func.count()).group_by(f.c.status)).all()
        return {status: n for status, n in rows}

    # --------------------------------------------------- conversation state
    def conversation_state(self, conversation_id: str) -> Optional[ConversationState]:
        with self.engine.connect() as conn:
            row = conn.execute(select(c).where(c.c.conversation_id == conversation_id)).first()
        if row is None:
            return None
        return ConversationState(
            conversation_id=row.conversation_id,
            closed_for_lack_of_info=bool(row.closed_for_lack_of_info),
            closed_at=aware(row.closed_at),
            closed_by_followup=row.closed_by_followup,
            last_reply_at=aware(row.last_reply_at),
        )

    def is_closed_for_lack_of_info(self, conversation_id: str) -> bool:
        state = self.conversation_state(conversation_id)
        return bool(state and state.closed_for_lack_of_info)

    def reopen(self, conversation_id: str, now: Optional[datetime] = None) -> bool:
        """Clear the "closed for lack of information" mark; True if it was set."""
        now = now or utcnow()
        with self.engine.begin() as conn:
            return self._reopen(conn, conversation_id, now)

    # ------------------------------------------------------------- internals
    @staticmethod
    def _pending(conn: Connection, conversation_id: str) -> Optional[Row]:
        return conn.execute(select(f).where(f.c.conversation_id == conversation_id, f.c.status == SCHEDULED)).first()

    @staticmethod
    def _is_leased(row: Row, now: datetime) -> bool:
        return row.claimed_by is not None and row.claimed_until is not None and (aware(row.claimed_until) >= now)

    @staticmethod
    def _cancel_pending(conn: Connection, conversation_id: str, reason: str, now: datetime) -> int:
        return conn.execute(
            update(f)
            .where(f.c.conversation_id == conversation_id, f.c.status == SCHEDULED)
            .values(status=CANCELLED, reason=reason, cancelled_at=now, updated_at=now)
        ).rowcount

    @staticmethod
    def _cancel_rows(conn: Connection, ids: List[int], reason: str, now: datetime) -> int:
        if not ids:
            return 0
        return conn.execute(
            update(f)
            .where(f.c.id.in_(ids), f.c.status == SCHEDULED)
            .values(status=CANCELLED, reason=reason, cancelled_at=now, updated_at=now)
        ).rowcount

    @staticmethod
    def _upsert_state(conn: Connection, conversation_id: str, now: datetime, **values: Any) -> None:
        updated = conn.execute(
            update(c).where(c.c.conversation_id == conversation_id).values(updated_at=now, **values)
        ).rowcount
        if not updated:  # a concurrent first insert (PostgreSQL) fails on the key: the caller retries
            values.setdefault("closed_for_lack_of_info", False)
            conn.execute(insert(c).values(conversation_id=conversation_id, updated_at=now, **values))

    def _reopen(self, conn: Connection, conversation_id: str, now: datetime) -> bool:
        return (
            conn.execute(
                update(c)
                .where(c.c.conversation_id == conversation_id, c.c.closed_for_lack_of_info == true())
                .values(closed_for_lack_of_info=False, updated_at=now)
            ).rowcount
            == 1
        )

    def _close_conversation(self, conn: Connection, followup: Followup, now: datetime) -> None:
        state = conn.execute(select(c.c.last_reply_at).where(c.c.conversation_id == followup.conversation_id)).first()
        last_reply = aware(state.last_reply_at) if state else None
        if last_reply is not None and last_reply > followup.scheduled_at:
            return  # the customer answered while the closing was going out: keep it open
        self._upsert_state(
            conn,
            followup.conversation_id,
            now,
            closed_for_lack_of_info=True,
            closed_at=now,
            closed_by_followup=followup.id,
        )


__all__ = [
    "ClosingPlan",
    "Followup",
    "FollowupStore",
    "ConversationState",
    "utcnow",
    "SCHEDULED",
    "SENT",
    "CANCELLED",
    "FAILED",
    "UNSENDABLE",
]
