"""The console's Starlette application: the JSON API under ``/api/`` and the page at ``/``.

Roles (server-side): ``agente`` works conversations; ``entrenador`` uses the trainers'
workbench (mounted at ``/api/nlu`` when ``bot.workbench`` is present); ``admin`` can do both
and also manages quick replies and reads the audit log.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from pathlib import Path
from typing import Any, Dict, Optional

from sqlalchemy import delete, insert, select, update
from starlette.applications import Starlette
from starlette.authentication import requires
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.console import audit, dashboard, filing, schema, views
from bot.console.auth import COOKIE, ApiGuard, ConsoleUser, SessionBackend, scopes_for
from bot.console.context import Console
from bot.handoff.schema import AGENT, STATES
from bot.handoff.service import WindowClosed
from bot.handoff.store import HandoffConflict

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
MAX_TEXT = 4000
OPEN_AUDIT_EVERY = 600.0  # seconds: one "open_conversation" entry per agent and conversation

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: https:; media-src 'self' https: data:; "
                               "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
}


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(dict({"error": message}, **extra), status_code=status)


async def _body(request: Request) -> Optional[Dict[str, Any]]:
    try:
        data = await request.json()
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _is_https(request: Request, console: Console) -> bool:
    proto = request.headers.get("x-forwarded-proto", request.url.scheme)
    return proto == "https" or (console.settings.public_url or "").startswith("https://")


def create_app(console: Console, *, stream_interval: float = 1.0, sweep_interval: float = 30.0) -> Starlette:
    audit.configure(console.engine)
    opened: Dict[tuple, float] = {}

    def user(request: Request) -> ConsoleUser:
        return request.user

    def holder_or_admin(request: Request, conversation_id: str) -> Optional[JSONResponse]:
        h = console.handoffs.get(conversation_id)
        if user(request).role == "admin":
            return None
        if h is None or h.state != AGENT or h.assigned_to != user(request).email:
            return _error(409, "Toma la conversación antes de hacer esto.", assigned_to=h.assigned_to if h else None)
        return None

    # ------------------------------------------------------------------ page
    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers=dict(SECURITY_HEADERS, **{"Cache-Control": "no-store"}))

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "accounts": await run_in_threadpool(console.accounts.count)})

    # ------------------------------------------------------------------ session
    async def session_get(request: Request) -> Response:
        if not isinstance(request.user, ConsoleUser):
            return _error(401, "Inicia sesión para continuar.")
        return JSONResponse({"csrf_token": request.user.csrf_token, "user": request.user.to_json(),
                             "scopes": scopes_for(request.user.role)})

    async def session_post(request: Request) -> Response:
        body = await _body(request)
        if body is None or not isinstance(body.get("email"), str) or not isinstance(body.get("password"), str):
            return _error(400, 'Envía {"email": ..., "password": ...}.')
        email = body["email"].strip().lower()[:255]
        ip = request.client.host if request.client else None
        if await run_in_threadpool(console.accounts.throttled, email, ip):
            audit.record(email, "login_throttled", email, {"ip": ip})
            return JSONResponse({"error": "Demasiados intentos fallidos. Espera 15 minutos e inténtalo de nuevo."},
                                status_code=429, headers={"Retry-After": "900"})
        account = await run_in_threadpool(console.accounts.authenticate, email, body["password"], ip)
        if account is None:
            audit.record(email, "login_failed", email, {"ip": ip})
            return _error(401, "Correo o contraseña incorrectos.")
        session_id, csrf = await run_in_threadpool(console.accounts.open_session, account.email)
        audit.record(account.email, "login", account.email, {"ip": ip})
        response = JSONResponse({"csrf_token": csrf, "user": {"email": account.email, "name": account.name,
                                                              "role": account.role}})
        response.set_cookie(COOKIE, session_id, httponly=True, samesite="lax", secure=_is_https(request, console),
                            path="/", max_age=12 * 3600)
        return response

    async def session_delete(request: Request) -> Response:
        await run_in_threadpool(console.accounts.close_session, request.cookies.get(COOKIE, ""))
        audit.record(user(request).email, "logout", user(request).email)
        response = JSONResponse({"ok": True})
        response.delete_cookie(COOKIE, path="/")
        return response

    # ------------------------------------------------------------------ conversations
    @requires("agente", status_code=403)
    async def conversations(request: Request) -> Response:
        state = request.query_params.get("state") or None
        if state and state not in STATES:
            return _error(400, f"state debe ser uno de {', '.join(STATES)}.")
        rows = await run_in_threadpool(views.inbox, console, state, request.query_params.get("channel") or None,
                                       request.query_params.get("q") or None)
        if request.query_params.get("q"):
            audit.record(user(request).email, "search", request.query_params["q"][:100])
        return JSONResponse({"conversations": rows})

    @requires("agente", status_code=403)
    async def conversation(request: Request) -> Response:
        cid = request.path_params["cid"]
        if not await run_in_threadpool(views.exists, console, cid):
            return _error(404, "No existe esa conversación.")
        data = await run_in_threadpool(views.detail, console, cid)
        key = (user(request).email, cid)
        if time.monotonic() - opened.get(key, -1e9) > OPEN_AUDIT_EVERY:
            opened[key] = time.monotonic()
            audit.record(user(request).email, "open_conversation", cid)
        return JSONResponse(data)

    @requires("agente", status_code=403)
    async def takeover(request: Request) -> Response:
        cid = request.path_params["cid"]
        if not await run_in_threadpool(views.exists, console, cid):
            return _error(404, "No existe esa conversación.")
        try:
            h = await console.service.take(cid, user(request).email, user(request).name)
        except HandoffConflict as exc:
            return _error(409, f"Esta conversación ya la atiende {exc.holder}.", assigned_to=exc.holder)
        audit.record(user(request).email, "takeover", cid)
        return JSONResponse({"id": cid, "state": h.state, "assigned_to": h.assigned_to})

    @requires("agente", status_code=403)
    async def send_message(request: Request) -> Response:
        cid = request.path_params["cid"]
        body = await _body(request)
        text = (body or {}).get("text")
        if not isinstance(text, str) or not text.strip():
            return _error(400, 'Envía {"text": "..."} con el mensaje.')
        if len(text) > MAX_TEXT:
            return _error(400, f"El mensaje supera {MAX_TEXT} caracteres.")
        try:
            delivery = await console.service.reply(cid, user(request).email, user(request).name, text.strip(),
                                                   template=bool(body.get("template")))
        except HandoffConflict as exc:
            return _error(409, "Toma la conversación antes de escribir.", assigned_to=exc.holder)
        except WindowClosed as exc:
            return _error(409, exc.window.text, window=exc.window.to_json(), template_available=exc.window.template)
        audit.record(user(request).email, "reply", cid, {"delivery": delivery.status, "template": bool(body.get("template"))})
        return JSONResponse({"id": delivery.message_id, "delivery": delivery.status, "error": delivery.error},
                            status_code=202)

    @requires("agente", status_code=403)
    async def handback(request: Request) -> Response:
        cid = request.path_params["cid"]
        body = await _body(request)
        if body is None or not isinstance(body.get("resume"), bool):
            return _error(400, 'Envía {"resume": true} para devolverla al asistente o {"resume": false} para cerrarla.')
        before = await run_in_threadpool(console.handoffs.get, cid)
        since = before.taken_at if before is not None and before.state == AGENT else None
        filed = await run_in_threadpool(console.store.find_pqrs_by_conversation, cid)
        intake_done = since is not None and any(p.radicado_por and p.creado_en >= since for p in filed)
        try:
            h = await console.service.hand_back(cid, user(request).email, user(request).name, resume=body["resume"],
                                                force=user(request).role == "admin", intake_done=intake_done)
        except HandoffConflict as exc:
            return _error(409, "Esta conversación la atiende otra persona.", assigned_to=exc.holder)
        audit.record(user(request).email, "handback" if body["resume"] else "close", cid)
        return JSONResponse({"id": cid, "state": h.state, "assigned_to": h.assigned_to})

    @requires("agente", status_code=403)
    async def transfer(request: Request) -> Response:
        cid = request.path_params["cid"]
        body = await _body(request) or {}
        target = await run_in_threadpool(console.accounts.get, str(body.get("to") or ""))
        if target is None or not target.active or target.role not in ("agente", "admin"):
            return _error(400, "Elige una persona activa con rol de agente.")
        try:
            h = await run_in_threadpool(lambda: console.handoffs.transfer(
                cid, user(request).email, target.email, force=user(request).role == "admin"))
        except HandoffConflict as exc:
            return _error(409, "Solo quien tiene la conversación puede transferirla.", assigned_to=exc.holder)
        await run_in_threadpool(console.handoffs.add_note, cid, user(request).email,
                                f"Transferida a {target.name}.", user(request).name)
        audit.record(user(request).email, "transfer", cid, {"to": target.email})
        return JSONResponse({"id": cid, "state": h.state, "assigned_to": h.assigned_to})

    @requires("agente", status_code=403)
    async def add_note(request: Request) -> Response:
        cid = request.path_params["cid"]
        body = await _body(request) or {}
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            return _error(400, 'Envía {"text": "..."} con la nota.')
        if not await run_in_threadpool(views.exists, console, cid):
            return _error(404, "No existe esa conversación.")
        note_id = await run_in_threadpool(console.handoffs.add_note, cid, user(request).email, text.strip(),
                                          user(request).name)
        audit.record(user(request).email, "note", cid)
        return JSONResponse({"id": note_id}, status_code=201)

    def _canal(cid: str) -> str:
        row = views.detail(console, cid)
        return row.get("channel") or "Chat EPM"

    @requires("agente", status_code=403)
    async def check_intake(request: Request) -> Response:
        body = await _body(request)
        if body is None:
            return _error(400, "Envía los datos del reclamo en JSON.")
        _, result = await run_in_threadpool(filing.check, console, body)
        return JSONResponse({"errors": result.errors, "decisions": result.decisions, "blocked_by": result.blocked_by})

    @requires("agente", status_code=403)
    async def save_intake(request: Request) -> Response:
        """Complete or correct the intake: valid fields become the conversation's slots in Rasa,
        so the assistant goes on with them after the hand-back."""
        cid = request.path_params["cid"]
        body = await _body(request)
        if body is None:
            return _error(400, "Envía los datos del reclamo en JSON.")
        refused = holder_or_admin(request, cid)
        if refused is not None:
            return refused
        clean, result = await run_in_threadpool(filing.check, console, body)
        errors = {k: v for k, v in result.errors.items() if filing._text(body, k)}  # only what was given
        values = filing.slot_values(body, clean, errors)
        if values and not await console.rasa.set_slots(cid, values):
            return _error(502, "El asistente no respondió; inténtalo de nuevo.")
        audit.record(user(request).email, "intake_update", cid, {"fields": sorted(values)})
        return JSONResponse({"saved": values, "errors": errors, "decisions": result.decisions,
                             "blocked_by": result.blocked_by})

    @requires("agente", status_code=403)
    async def file_pqr(request: Request) -> Response:
        cid = request.path_params["cid"]
        body = await _body(request)
        if body is None:
            return _error(400, "Envía los datos del reclamo en JSON.")
        refused = holder_or_admin(request, cid)
        if refused is not None:
            return refused
        canal = await run_in_threadpool(_canal, cid)
        result = await run_in_threadpool(filing.file_pqr, console, cid, canal, body, user(request).email)
        if result.pqr is None:
            audit.record(user(request).email, "file_pqr_refused", cid,
                         {"errors": list(result.errors), "blocked_by": result.blocked_by})
            message = (f"La regla «{result.blocked_by['regla']}» no permite radicarlo por este canal: "
                       f"{result.blocked_by['razon']}" if result.blocked_by else "Revisa los datos marcados.")
            return JSONResponse({"error": message, "errors": result.errors, "decisions": result.decisions,
                                 "blocked_by": result.blocked_by}, status_code=422)
        audit.record(user(request).email, "file_pqr", cid, {"numero": result.pqr.numero})
        return JSONResponse({"pqr": result.pqr.to_json(), "decisions": result.decisions,
                             "confirmation_text": filing.confirmation_text(result.pqr)}, status_code=201)

    # ------------------------------------------------------------------ people, replies, audit
    @requires("agente", status_code=403)
    async def agents(request: Request) -> Response:
        accounts = await run_in_threadpool(console.accounts.list)
        return JSONResponse({"agents": [{"email": a.email, "name": a.name, "role": a.role}
                                        for a in accounts if a.active and a.role in ("agente", "admin")]})

    @requires("admin", status_code=403)
    async def users_list(request: Request) -> Response:
        return JSONResponse({"users": [a.to_json() for a in await run_in_threadpool(console.accounts.list)]})

    qr = schema.quick_replies

    def _quick_replies():
        with console.engine.connect() as conn:
            return [{"id": r.id, "title": r.title, "text": r.text, "updated_by": r.updated_by}
                    for r in conn.execute(select(qr).order_by(qr.c.title))]

    @requires("agente", status_code=403)
    async def quick_replies(request: Request) -> Response:
        return JSONResponse({"quick_replies": await run_in_threadpool(_quick_replies)})

    def _qr_values(body: Optional[dict]) -> Optional[dict]:
        if not body or not isinstance(body.get("title"), str) or not isinstance(body.get("text"), str):
            return None
        if not body["title"].strip() or not body["text"].strip():
            return None
        return {"title": body["title"].strip()[:120], "text": body["text"].strip()[:MAX_TEXT]}

    @requires("admin", status_code=403)
    async def quick_reply_add(request: Request) -> Response:
        values = _qr_values(await _body(request))
        if values is None:
            return _error(400, 'Envía {"title": "...", "text": "..."}.')

        def add():
            from datetime import datetime, timezone

            with console.engine.begin() as conn:
                return conn.execute(insert(qr).values(**values, updated_by=user(request).email,
                                                      updated_at=datetime.now(timezone.utc))).inserted_primary_key[0]
        new_id = await run_in_threadpool(add)
        audit.record(user(request).email, "quick_reply_add", str(new_id), values)
        return JSONResponse({"id": new_id}, status_code=201)

    @requires("admin", status_code=403)
    async def quick_reply_change(request: Request) -> Response:
        qid = request.path_params["qid"]
        if request.method == "DELETE":
            def remove():
                with console.engine.begin() as conn:
                    return conn.execute(delete(qr).where(qr.c.id == qid)).rowcount
            if not await run_in_threadpool(remove):
                return _error(404, "No existe esa respuesta rápida.")
            audit.record(user(request).email, "quick_reply_delete", str(qid))
            return JSONResponse({"ok": True})
        values = _qr_values(await _body(request))
        if values is None:
            return _error(400, 'Envía {"title": "...", "text": "..."}.')

        def change():
            from datetime import datetime, timezone

            with console.engine.begin() as conn:
                return conn.execute(update(qr).where(qr.c.id == qid).values(
                    **values, updated_by=user(request).email, updated_at=datetime.now(timezone.utc))).rowcount
        if not await run_in_threadpool(change):
            return _error(404, "No existe esa respuesta rápida.")
        audit.record(user(request).email, "quick_reply_change", str(qid), values)
        return JSONResponse({"ok": True})

    @requires("admin", status_code=403)
    async def audit_log(request: Request) -> Response:
        try:
            limit = max(1, min(1000, int(request.query_params.get("limit", "200"))))
        except ValueError:
            return _error(400, "limit debe ser un número.")
        rows = await run_in_threadpool(audit.entries, limit, request.query_params.get("actor"),
                                       request.query_params.get("action"))
        return JSONResponse({"entries": rows})

    @requires("agente", status_code=403)
    async def dashboard_view(request: Request) -> Response:
        try:
            days = max(1, min(92, int(request.query_params.get("days", "14"))))
        except ValueError:
            return _error(400, "days debe ser un número.")
        return JSONResponse(await run_in_threadpool(dashboard.compute, console, days))

    # ------------------------------------------------------------------ live updates
    def _signature() -> dict:
        from sqlalchemy import func

        from bot.handoff import schema as hs

        with console.engine.connect() as conn:
            last_event = console.events.last_id()
            last_message = conn.execute(select(func.coalesce(func.max(hs.messages.c.id), 0))).scalar_one()
            last_change = conn.execute(select(func.max(hs.handoffs.c.updated_at))).scalar()
            waiting = [r.conversation_id for r in conn.execute(
                select(hs.handoffs.c.conversation_id).where(hs.handoffs.c.state == "waiting"))]
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

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    # ------------------------------------------------------------------ app
    routes = [
        Route("/", index),
        Route("/health", health),
        Route("/api/session", session_get, methods=["GET"]),
        Route("/api/session", session_post, methods=["POST"]),
        Route("/api/session", session_delete, methods=["DELETE"]),
        Route("/api/conversations", conversations),
        Route("/api/conversations/{cid:path}/takeover", takeover, methods=["POST"]),
        Route("/api/conversations/{cid:path}/messages", send_message, methods=["POST"]),
        Route("/api/conversations/{cid:path}/handback", handback, methods=["POST"]),
        Route("/api/conversations/{cid:path}/transfer", transfer, methods=["POST"]),
        Route("/api/conversations/{cid:path}/notes", add_note, methods=["POST"]),
        Route("/api/conversations/{cid:path}/intake/check", check_intake, methods=["POST"]),
        Route("/api/conversations/{cid:path}/intake", save_intake, methods=["PUT"]),
        Route("/api/conversations/{cid:path}/pqr", file_pqr, methods=["POST"]),
        Route("/api/conversations/{cid:path}", conversation),
        Route("/api/agents", agents),
        Route("/api/users", users_list),
        Route("/api/quick-replies", quick_replies, methods=["GET"]),
        Route("/api/quick-replies", quick_reply_add, methods=["POST"]),
        Route("/api/quick-replies/{qid:int}", quick_reply_change, methods=["PUT", "DELETE"]),
        Route("/api/audit", audit_log),
        Route("/api/dashboard", dashboard_view),
        Route("/api/stream", stream),
    ]
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

    middleware = [Middleware(AuthenticationMiddleware, backend=SessionBackend(console.accounts),
                             on_error=lambda conn, exc: _error(401, "Sesión no válida.")),
                  Middleware(ApiGuard)]
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
