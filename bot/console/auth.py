"""Authentication (Starlette's AuthenticationMiddleware with a session backend) and the API
guard: any ``/api/`` call without a session is 401 (except ``POST /api/session``); any
state-changing ``/api/`` call without the session's ``X-CSRF-Token`` header is 403. The guard
is plain ASGI middleware, so it covers mounted routes (the trainers' workbench) too."""

from __future__ import annotations

import hmac
import json
from typing import List, Optional, Tuple

from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from bot.console.accounts import Accounts, Session

COOKIE = "pqrbot_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def scopes_for(role: str) -> List[str]:
    if role == "admin":
        return ["authenticated", "agente", "entrenador", "admin"]
    return ["authenticated", role]


class ConsoleUser(BaseUser):
    def __init__(self, session: Session) -> None:
        self.session = session
        self.email = session.account.email
        self.name = session.account.name
        self.role = session.account.role
        self.csrf_token = session.csrf_token

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.name

    @property
    def identity(self) -> str:
        return self.email

    def to_json(self) -> dict:
        return {"email": self.email, "name": self.name, "role": self.role}


class SessionBackend(AuthenticationBackend):
    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts

    async def authenticate(self, conn: HTTPConnection) -> Optional[Tuple[AuthCredentials, BaseUser]]:
        session_id = conn.cookies.get(COOKIE)
        if not session_id:
            return None
        session = await run_in_threadpool(self.accounts.session, session_id)
        if session is None:
            return None
        return AuthCredentials(scopes_for(session.account.role)), ConsoleUser(session)


async def _json(send, status: int, body: dict) -> None:
    raw = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(raw)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})


class ApiGuard:
    """Runs after AuthenticationMiddleware (``scope["user"]`` is set)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            return await self.app(scope, receive, send)
        method = scope["method"].upper()
        if scope["path"].rstrip("/") == "/api/session" and method in ("POST", "GET"):
            return await self.app(scope, receive, send)  # login / "who am I" answer for themselves
        user = scope.get("user")
        if not isinstance(user, ConsoleUser):
            return await _json(send, 401, {"error": "Inicia sesión para continuar."})
        if method not in SAFE_METHODS:
            given = ""
            for key, value in scope.get("headers", []):
                if key == b"x-csrf-token":
                    given = value.decode("latin-1")
            if not given or not hmac.compare_digest(given, user.csrf_token):
                return await _json(send, 403, {"error": "Falta el token CSRF o no es válido; recarga la página."})
        return await self.app(scope, receive, send)
