"""The audit log: everything staff do in the console (login, take over, reply, file, hand back,
opening a customer's data). ``record(actor_email, action, target, detail=None)`` is the shared
entry point (the trainers' workbench uses it too); ``configure(engine)`` is called once by the
console app at start."""

from __future__ import annotations

import json
import logging
from datetime import timezone
from typing import Any, List, Optional

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from bot.console import schema
from core.clock import utcnow

log = logging.getLogger(__name__)
_engine: Optional[Engine] = None


def configure(engine: Engine) -> None:
    global _engine
    _engine = engine


def record(actor_email: str, action: str, target: Optional[str], detail: Any = None) -> None:
    """Append one entry. Never raises: a failure is logged (the action itself already happened)."""
    if _engine is None:
        log.error("audit log not configured: %s %s %s", actor_email, action, target)
        return
    try:
        with _engine.begin() as conn:
            conn.execute(
                insert(schema.audit).values(
                    at=utcnow(),
                    actor=actor_email or "-",
                    action=action[:80],
                    target=(str(target)[:255] if target is not None else None),
                    detail=json.dumps(detail, ensure_ascii=False, default=str) if detail is not None else None,
                )
            )
    except Exception:
        log.exception("could not write the audit entry %s %s", action, target)


def entries(limit: int = 200, actor: Optional[str] = None, action: Optional[str] = None) -> List[dict]:
    t = schema.audit
    query = select(t).order_by(t.c.id.desc()).limit(limit)
    if actor:
        query = query.where(t.c.actor == actor)
    if action:
        query = query.where(t.c.action == action)
    with _engine.connect() as conn:
        rows = conn.execute(query).all()
    out = []
    for r in rows:
        at = r.at if r.at.tzinfo else r.at.replace(tzinfo=timezone.utc)
        out.append(
            {
                "id": r.id,
                "at": at.isoformat(),
                "actor": r.actor,
                "action": r.action,
                "target": r.target,
                "detail": json.loads(r.detail) if r.detail else None,
            }
        )
    return out
