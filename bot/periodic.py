"""Periodic jobs the worker runs next to the follow-ups loop: the daily export of PQRs
(bot.exports.job), the retention of transcripts and delivery records (bot.datarights.retention)
and the chat image of every filed PQR (bot.evidence.backfill, at low CPU priority).
A job that cannot be built is logged and skipped; the follow-ups keep running."""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger("bot.periodic")


def periodic_jobs(settings, stopping: Callable[[], bool], store) -> list:
    """Coroutines to run until ``stopping()``, on the worker's CRM ``store``."""
    jobs = []
    try:
        from bot.exports.job import build_job

        export_job = build_job(settings, store)
        if export_job is not None:
            jobs.append(export_job.run(stopping))
    except Exception:
        log.exception("daily export job not started")
    try:
        from bot.datarights.retention import build_retention_job

        retention_job = build_retention_job(settings, store.engine)
        if retention_job is not None:
            jobs.append(retention_job.run(stopping))
    except Exception:
        log.exception("retention job not started")
    try:
        from bot.events.store import EventStore
        from bot.evidence.backfill import ChatImageBackfill

        jobs.append(ChatImageBackfill(store, EventStore(store.engine)).run(stopping))
    except Exception:
        log.exception("chat images job not started")
    return jobs
