"""Housekeeping the worker process runs next to the follow-ups: drain the filing outbox (file
the reclamos kept while the CRM was down and send their numbers), and prune delivery
de-duplication records older than ``PQRBOT_RETENTION_DEDUP``."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Callable, Optional

from bot.logmask import masked_logger

logger = masked_logger(__name__)
PRUNE_EVERY_SECONDS = 3600.0


def prune_deliveries(deliveries, retention: timedelta) -> int:
    """Forget delivery ids older than the retention (providers stop redelivering long before)."""
    removed = deliveries.prune(retention)
    if removed:
        logger.info("pruned %s delivery record(s) older than %s", removed, retention)
    return removed


async def run_housekeeping(
    settings, outbound, stopping: Callable[[], bool], *, interval: float = 2.0, store=None, deliveries=None
) -> None:
    """Until ``stopping()``: drain the outbox every ``interval`` seconds, prune hourly."""
    from bot.outbox import Outbox, OutboxDrainer

    box: Optional[Outbox] = None
    drainer: Optional[OutboxDrainer] = None
    last_prune = 0.0
    try:
        while not stopping():
            try:
                if box is None:  # opened here, so a failure to open is retried, never fatal
                    box = Outbox(settings.outbox_path)
                if drainer is None:
                    if store is None:
                        from bot.bootstrap import services

                        store = services().store
                    drainer = OutboxDrainer(box, store, outbound)
                await drainer.drain_once()
            except Exception as exc:  # CRM still down at start, etc.: next round
                logger.warning("outbox drain failed: %s", type(exc).__name__)
            if time.monotonic() - last_prune > PRUNE_EVERY_SECONDS:
                try:
                    if deliveries is None:
                        from bot.channels.deliveries import SqlDeliveryLog

                        deliveries = SqlDeliveryLog(store.engine)
                    await asyncio.to_thread(
                        prune_deliveries, deliveries, timedelta(seconds=settings.retention_dedup_seconds)
                    )
                    last_prune = time.monotonic()
                except Exception as exc:
                    logger.warning("delivery pruning failed: %s", type(exc).__name__)
            for _ in range(max(1, int(interval * 10))):
                if stopping():
                    break
                await asyncio.sleep(0.1)
    finally:
        if box is not None:
            box.dispose()
