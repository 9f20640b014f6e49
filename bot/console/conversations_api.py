"""Conversations: the inbox, one conversation, take over, reply, notes, transfer, hand back, intake and filing."""

from __future__ import annotations

import time
from typing import Dict, List, Optional

from starlette.authentication import requires
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.console import audit, filing, views
from bot.console.context import Console
from bot.console.http import MAX_TEXT, user
from bot.console.http import body_of as _body
from bot.console.http import error as _error
from bot.handoff.schema import AGENT, STATES
from bot.handoff.service import WindowClosed
from bot.handoff.store import HandoffConflict

OPEN_AUDIT_EVERY = 600.0  # seconds: one "open_conversation" entry per agent and conversation


class ConversationsApi:
    """Handlers of /api/conversations...; one instance per app."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.opened: Dict[tuple, float] = {}  # (agent, conversation) -> last "open_conversation" entry

    def holder_or_admin(self, request: Request, conversation_id: str) -> Optional[JSONResponse]:
        h = self.console.handoffs.get(conversation_id)
        if user(request).role == "admin":
            return None
        if h is None or h.state != AGENT or h.assigned_to != user(request).email:
            return _error(409, "Toma la conversación antes de hacer esto.", assigned_to=h.assigned_to if h else None)
        return None

    # ------------------------------------------------------------------ conversations
    @requires("agente", status_code=403)
    async def conversations(self, request: Request) -> Response:
        state = request.query_params.get("state") or None
        if state and state not in STATES:
            return _error(400, f"state debe ser uno de {', '.join(STATES)}.")
        rows = await run_in_threadpool(
            views.inbox,
            self.console,
            state,
            request.query_params.get("channel") or None,
            request.query_params.get("q") or None,
        )
        if request.query_params.get("q"):
            audit.record(user(request).email, "search", request.query_params["q"][:100])
        return JSONResponse({"conversations": rows})

    @requires("agente", status_code=403)
    async def conversation(self, request: Request) -> Response:
        cid = request.path_params["cid"]
        if not await run_in_threadpool(views.exists, self.console, cid):
            return _error(404, "No existe esa conversación.")
        data = await run_in_threadpool(views.detail, self.console, cid)
        key = (user(request).email, cid)
        if time.monotonic() - self.opened.get(key, -1e9) > OPEN_AUDIT_EVERY:
            self.opened[key] = time.monotonic()
            audit.record(user(request).email, "open_conversation", cid)
        return JSONResponse(data)

    @requires("agente", status_code=403)
    async def takeover(self, request: Request) -> Response:
        cid = request.path_params["cid"]
        if not await run_in_threadpool(views.exists, self.console, cid):
            return _error(404, "No existe esa conversación.")
        try:
            h = await self.console.service.take(cid, user(request).email, user(request).name)
        except HandoffConflict as exc:
            return _error(409, f"Esta conversación ya la atiende {exc.holder}.", assigned_to=exc.holder)
        audit.record(user(request).email, "takeover", cid)
        return JSONResponse({"id": cid, "state": h.state, "assigned_to": h.assigned_to})

    @requires("agente", status_code=403)
    async def send_message(self, request: Request) -> Response:
        cid = request.path_params["cid"]
        body = await _body(request)
        text = (body or {}).get("text")
        if not isinstance(text, str) or not text.strip():
            return _error(400, 'Envía {"text": "..."} con el mensaje.')
        if len(text) > MAX_TEXT:
            return _error(400, f"El mensaje supera {MAX_TEXT} caracteres.")
        try:
            delivery = await self.console.service.reply(
                cid, user(request).email, user(request).name, text.strip(), template=bool(body.get("template"))
            )
        except HandoffConflict as exc:
            return _error(409, "Toma la conversación antes de escribir.", assigned_to=exc.holder)
        except WindowClosed as exc:
            return _error(409, exc.window.text, window=exc.window.to_json(), template_available=exc.window.template)
        audit.record(
            user(request).email, "reply", cid, {"delivery": delivery.status, "template": bool(body.get("template"))}
        )
        return JSONResponse(
            {"id": delivery.message_id, "delivery": delivery.status, "error": delivery.error}, status_code=202
        )

    @requires("agente", status_code=403)
    async def handback(self, request: Request) -> Response:
        cid = request.path_params["cid"]
        body = await _body(request)
        if body is None or not isinstance(body.get("resume"), bool):
            return _error(400, 'Envía {"resume": true} para devolverla al asistente o {"resume": false} para cerrarla.')
        before = await run_in_threadpool(self.console.handoffs.get, cid)
        since = before.taken_at if before is not None and before.state == AGENT else None
        filed = await run_in_threadpool(self.console.store.find_pqrs_by_conversation, cid)
        intake_done = since is not None and any(p.radicado_por and p.creado_en >= since for p in filed)
        try:
            h = await self.console.service.hand_back(
                cid,
                user(request).email,
                user(request).name,
                resume=body["resume"],
                force=user(request).role == "admin",
                intake_done=intake_done,
            )
        except HandoffConflict as exc:
            return _error(409, "Esta conversación la atiende otra persona.", assigned_to=exc.holder)
        audit.record(user(request).email, "handback" if body["resume"] else "close", cid)
        return JSONResponse({"id": cid, "state": h.state, "assigned_to": h.assigned_to})

    @requires("agente", status_code=403)
    async def transfer(self, request: Request) -> Response:
        cid = request.path_params["cid"]
        body = await _body(request) or {}
        target = await run_in_threadpool(self.console.accounts.get, str(body.get("to") or ""))
        if target is None or not target.active or target.role not in ("agente", "admin"):
            return _error(400, "Elige una persona activa con rol de agente.")
        try:
            h = await run_in_threadpool(
                lambda: self.console.handoffs.transfer(
                    cid, user(request).email, target.email, force=user(request).role == "admin"
                )
            )
        except HandoffConflict as exc:
            return _error(409, "Solo quien tiene la conversación puede transferirla.", assigned_to=exc.holder)
        await run_in_threadpool(
            self.console.handoffs.add_note,
            cid,
            user(request).email,
            f"Transferida a {target.name}.",
            user(request).name,
        )
        audit.record(user(request).email, "transfer", cid, {"to": target.email})
        return JSONResponse({"id": cid, "state": h.state, "assigned_to": h.assigned_to})

    @requires("agente", status_code=403)
    async def add_note(self, request: Request) -> Response:
        cid = request.path_params["cid"]
        body = await _body(request) or {}
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            return _error(400, 'Envía {"text": "..."} con la nota.')
        if not await run_in_threadpool(views.exists, self.console, cid):
            return _error(404, "No existe esa conversación.")
        note_id = await run_in_threadpool(
            self.console.handoffs.add_note, cid, user(request).email, text.strip(), user(request).name
        )
        audit.record(user(request).email, "note", cid)
        return JSONResponse({"id": note_id}, status_code=201)

    def _canal(self, cid: str) -> str:
        row = views.detail(self.console, cid)
        return row.get("channel") or "Chat EPM"

    @requires("agente", status_code=403)
    async def check_intake(self, request: Request) -> Response:
        body = await _body(request)
        if body is None:
            return _error(400, "Envía los datos del reclamo en JSON.")
        _, result = await run_in_threadpool(filing.check, self.console, body)
        return JSONResponse({"errors": result.errors, "decisions": result.decisions, "blocked_by": result.blocked_by})

    @requires("agente", status_code=403)
    async def save_intake(self, request: Request) -> Response:
        """Complete or correct the intake: valid fields become the conversation's slots in Rasa,
        so the assistant goes on with them after the hand-back."""
        cid = request.path_params["cid"]
        body = await _body(request)
        if body is None:
            return _error(400, "Envía los datos del reclamo en JSON.")
        refused = self.holder_or_admin(request, cid)
        if refused is not None:
            return refused
        clean, result = await run_in_threadpool(filing.check, self.console, body)
        errors = {k: v for k, v in result.errors.items() if filing._text(body, k)}  # only what was given
        values = filing.slot_values(body, clean, errors)
        if values and not await self.console.rasa.set_slots(cid, values):
            return _error(502, "El asistente no respondió; inténtalo de nuevo.")
        audit.record(user(request).email, "intake_update", cid, {"fields": sorted(values)})
        return JSONResponse(
            {"saved": values, "errors": errors, "decisions": result.decisions, "blocked_by": result.blocked_by}
        )

    @requires("agente", status_code=403)
    async def file_pqr(self, request: Request) -> Response:
        cid = request.path_params["cid"]
        body = await _body(request)
        if body is None:
            return _error(400, "Envía los datos del reclamo en JSON.")
        refused = self.holder_or_admin(request, cid)
        if refused is not None:
            return refused
        canal = await run_in_threadpool(self._canal, cid)
        result = await run_in_threadpool(filing.file_pqr, self.console, cid, canal, body, user(request).email)
        if result.pqr is None:
            audit.record(
                user(request).email,
                "file_pqr_refused",
                cid,
                {"errors": list(result.errors), "blocked_by": result.blocked_by},
            )
            message = (
                f"La regla «{result.blocked_by['regla']}» no permite radicarlo por este canal: "
                f"{result.blocked_by['razon']}"
                if result.blocked_by
                else "Revisa los datos marcados."
            )
            return JSONResponse(
                {
                    "error": message,
                    "errors": result.errors,
                    "decisions": result.decisions,
                    "blocked_by": result.blocked_by,
                },
                status_code=422,
            )
        audit.record(user(request).email, "file_pqr", cid, {"numero": result.pqr.numero})
        return JSONResponse(
            {
                "pqr": result.pqr.to_json(),
                "decisions": result.decisions,
                "confirmation_text": filing.confirmation_text(result.pqr),
            },
            status_code=201,
        )


def routes(console: Console) -> List[Route]:
    api = ConversationsApi(console)
    return [
        Route("/api/conversations", api.conversations),
        Route("/api/conversations/{cid:path}/takeover", api.takeover, methods=["POST"]),
        Route("/api/conversations/{cid:path}/messages", api.send_message, methods=["POST"]),
        Route("/api/conversations/{cid:path}/handback", api.handback, methods=["POST"]),
        Route("/api/conversations/{cid:path}/transfer", api.transfer, methods=["POST"]),
        Route("/api/conversations/{cid:path}/notes", api.add_note, methods=["POST"]),
        Route("/api/conversations/{cid:path}/intake/check", api.check_intake, methods=["POST"]),
        Route("/api/conversations/{cid:path}/intake", api.save_intake, methods=["PUT"]),
        Route("/api/conversations/{cid:path}/pqr", api.file_pqr, methods=["POST"]),
        Route("/api/conversations/{cid:path}", api.conversation),
    ]
