"""Fixtures of the workbench tests: a temporary copy of the project's NLU files (tests never write
the repository's own nlu/ or domain.yml), a SQLite workbench store, and a small Starlette app that
mounts the workbench's ROUTES at /api/nlu behind a header-based authentication backend."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, AuthenticationBackend, SimpleUser
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.config import PROJECT_ROOT, load_settings
from bot.schema import upgrade_all
from bot.workbench.context import Workbench
from bot.workbench.store import WorkbenchStore
from crm_adapter.db import make_engine

ROLE_SCOPES = {
    "agente": ["authenticated", "agente"],
    "entrenador": ["authenticated", "entrenador"],
    "admin": ["authenticated", "agente", "entrenador", "admin"],
}
STATIC = PROJECT_ROOT / "bot" / "workbench" / "static"


class StaffUser(SimpleUser):
    def __init__(self, role: str):
        super().__init__(f"{role}@example.com")
        self.email = f"{role}@example.com"
        self.name = role.title()
        self.role = role


class HeaderRoleBackend(AuthenticationBackend):
    """The role named by the X-Test-Role header (no header: anonymous)."""

    async def authenticate(self, conn):
        role = conn.headers.get("x-test-role") or conn.cookies.get("test_role")
        if role not in ROLE_SCOPES:
            return None
        return AuthCredentials(ROLE_SCOPES[role]), StaffUser(role)


def make_project(dest: Path) -> Path:
    """A copy of what the workbench reads and writes: nlu/, domain.yml, config.yml, tests/nlu."""
    shutil.copytree(PROJECT_ROOT / "nlu", dest / "nlu", ignore=shutil.ignore_patterns("__pycache__", ".*"))
    for name in ("domain.yml", "config.yml"):
        shutil.copy(PROJECT_ROOT / name, dest / name)
    (dest / "tests" / "nlu").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "tests" / "nlu" / "test_set.yml", dest / "tests" / "nlu" / "test_set.yml")
    (dest / "models").mkdir()
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture
def audit_log():
    return []


@pytest.fixture
def wb(project: Path, tmp_path: Path, audit_log) -> Workbench:
    engine = make_engine(f"sqlite:///{tmp_path / 'wb.db'}")
    upgrade_all(engine)
    settings = load_settings(
        {"PQRBOT_DATA_DIR": str(tmp_path / "var"), "PQRBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'wb.db'}"}
    )
    return Workbench(
        store=WorkbenchStore(engine), root=project, settings=settings, audit=lambda *args: audit_log.append(args)
    )


class CsrfCheck:
    """Like the console: a state-changing /api/ call without the session's X-CSRF-Token is 403."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD") and scope["path"].startswith("/api/"):
            headers = dict(scope["headers"])
            if headers.get(b"x-csrf-token") != b"test-csrf":
                await JSONResponse({"error": "csrf"}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def build_app(wb: Workbench, loader=None, static: bool = False, csrf: bool = False) -> Starlette:
    from bot.workbench.api import ROUTES

    async def session(request):
        if not request.user.is_authenticated:
            return JSONResponse({"error": "no session"}, status_code=401)
        u = request.user
        return JSONResponse({"csrf_token": "test-csrf", "user": {"email": u.email, "name": u.name, "role": u.role}})

    routes = [Route("/api/session", session), Mount("/api/nlu", routes=ROUTES)]
    if static:
        routes.append(Mount("/entrenamiento", app=StaticFiles(directory=STATIC, html=True)))
    middleware = [Middleware(CsrfCheck)] if csrf else []
    middleware.append(Middleware(AuthenticationMiddleware, backend=HeaderRoleBackend()))
    app = Starlette(routes=routes, middleware=middleware)
    app.state.workbench = wb
    app.state.model_loader = loader
    return app


def user_event(
    text: str,
    intent: str,
    confidence: float,
    sender: str = "conv-1",
    channel: str = "rest",
    ranking=None,
    entities=None,
    timestamp: float = 1764480000.0,
) -> dict:
    """A user event as Rasa's event brokers publish it."""
    return {
        "event": "user",
        "timestamp": timestamp,
        "sender_id": sender,
        "text": text,
        "input_channel": channel,
        "message_id": "m1",
        "metadata": {},
        "parse_data": {
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
            "text": text,
            "message_id": "m1",
            "metadata": {},
            "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
        },
    }
