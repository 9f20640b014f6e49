"""The daily export job run by the worker: yesterday's PQRs e-mailed at ``PQRBOT_EXPORT_AT``
(America/Bogota), exactly once per day with any number of workers and across restarts.

Each day has one row in ``export_runs`` (``fecha`` is unique). From ``PQRBOT_EXPORT_AT`` on, every
worker tries to insert yesterday's row (only one insert wins) and to claim it with one
conditional UPDATE (status pending/retrying and due, or a sending row whose lease expired); the
UPDATE re-checks the state in its WHERE clause, so only one worker gets ``rowcount == 1`` on
SQLite and PostgreSQL alike. A failed send is retried with exponential backoff (1, 2, 4 ... min,
at most 1 h) up to ``max_attempts``, then stays ``failed``; ``pqrbot crm exportes`` lists them.
A day the worker was down for entirely is not sent later (only yesterday's is due); send it by
hand with ``pqrbot crm exporte --fecha D --out F --enviar``.
"""

from __future__ import annotations

import builtins
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.exports import schema as s
from bot.exports.mail import ExportConfigError, send_export
from bot.exports.workbook import export_day
from core.clock import aware, utcnow
from core.loops import run_every
from crm_adapter.deadline import BOGOTA

log = logging.getLogger("bot.exports.job")
runs = s.export_runs


def parse_export_at(text: str) -> time:
    try:
        hour, minute = (int(x) for x in (text or "06:00").strip().split(":"))
        return time(hour, minute)
    except (ValueError, TypeError):
        raise ExportConfigError(f"PQRBOT_EXPORT_AT must be HH:MM (America/Bogota), got {text!r}") from None


def due_day(now: datetime, export_at: time) -> date | None:
    """The day whose export is due at ``now``: yesterday, once ``export_at`` has passed today."""
    local = now.astimezone(BOGOTA)
    if local.time() < export_at:
        return None
    return local.date() - timedelta(days=1)


@dataclass(frozen=True)
class ExportRun:
    fecha: date
    status: str
    attempts: int
    pqr_count: int | None
    recipients: str | None
    last_error: str | None
    next_attempt_at: datetime | None
    claimed_by: str | None
    created_at: datetime | None
    updated_at: datetime | None
    sent_at: datetime | None

    def to_json(self) -> dict:
        def iso(v):
            return v.isoformat() if v else None

        return {
            "fecha": self.fecha.isoformat(),
            "status": self.status,
            "attempts": self.attempts,
            "pqr_count": self.pqr_count,
            "recipients": self.recipients,
            "last_error": self.last_error,
            "next_attempt_at": iso(self.next_attempt_at),
            "claimed_by": self.claimed_by,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "sent_at": iso(self.sent_at),
        }


class ExportRunStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def ensure(self, fecha: date, now: datetime) -> None:
        try:
            with self.engine.begin() as conn:
                if conn.execute(select(runs.c.id).where(runs.c.fecha == fecha)).first():
                    return
                conn.execute(
                    insert(runs).values(
                        fecha=fecha, status=s.PENDING, attempts=0, next_attempt_at=now, created_at=now, updated_at=now
                    )
                )
        except IntegrityError:  # another worker created it first
            pass

    def claim(self, fecha: date, worker_id: str, now: datetime, lease_seconds: float) -> bool:
        """Take the day's row for sending; True for exactly one of several concurrent workers."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(runs)
                .where(
                    runs.c.fecha == fecha,
                    or_(
                        and_(runs.c.status.in_((s.PENDING, s.RETRYING)), runs.c.next_attempt_at <= now),
                        and_(runs.c.status == s.SENDING, runs.c.claimed_until < now),
                    ),
                )
                .values(
                    status=s.SENDING,
                    claimed_by=worker_id,
                    claimed_until=now + timedelta(seconds=lease_seconds),
                    attempts=runs.c.attempts + 1,
                    updated_at=now,
                )
            )
            return result.rowcount == 1

    def finish(
        self,
        fecha: date,
        worker_id: str,
        now: datetime,
        *,
        status: str,
        pqr_count: int | None = None,
        recipients: str | None = None,
        error: str | None = None,
        next_attempt_at: datetime | None = None,
    ) -> bool:
        values: dict[str, Any] = {
            "status": status,
            "claimed_by": None,
            "claimed_until": None,
            "updated_at": now,
            "last_error": error,
        }
        if pqr_count is not None:
            values["pqr_count"] = pqr_count
        if recipients is not None:
            values["recipients"] = recipients
        if status == s.SENT:
            values["sent_at"] = now
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        with self.engine.begin() as conn:
            result = conn.execute(
                update(runs)
                .where(runs.c.fecha == fecha, runs.c.status == s.SENDING, runs.c.claimed_by == worker_id)
                .values(**values)
            )
            return result.rowcount == 1

    def get(self, fecha: date) -> ExportRun | None:
        rows = self.list(fecha=fecha)
        return rows[0] if rows else None

    def list(
        self, status: str | None = None, fecha: date | None = None, limit: int | None = None
    ) -> builtins.list[ExportRun]:
        query = select(runs).order_by(runs.c.fecha.desc())
        if status:
            query = query.where(runs.c.status == status)
        if fecha:
            query = query.where(runs.c.fecha == fecha)
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [
                ExportRun(
                    r.fecha,
                    r.status,
                    r.attempts,
                    r.pqr_count,
                    r.recipients,
                    r.last_error,
                    aware(r.next_attempt_at),
                    r.claimed_by,
                    aware(r.created_at),
                    aware(r.updated_at),
                    aware(r.sent_at),
                )
                for r in conn.execute(query)
            ]


def backoff(attempts: int, base: float = 60.0, cap: float = 3600.0) -> timedelta:
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class DailyExportJob:
    """One periodic job: ``tick()`` does what is due now (usually nothing)."""

    def __init__(
        self,
        settings,
        crm_store,
        runs_store: ExportRunStore,
        *,
        worker_id: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        sender: Callable = send_export,
        lease_seconds: float = 600.0,
        max_attempts: int = 8,
        backoff_base: float = 60.0,
    ) -> None:
        self.settings = settings
        self.crm = crm_store
        self.runs = runs_store
        self.worker_id = worker_id or default_worker_id()
        self.clock = clock
        self.sender = sender
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.export_at = parse_export_at(settings.export_at)

    def tick(self) -> str | None:
        """Send the due export if this worker wins it; returns the resulting status or None."""
        now = self.clock()
        fecha = due_day(now, self.export_at)
        if fecha is None:
            return None
        self.runs.ensure(fecha, now)
        if not self.runs.claim(fecha, self.worker_id, now, self.lease_seconds):
            return None
        claimed = self.runs.get(fecha)
        attempts = claimed.attempts if claimed else 1
        try:
            pqrs, xlsx = export_day(self.crm, fecha)
            recipients = self.sender(self.settings, fecha, pqrs, xlsx)
        except Exception as exc:  # SMTP down, bad credentials, configuration missing...
            error = f"{type(exc).__name__}: {exc}"
            if attempts >= self.max_attempts:
                log.error("export of %s failed for good after %s attempts: %s", fecha, attempts, error)
                self.runs.finish(fecha, self.worker_id, self.clock(), status=s.FAILED, error=error)
                return s.FAILED
            retry_at = self.clock() + backoff(attempts, self.backoff_base)
            log.warning("export of %s failed (attempt %s), retry at %s: %s", fecha, attempts, retry_at, error)
            self.runs.finish(
                fecha, self.worker_id, self.clock(), status=s.RETRYING, error=error, next_attempt_at=retry_at
            )
            return s.RETRYING
        self.runs.finish(
            fecha, self.worker_id, self.clock(), status=s.SENT, pqr_count=len(pqrs), recipients=", ".join(recipients)
        )
        log.info("export of %s sent: %s PQR to %s recipient(s)", fecha, len(pqrs), len(recipients))
        return s.SENT

    async def run(self, stopping: Callable[[], bool], interval: float = 15.0) -> None:
        """Tick every ``interval`` seconds until ``stopping()``; errors are logged, never fatal."""
        await run_every(interval, stopping, self.tick, "daily export job: tick")


def build_job(settings, store, worker_id: str | None = None) -> DailyExportJob | None:
    """The worker's export job on its CRM ``store`` (SQL, every schema migrated); None (not
    started) while PQRBOT_EXPORT_RECIPIENTS is not set."""
    if not settings.export_recipients:
        log.info("daily export off: PQRBOT_EXPORT_RECIPIENTS is not set")
        return None
    return DailyExportJob(settings, store, ExportRunStore(store.engine), worker_id=worker_id)
