"""Quick replies (canned texts agents insert in a reply), kept in ``console_quick_replies``."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine

from bot.console import schema
from core.clock import utcnow

qr = schema.quick_replies
MAX_TITLE, MAX_TEXT = 120, 4000


def clean(body: Optional[Dict[str, Any]]) -> Optional[Dict[str, str]]:
    """``{"title", "text"}`` trimmed, or None when either is missing or blank."""
    if not body or not isinstance(body.get("title"), str) or not isinstance(body.get("text"), str):
        return None
    title, text = body["title"].strip(), body["text"].strip()
    if not title or not text:
        return None
    return {"title": title[:MAX_TITLE], "text": text[:MAX_TEXT]}


class QuickReplies:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def list(self) -> List[Dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                {"id": r.id, "title": r.title, "text": r.text, "updated_by": r.updated_by}
                for r in conn.execute(select(qr).order_by(qr.c.title))
            ]

    def add(self, title: str, text: str, by: str) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(insert(qr).values(title=title, text=text, updated_by=by, updated_at=utcnow()))
            return int(result.inserted_primary_key[0])

    def change(self, reply_id: int, title: str, text: str, by: str) -> bool:
        with self.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(qr)
                    .where(qr.c.id == reply_id)
                    .values(title=title, text=text, updated_by=by, updated_at=utcnow())
                ).rowcount
            )

    def remove(self, reply_id: int) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(qr).where(qr.c.id == reply_id)).rowcount)
