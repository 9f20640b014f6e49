"""Live updates: ``GET /api/stream`` (Server-Sent Events) from the database."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import List

from sqlalchemy import select
from starlette.authentication import requires
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from bot.console.context import Console

log = logging.getLogger(__name__)


def routes(console: Console, stream_interval: float = 1.0) -> List[Route]:
    # ------------------------------------------------------------------ live updates
    def _signature() -> dict:
        from sqlalchemy import func

        from bot.handoff import schema as hs

        with console.engine.connect() as conn:
            last_event = console.events.last_id()
            last_message = conn.execute(select(func.coalesce(func.max(hs.messages.c.id), 0))).scalar_one()
            last_change = conn.execute(select(func.max(hs.handoffs.c.updated_at))).scalar()
            waiting = [
                r.conversation_id
                for r in conn.execute(select(hs.handoffs.c.conversation_id).where(hs.handoffs.c.state == "waiting"))
            ]
        return {"event": last_event, "message": last_message, "change": str(last_change), "waiting": sorted(waiting)}

    @requires("authenticated", status_code=403)
    async def stream(request: Request) -> Response:
        async def events():
            last = None
            beat = time.monotonic()
            yield "retry: 3000\n\n"
            while True:
                if await request.is_disconnected():
                    break
                try:
                    sig = await run_in_threadpool(_signature)
                except Exception:
                    log.exception("stream: database unavailable")
                    sig = last
                if sig != last and sig is not None:
                    last = sig
                    yield f"event: change\ndata: {json.dumps(sig)}\n\n"
                elif time.monotonic() - beat > 15:
                    beat = time.monotonic()
                    yield ": keep-alive\n\n"
                await asyncio.sleep(stream_interval)

        return StreamingResponse(
            events(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        )

    return [Route("/api/stream", stream)]
