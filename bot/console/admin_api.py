"""People, quick replies, the audit log and the dashboard."""

from __future__ import annotations

from typing import List

from starlette.authentication import requires
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.console import audit, dashboard
from bot.console.context import Console
from bot.console.http import body_of as _body
from bot.console.http import error as _error
from bot.console.http import user
from bot.console.quick_replies import QuickReplies, clean


def routes(console: Console) -> List[Route]:
    # ------------------------------------------------------------------ people, replies, audit
    @requires("agente", status_code=403)
    async def agents(request: Request) -> Response:
        accounts = await run_in_threadpool(console.accounts.list)
        return JSONResponse(
            {
                "agents": [
                    {"email": a.email, "name": a.name, "role": a.role}
                    for a in accounts
                    if a.active and a.role in ("agente", "admin")
                ]
            }
        )

    @requires("admin", status_code=403)
    async def users_list(request: Request) -> Response:
        return JSONResponse({"users": [a.to_json() for a in await run_in_threadpool(console.accounts.list)]})

    replies = QuickReplies(console.engine)

    @requires("agente", status_code=403)
    async def quick_replies(request: Request) -> Response:
        return JSONResponse({"quick_replies": await run_in_threadpool(replies.list)})

    @requires("admin", status_code=403)
    async def quick_reply_add(request: Request) -> Response:
        values = clean(await _body(request))
        if values is None:
            return _error(400, 'Envía {"title": "...", "text": "..."}.')
        new_id = await run_in_threadpool(replies.add, values["title"], values["text"], user(request).email)
        audit.record(user(request).email, "quick_reply_add", str(new_id), values)
        return JSONResponse({"id": new_id}, status_code=201)

    @requires("admin", status_code=403)
    async def quick_reply_change(request: Request) -> Response:
        qid = request.path_params["qid"]
        if request.method == "DELETE":
            if not await run_in_threadpool(replies.remove, qid):
                return _error(404, "No existe esa respuesta rápida.")
            audit.record(user(request).email, "quick_reply_delete", str(qid))
            return JSONResponse({"ok": True})
        values = clean(await _body(request))
        if values is None:
            return _error(400, 'Envía {"title": "...", "text": "..."}.')
        if not await run_in_threadpool(replies.change, qid, values["title"], values["text"], user(request).email):
            return _error(404, "No existe esa respuesta rápida.")
        audit.record(user(request).email, "quick_reply_change", str(qid), values)
        return JSONResponse({"ok": True})

    @requires("admin", status_code=403)
    async def audit_log(request: Request) -> Response:
        try:
            limit = max(1, min(1000, int(request.query_params.get("limit", "200"))))
        except ValueError:
            return _error(400, "limit debe ser un número.")
        rows = await run_in_threadpool(
            audit.entries, limit, request.query_params.get("actor"), request.query_params.get("action")
        )
        return JSONResponse({"entries": rows})

    @requires("agente", status_code=403)
    async def dashboard_view(request: Request) -> Response:
        try:
            days = max(1, min(92, int(request.query_params.get("days", "14"))))
        except ValueError:
            return _error(400, "days debe ser un número.")
        return JSONResponse(await run_in_threadpool(dashboard.compute, console, days))

    return [
        Route("/api/agents", agents),
        Route("/api/users", users_list),
        Route("/api/quick-replies", quick_replies, methods=["GET"]),
        Route("/api/quick-replies", quick_reply_add, methods=["POST"]),
        Route("/api/quick-replies/{qid:int}", quick_reply_change, methods=["PUT", "DELETE"]),
        Route("/api/audit", audit_log),
        Route("/api/dashboard", dashboard_view),
    ]
