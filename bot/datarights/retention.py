"""Retention of conversation transcripts and delivery records, applied by the worker.

``PQRBOT_RETENTION_TRANSCRIPTS`` (e.g. ``180d``): Rasa's tracker-store events older than that are
deleted. ``PQRBOT_RETENTION_DELIVERIES`` (e.g. ``90d``): finished outbound messages and finished
follow-ups older than that are deleted (inbound de-duplication ids go after
``PQRBOT_RETENTION_DEDUP``, pruned by the worker's housekeeping). Unset (the default) keeps them.
A PQR's own evidence (transcript, chat image, confirmation) is part of the public record and is
never touched here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import and_, delete

from bot.datarights.service import _reflect, audit, tracker_engine
from core.clock import utcnow
from core.loops import run_every

log = logging.getLogger("bot.datarights.retention")

FINISHED_OUTBOUND = ("sent", "failed", "undeliverable", "skipped")
FINISHED_FOLLOWUPS = ("sent", "cancelled", "failed", "unsendable")


class RetentionJob:
    def __init__(self, settings, engine, clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.engine = engine
        self.clock = clock

    def apply(self) -> dict[str, int]:
        """Delete what is past its retention; returns the counts (and audits them when any)."""
        now = self.clock()
        done: dict[str, int] = {}
        deliveries = self.settings.retention_deliveries_seconds
        if deliveries:
            cutoff = now - timedelta(seconds=deliveries)
            done.update(self._deliveries(cutoff))
        transcripts = self.settings.retention_transcripts_seconds
        if transcripts:
            done["transcript_events"] = self._transcripts(now - timedelta(seconds=transcripts))
            done["console_events"] = self._console_events(now - timedelta(seconds=transcripts))
        if any(done.values()):
            audit(self.engine, "worker", "retention.apply", "retention", done)
        return done

    def _deliveries(self, cutoff: datetime) -> dict[str, int]:
        out: dict[str, int] = {}
        specs = (
            ("outbound_messages", "created_at", "status", FINISHED_OUTBOUND),
            ("followups", "updated_at", "status", FINISHED_FOLLOWUPS),
        )
        for name, column, status_col, finished in specs:
            table = _reflect(self.engine, name)
            if table is None:
                continue
            condition = table.c[column] < cutoff
            if status_col:
                condition = and_(condition, table.c[status_col].in_(finished))
            with self.engine.begin() as conn:
                out[name] = conn.execute(delete(table).where(condition)).rowcount
        return out

    def _transcripts(self, cutoff: datetime) -> int:
        engine = tracker_engine(self.settings)
        if engine is None:
            return 0
        try:
            events = _reflect(engine, "events")
            if events is None:
                return 0
            with engine.begin() as conn:
                return conn.execute(delete(events).where(events.c.timestamp < cutoff.timestamp())).rowcount
        finally:
            engine.dispose()

    def _console_events(self, cutoff: datetime) -> int:
        """The console's copy of the transcripts (bot/events) follows the same retention."""
        table = _reflect(self.engine, "conversation_events")
        if table is None:
            return 0
        with self.engine.begin() as conn:
            return conn.execute(delete(table).where(table.c.at < cutoff)).rowcount

    async def run(self, stopping: Callable[[], bool], interval: float = 3600.0) -> None:
        await run_every(interval, stopping, self.apply, "retention job")


def build_retention_job(settings, engine) -> RetentionJob | None:
    if not (settings.retention_transcripts_seconds or settings.retention_deliveries_seconds):
        return None
    return RetentionJob(settings, engine)
