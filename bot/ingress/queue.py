"""The durable inbound queue: a delivery is admitted once and marked done only after processing.

``admit`` records the provider's delivery id (the de-duplication key of ``channel_inbound_deliveries``)
and queues the message **in one transaction**: either both are stored or neither (the webhook then
answers 503 and the provider retries). A repeat of a delivery id is acknowledged, not queued.

Rows go ``pending`` -> ``processing`` (claimed by one worker) -> ``done``. A row is claimed only
when every earlier row of its conversation is finished, so one conversation's messages are
processed one at a time and in order, across processes and Rasa workers. A claim that is not
finished within the lease (a crash, a kill, a slow stop) goes back to ``pending`` and is processed
again: at least once. After ``MAX_ATTEMPTS`` claims a row is ``failed`` (kept for inspection).
"""

from __future__ import annotations

import json
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.ingress.schema import inbound_queue as Q

MAX_ATTEMPTS = 5
DEFAULT_LEASE_SECONDS = 120.0
UNFINISHED = ("pending", "processing")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def worker_id() -> str:
    return f"{socket.gethostname()}/{os.getpid()}"


# --------------------------------------------------------------------------- (de)serialising
def dump_message(m: Any, register: bool = False) -> str:
    """An ``InboundMessage`` as JSON (the mention text fetcher as its recipe, if it has one);
    ``register``: the consumer registers the conversation first (queued by the ingress process)."""
    return json.dumps(
        {
            "register": register,
            "delivery_id": m.delivery_id,
            "conversation_id": m.conversation_id,
            "address": m.address,
            "canal": m.canal,
            "text": m.text,
            "received_at": m.received_at.isoformat() if m.received_at else None,
            "public_ref": m.public_ref,
            "media": [
                {
                    "url": i.url,
                    "content_type": i.content_type,
                    "provider_message_id": i.provider_message_id,
                    "position": i.position,
                    "input_channel": i.input_channel,
                    "conversation_id": i.conversation_id,
                }
                for i in m.media
            ],
            "extra": m.extra,
            "metadata": m.metadata,
            "fetch": getattr(m.fetch_text, "recipe", None),
        },
        ensure_ascii=False,
        default=str,
    )


def load_message(payload: str, channel: Any = None) -> Any:
    from bot.channels.inbound import InboundMessage
    from bot.channels.media import MediaItem

    d = json.loads(payload)
    fetch = None
    if d.get("fetch") and channel is not None:  # e.g. Meta mentions: ["_fetcher", [args...]]
        name, args = d["fetch"]
        fetch = getattr(channel, name)(*[tuple(a) if isinstance(a, list) else a for a in args])
    return InboundMessage(
        delivery_id=d["delivery_id"],
        conversation_id=d["conversation_id"],
        address=d["address"],
        canal=d["canal"],
        text=d.get("text"),
        received_at=datetime.fromisoformat(d["received_at"]) if d.get("received_at") else utcnow(),
        public_ref=d.get("public_ref"),
        media=[MediaItem(**i) for i in d.get("media") or []],
        extra=d.get("extra") or {},
        metadata=d.get("metadata") or {},
        fetch_text=fetch,
    )


@dataclass
class Claimed:
    id: int
    provider: str
    channel: str
    conversation_id: str
    attempts: int
    payload: str


# --------------------------------------------------------------------------- queues
class InboundQueue:
    def admit(
        self, provider: str, channel: str, conversation_id: str, message: Any, register: bool = False
    ) -> Optional[int]:
        """Record the delivery and queue it; None when the delivery id was seen before."""
        raise NotImplementedError

    def claim_one(self, row_id: int, worker: str) -> Optional[Claimed]:
        """Claim that row if it is pending and its conversation has nothing earlier unfinished."""
        raise NotImplementedError

    def claim(self, channel: str, worker: str, limit: int) -> List[Claimed]:
        """Claim up to ``limit`` rows of the channel, oldest first, one per conversation."""
        raise NotImplementedError

    def done(self, row_id: int) -> None:
        raise NotImplementedError

    def release(self, row_id: int) -> None:
        """Back to pending (not processed: a stop came first)."""
        raise NotImplementedError

    def recover(self, lease_seconds: float = DEFAULT_LEASE_SECONDS, dead_workers: tuple = ()) -> int:
        """Claims older than the lease, or of workers known dead, go back to pending (or failed)."""
        raise NotImplementedError

    def depth(self) -> Dict[str, int]:
        """Rows per state (pending, processing, failed)."""
        raise NotImplementedError


class SqlInboundQueue(InboundQueue):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def admit(self, provider, channel, conversation_id, message, register=False):
        from bot.outbound import schema

        at = getattr(message, "received_at", None) or utcnow()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(schema.deliveries).values(
                        provider=provider, delivery_id=message.delivery_id[:200], received_at=at
                    )
                )
                return conn.execute(
                    insert(Q).values(
                        provider=provider,
                        delivery_id=message.delivery_id[:200],
                        channel=channel,
                        conversation_id=conversation_id,
                        payload=dump_message(message, register),
                        state="pending",
                        attempts=0,
                        received_at=at,
                    )
                ).inserted_primary_key[0]
        except IntegrityError:
            return None

    def _claim(self, conn, row_id: int, conversation_id: str, worker: str) -> bool:
        earlier = Q.alias("earlier")
        result = conn.execute(
            update(Q)
            .where(
                Q.c.id == row_id,
                Q.c.state == "pending",
                ~exists().where(
                    and_(
                        earlier.c.conversation_id == conversation_id,
                        earlier.c.id < row_id,
                        earlier.c.state.in_(UNFINISHED),
                    )
                ),
            )
            .values(state="processing", claimed_by=worker, claimed_at=utcnow(), attempts=Q.c.attempts + 1)
        )
        return result.rowcount == 1

    @staticmethod
    def _row(r) -> Claimed:
        return Claimed(r.id, r.provider, r.channel, r.conversation_id, r.attempts, r.payload)

    def claim_one(self, row_id, worker):
        with self.engine.begin() as conn:
            conv = conn.execute(select(Q.c.conversation_id).where(Q.c.id == row_id)).scalar()
            if conv is None or not self._claim(conn, row_id, conv, worker):
                return None
            return self._row(conn.execute(select(Q).where(Q.c.id == row_id)).one())

    def claim(self, channel, worker, limit):
        claimed: List[Claimed] = []
        with self.engine.begin() as conn:
            candidates = conn.execute(
                select(Q.c.id, Q.c.conversation_id)
                .where(Q.c.state == "pending", Q.c.channel == channel)
                .order_by(Q.c.id)
                .limit(limit * 4)
            ).all()
            taken = set()
            for row_id, conv in candidates:
                if len(claimed) >= limit:
                    break
                if conv in taken:
                    continue
                taken.add(conv)
                if self._claim(conn, row_id, conv, worker):
                    claimed.append(self._row(conn.execute(select(Q).where(Q.c.id == row_id)).one()))
        return claimed

    def done(self, row_id):
        with self.engine.begin() as conn:
            conn.execute(update(Q).where(Q.c.id == row_id).values(state="done", done_at=utcnow()))

    def release(self, row_id):
        with self.engine.begin() as conn:
            conn.execute(
                update(Q)
                .where(Q.c.id == row_id, Q.c.state == "processing")
                .values(state="pending", claimed_by=None, claimed_at=None)
            )

    def recover(self, lease_seconds=DEFAULT_LEASE_SECONDS, dead_workers=()):
        cutoff = utcnow() - timedelta(seconds=lease_seconds)
        stale = Q.c.state == "processing"
        cond = stale & (Q.c.claimed_at < cutoff)
        if dead_workers:
            cond = stale & ((Q.c.claimed_at < cutoff) | Q.c.claimed_by.in_(list(dead_workers)))
        with self.engine.begin() as conn:
            failed = conn.execute(
                update(Q).where(cond, Q.c.attempts >= MAX_ATTEMPTS).values(state="failed", done_at=utcnow())
            ).rowcount
            back = conn.execute(
                update(Q).where(cond).values(state="pending", claimed_by=None, claimed_at=None)
            ).rowcount
        return failed + back

    def local_claimers(self) -> List[str]:
        """Workers of this host holding claims (to find the ones whose process is gone)."""
        prefix = socket.gethostname() + "/"
        with self.engine.connect() as conn:
            return [
                w
                for (w,) in conn.execute(
                    select(Q.c.claimed_by)
                    .where(Q.c.state == "processing", Q.c.claimed_by.like(prefix + "%"))
                    .distinct()
                )
            ]

    def depth(self):
        with self.engine.connect() as conn:
            rows = conn.execute(select(Q.c.state, func.count()).where(Q.c.state != "done").group_by(Q.c.state)).all()
        out = {"pending": 0, "processing": 0, "failed": 0}
        out.update({state: n for state, n in rows})
        return out

    def prune(self, older_than: timedelta) -> int:
        from sqlalchemy import delete

        with self.engine.begin() as conn:
            return conn.execute(delete(Q).where(Q.c.state == "done", Q.c.done_at < utcnow() - older_than)).rowcount


class LocalInboundQueue(InboundQueue):
    """In-process queue over a ``DeliveryLog`` (tests and runtimes built without a database queue):
    same rules, not durable."""

    def __init__(self, deliveries: Any) -> None:
        self.deliveries = deliveries
        self.rows: Dict[int, dict] = {}
        self._lock = threading.Lock()
        self._next = 0

    def admit(self, provider, channel, conversation_id, message, register=False):
        if not self.deliveries.first_time(provider, message.delivery_id, getattr(message, "received_at", None)):
            return None
        with self._lock:
            self._next += 1
            self.rows[self._next] = {
                "id": self._next,
                "provider": provider,
                "channel": channel,
                "conversation_id": conversation_id,
                "payload": dump_message(message, register),
                "state": "pending",
                "attempts": 0,
                "claimed_by": None,
                "claimed_at": None,
            }
            return self._next

    def _claimable(self, row) -> bool:
        return row["state"] == "pending" and not any(
            r["conversation_id"] == row["conversation_id"] and r["id"] < row["id"] and r["state"] in UNFINISHED
            for r in self.rows.values()
        )

    def _take(self, row, worker) -> Claimed:
        row.update(state="processing", claimed_by=worker, claimed_at=utcnow(), attempts=row["attempts"] + 1)
        return Claimed(
            row["id"], row["provider"], row["channel"], row["conversation_id"], row["attempts"], row["payload"]
        )

    def claim_one(self, row_id, worker):
        with self._lock:
            row = self.rows.get(row_id)
            return self._take(row, worker) if row and self._claimable(row) else None

    def claim(self, channel, worker, limit):
        out: List[Claimed] = []
        with self._lock:
            for row in sorted(self.rows.values(), key=lambda r: r["id"]):
                if len(out) < limit and row["channel"] == channel and self._claimable(row):
                    out.append(self._take(row, worker))
        return out

    def done(self, row_id):
        with self._lock:
            self.rows.pop(row_id, None)

    def release(self, row_id):
        with self._lock:
            row = self.rows.get(row_id)
            if row and row["state"] == "processing":
                row.update(state="pending", claimed_by=None, claimed_at=None)

    def recover(self, lease_seconds=DEFAULT_LEASE_SECONDS, dead_workers=()):
        cutoff, n = utcnow() - timedelta(seconds=lease_seconds), 0
        with self._lock:
            for row in self.rows.values():
                if row["state"] == "processing" and (row["claimed_at"] < cutoff or row["claimed_by"] in dead_workers):
                    row.update(
                        state="failed" if row["attempts"] >= MAX_ATTEMPTS else "pending",
                        claimed_by=None,
                        claimed_at=None,
                    )
                    n += 1
        return n

    def depth(self):
        out = {"pending": 0, "processing": 0, "failed": 0}
        with self._lock:
            for row in self.rows.values():
                out[row["state"]] = out.get(row["state"], 0) + 1
        return out
