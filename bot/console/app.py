"""The console's Starlette application: the JSON API under ``/api/`` and the page at ``/``.

Roles (server-side): ``agente`` works conversations; ``entrenador`` uses the trainers'
workbench (mounted at ``/api/nlu`` when ``bot.workbench`` is present); ``admin`` can do both
and also manages quick replies and reads the audit log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import List

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.console import admin_api, audit, conversations_api, live_api, session_api
from bot.console.auth import ApiGuard, SessionBackend
from bot.console.context import Console
from bot.console.http import error

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: https:; media-src 'self' https: data:; "
    "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
}


def create_app(console: Console, *, stream_interval: float = 1.0, sweep_interval: float = 30.0) -> Starlette:
    audit.configure(console.engine)

    # ------------------------------------------------------------------ page
    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers=dict(SECURITY_HEADERS, **{"Cache-Control": "no-store"}))

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "accounts": await run_in_threadpool(console.accounts.count)})

    routes: List[BaseRoute] = [Route("/", index), Route("/health", health)]
    routes += session_api.routes(console)
    routes += conversations_api.routes(console)
    routes += admin_api.routes(console)
    routes += live_api.routes(console, stream_interval)
    routes += workbench_routes()
    routes.append(Mount("/static", app=StaticFiles(directory=STATIC), name="static"))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        task = asyncio.create_task(_sweep(console, sweep_interval))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    middleware = [
        Middleware(
            AuthenticationMiddleware,
            backend=SessionBackend(console.accounts),
            on_error=lambda conn, exc: error(401, "Sesión no válida."),
        ),
        Middleware(ApiGuard),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.console = console
    return app


def workbench_routes() -> list:
    """The trainers' workbench: its API at /api/nlu, its page at /entrenamiento/."""
    import bot.workbench as workbench

    static = Path(workbench.__file__).resolve().parent / "static"
    return [
        Mount("/api/nlu", routes=list(workbench.ROUTES)),
        Mount("/entrenamiento", app=StaticFiles(directory=static, html=True), name="entrenamiento"),
    ]


async def _sweep(console: Console, interval: float) -> None:
    """Customers waiting longer than PQRBOT_HANDOFF_TIMEOUT are told (once) and offered the assistant."""
    while True:
        await asyncio.sleep(interval)
        try:
            await console.service.notify_waiting_timeouts(console.settings.handoff_timeout_seconds)
        except Exception:
            log.exception("hand-over timeout sweep failed")
