"""Prometheus metrics, ``/healthz`` and ``/readyz`` for every process pqrbot starts.

Counted where they happen (per process; aggregated across Rasa's Sanic workers through
prometheus-client's multiprocess mode when ``PROMETHEUS_MULTIPROC_DIR`` is set, which the
supervisor does):

- ``pqrbot_messages_in_total{channel}`` / ``pqrbot_messages_out_total{channel}``: customer and bot
  messages stored by the tracker store, by Rasa input channel;
- ``pqrbot_fallback_messages_total{channel}``: customer messages classified ``nlu_fallback``
  (fallback rate = fallback / in);
- ``pqrbot_reply_seconds{channel}``: histogram, from a customer message to the assistant's answer
  (the turn) in the Rasa process;
- ``pqrbot_webhook_ack_seconds{channel}``: histogram of provider webhook answers (ingress);
- ``pqrbot_turns_waiting``: customer turns a Rasa worker received and has not admitted yet
  (``bot/perf/turn_gate.py``).

Read from the database at scrape time (same figures in every process):

- ``pqrbot_pqrs_filed`` (PQRs in the CRM), ``pqrbot_outbound_failed`` (messages a provider did not
  accept after retries), ``pqrbot_followups_due`` (closings scheduled and due now),
  ``pqrbot_inbound_queue{state}`` (pending / processing / failed inbound deliveries),
  ``pqrbot_chat_images_pending`` (PQRs of the last two days filed over a minute ago whose chat
  image the worker has not attached yet: it draws them at low CPU priority, so a backlog shows a
  host kept busy, or a worker that is not running).
"""

from __future__ import annotations

import logging
import os
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Optional

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20, 60)

MESSAGES_IN = Counter("pqrbot_messages_in", "Customer messages handled", ["channel"])
MESSAGES_OUT = Counter("pqrbot_messages_out", "Bot messages sent", ["channel"])
FALLBACKS = Counter("pqrbot_fallback_messages", "Customer messages classified nlu_fallback", ["channel"])
REPLY_SECONDS = Histogram(
    "pqrbot_reply_seconds", "Customer message to the assistant's answer", ["channel"], buckets=LATENCY_BUCKETS
)
TURNS_WAITING = Gauge(
    "pqrbot_turns_waiting",
    "Customer turns received by a Rasa worker and waiting for their place (PQRBOT_TURNS_PER_WORKER)",
    multiprocess_mode="livesum",
)
ACK_SECONDS = Histogram(
    "pqrbot_webhook_ack_seconds", "Provider webhook request to its HTTP answer", ["channel"], buckets=LATENCY_BUCKETS
)


def count_events(events: Iterable[Any]) -> None:
    """Count the user and bot events a tracker store is about to save."""
    last_user_channel = None
    for event in events:
        kind = getattr(event, "type_name", None)
        if kind == "user":
            channel = getattr(event, "input_channel", None) or "unknown"
            last_user_channel = channel
            MESSAGES_IN.labels(channel).inc()
            intent = (getattr(event, "intent", None) or {}).get("name")
            if intent == "nlu_fallback":
                FALLBACKS.labels(channel).inc()
        elif kind == "bot":
            MESSAGES_OUT.labels(last_user_channel or "unknown").inc()


class DatabaseCollector:
    """Gauges read from pqrbot's database when Prometheus scrapes."""

    def __init__(self, engine: Any, queue: Any = None) -> None:
        if queue is None:
            from bot.ingress.queue import SqlInboundQueue

            queue = SqlInboundQueue(engine)
        self.engine, self.queue = engine, queue

    def describe(self):
        return []

    def _scalar(self, conn, query) -> Optional[float]:
        try:
            return float(conn.execute(query).scalar() or 0)
        except Exception:
            return None

    def collect(self):
        from sqlalchemy import func, select

        from bot.evidence.attach import TIPO as CHAT_IMAGE
        from bot.outbound import schema as out
        from crm_adapter import schema as crm
        from crm_adapter.sql import without_evidencia

        values = {}
        try:
            with self.engine.connect() as conn:

                def count(table, *where):  # noqa: ANN001, ANN202
                    return self._scalar(conn, select(func.count()).select_from(table).where(*where))

                now = datetime.now(timezone.utc)
                values["pqrbot_pqrs_filed"] = ("PQRs filed in the CRM", count(crm.pqrs))
                values["pqrbot_outbound_failed"] = (
                    "Outbound messages not accepted after retries",
                    count(out.outbound_messages, out.outbound_messages.c.status == "failed"),
                )
                values["pqrbot_chat_images_pending"] = (
                    "PQRs of the last two days filed over a minute ago without their chat image",
                    count(
                        crm.pqrs, *without_evidencia(CHAT_IMAGE, now - timedelta(days=2), now - timedelta(minutes=1))
                    ),
                )
                try:
                    from bot.followups import schema as fu

                    values["pqrbot_followups_due"] = (
                        "Next-day closings scheduled and due",
                        count(fu.followups, fu.followups.c.status == fu.SCHEDULED, fu.followups.c.due_at <= now),
                    )
                except ImportError:  # pragma: no cover
                    pass
        except Exception as exc:
            logger.warning("metrics: database not readable: %s", type(exc).__name__)
        for name, (doc, value) in values.items():
            if value is not None:
                g = GaugeMetricFamily(name, doc)
                g.add_metric([], value)
                yield g
        if self.queue is not None:
            try:
                depth = self.queue.depth()
            except Exception:
                depth = None
            if depth is not None:
                g = GaugeMetricFamily("pqrbot_inbound_queue", "Inbound deliveries by state", labels=["state"])
                for state, n in depth.items():
                    g.add_metric([state], n)
                yield g


_db_collector: Optional[DatabaseCollector] = None


def exposition(engine: Any = None, queue: Any = None) -> bytes:
    """The metrics text: this process's (or all workers') counters plus the database gauges."""
    global _db_collector
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY

        text = generate_latest(REGISTRY)
    if engine is not None:
        if _db_collector is None or _db_collector.engine is not engine:
            _db_collector = DatabaseCollector(engine, queue)
        db = CollectorRegistry()
        db.register(_db_collector)
        text += generate_latest(db)
    return text


def _engine(settings: Any):
    """The process's engine (bot.bootstrap), or one on another database named by ``settings``."""
    from bot.bootstrap import services

    running = services()
    if settings is None or settings.database_url == running.settings.database_url:
        return running.engine
    from crm_adapter.db import make_engine

    return make_engine(settings.database_url)


def install_sanic_metrics(
    app: Any, *, process: str, settings: Any, queue: Any = None, ready=None, health: bool = False
) -> None:
    """``/metrics`` (and, with ``health``, ``/healthz`` and ``/readyz``) on a Sanic app; webhook
    answers of ``/webhooks/<channel>/webhook`` timed into ``pqrbot_webhook_ack_seconds``."""
    import asyncio

    from sanic import response

    state = {"engine": None}

    def engine():
        if state["engine"] is None:
            state["engine"] = _engine(settings)
        return state["engine"]

    @app.get("/metrics")
    async def metrics(_request):  # noqa: ANN001
        body = await asyncio.to_thread(exposition, engine(), queue)
        return response.raw(body, content_type=CONTENT_TYPE_LATEST)

    if health:

        @app.get("/healthz")
        async def healthz(_request):  # noqa: ANN001
            return response.json({"status": "ok", "process": process})

        @app.get("/readyz")
        async def readyz(request):  # noqa: ANN001
            ok = True if ready is None else bool(ready(request.app))
            return response.json(
                {"status": "ready" if ok else "starting", "process": process}, status=200 if ok else 503
            )

    @app.on_request
    async def _start(request):  # noqa: ANN001
        request.ctx.pqrbot_t0 = time.perf_counter()

    @app.on_response
    async def _ack(request, resp):  # noqa: ANN001
        parts = request.path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "webhooks" and parts[2] == "webhook" and parts[1] not in ("rest",):
            t0 = getattr(request.ctx, "pqrbot_t0", None)
            if t0 is not None:
                ACK_SECONDS.labels(parts[1]).observe(time.perf_counter() - t0)
