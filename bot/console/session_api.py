"""Signing in and out: ``/api/session``."""

from __future__ import annotations

from typing import List

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.console import audit
from bot.console.auth import COOKIE, ConsoleUser, scopes_for
from bot.console.context import Console
from bot.console.http import body_of as _body
from bot.console.http import error as _error
from bot.console.http import is_https as _is_https
from bot.console.http import user


def routes(console: Console) -> List[Route]:
    # ------------------------------------------------------------------ session
    async def session_get(request: Request) -> Response:
        if not isinstance(request.user, ConsoleUser):
            return _error(401, "Inicia sesión para continuar.")
        return JSONResponse(
            {
                "csrf_token": request.user.csrf_token,
                "user": request.user.to_json(),
                "scopes": scopes_for(request.user.role),
            }
        )

    async def session_post(request: Request) -> Response:
        body = await _body(request)
        if body is None or not isinstance(body.get("email"), str) or not isinstance(body.get("password"), str):
            return _error(400, 'Envía {"email": ..., "password": ...}.')
        email = body["email"].strip().lower()[:255]
        ip = request.client.host if request.client else None
        if await run_in_threadpool(console.accounts.throttled, email, ip):
            audit.record(email, "login_throttled", email, {"ip": ip})
            return JSONResponse(
                {"error": "Demasiados intentos fallidos. Espera 15 minutos e inténtalo de nuevo."},
                status_code=429,
                headers={"Retry-After": "900"},
            )
        account = await run_in_threadpool(console.accounts.authenticate, email, body["password"], ip)
        if account is None:
            audit.record(email, "login_failed", email, {"ip": ip})
            return _error(401, "Correo o contraseña incorrectos.")
        session_id, csrf = await run_in_threadpool(console.accounts.open_session, account.email)
        audit.record(account.email, "login", account.email, {"ip": ip})
        response = JSONResponse(
            {"csrf_token": csrf, "user": {"email": account.email, "name": account.name, "role": account.role}}
        )
        response.set_cookie(
            COOKIE,
            session_id,
            httponly=True,
            samesite="lax",
            secure=_is_https(request, console),
            path="/",
            max_age=12 * 3600,
        )
        return response

    async def session_delete(request: Request) -> Response:
        await run_in_threadpool(console.accounts.close_session, request.cookies.get(COOKIE, ""))
        audit.record(user(request).email, "logout", user(request).email)
        response = JSONResponse({"ok": True})
        response.delete_cookie(COOKIE, path="/")
        return response

    return [
        Route("/api/session", session_get, methods=["GET"]),
        Route("/api/session", session_post, methods=["POST"]),
        Route("/api/session", session_delete, methods=["DELETE"]),
    ]
