"""Small HTTP helpers shared by the console's route modules."""

from __future__ import annotations

from typing import Any, Dict, Optional

from starlette.requests import Request
from starlette.responses import JSONResponse

MAX_TEXT = 4000  # characters of a message or note


def error(status: int, message: str, **extra: Any) -> JSONResponse:
    """``{"error": <Spanish text>, ...}`` with ``status``."""
    return JSONResponse(dict({"error": message}, **extra), status_code=status)


async def body_of(request: Request) -> Optional[Dict[str, Any]]:
    """The JSON object sent, or None when it is not one."""
    try:
        data = await request.json()
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def is_https(request: Request, console) -> bool:
    proto = request.headers.get("x-forwarded-proto", request.url.scheme)
    return proto == "https" or (console.settings.public_url or "").startswith("https://")


def user(request: Request):
    """The signed-in ConsoleUser (the API guard lets no anonymous call reach a route)."""
    return request.user
