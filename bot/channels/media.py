"""Media a customer sent (photo of the bill, voice note, documents): evidence for the PQR.

The channels store every item as it arrives (``add``); the PQR filing reads them back with
``list_media(conversation_id)`` (``as_evidencias`` turns them into CRM ``Evidencia``
objects; ``bot.bootstrap.Services.media_for`` does both). URLs are the provider's: Twilio media URLs need the
account's Basic auth to download, Meta's are signed CDN links that expire, Telegram items are
``telegram-file:<file_id>`` (download with getFile).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, List, Optional

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.logmask import masked_logger
from bot.outbound import schema
from core.clock import aware, utcnow

logger = masked_logger(__name__)


@dataclass(frozen=True)
class MediaItem:
    url: str
    content_type: Optional[str] = None
    provider_message_id: str = ""
    position: int = 0
    input_channel: str = ""
    conversation_id: str = ""
    received_at: Optional[datetime] = None

    @property
    def is_audio(self) -> bool:
        return (self.content_type or "").lower().startswith("audio/")

    @property
    def is_image(self) -> bool:
        return (self.content_type or "").lower().startswith("image/")


class MediaStore:
    def add(self, conversation_id: str, input_channel: str, items: Iterable[MediaItem]) -> int:
        """Store items (a retried delivery stores nothing twice); returns how many are new."""
        raise NotImplementedError

    def list_media(self, conversation_id: str) -> List[MediaItem]:
        """Everything the customer sent in this conversation, oldest first."""
        raise NotImplementedError


class InMemoryMediaStore(MediaStore):
    def __init__(self) -> None:
        self.items: List[MediaItem] = []
        self._lock = threading.Lock()

    def add(self, conversation_id, input_channel, items):
        added = 0
        with self._lock:
            for item in items:
                key = (input_channel, item.provider_message_id, item.position)
                if any((m.input_channel, m.provider_message_id, m.position) == key for m in self.items):
                    continue
                self.items.append(
                    MediaItem(
                        url=item.url,
                        content_type=item.content_type,
                        provider_message_id=item.provider_message_id,
                        position=item.position,
                        input_channel=input_channel,
                        conversation_id=conversation_id,
                        received_at=item.received_at or utcnow(),
                    )
                )
                added += 1
        return added

    def list_media(self, conversation_id):
        return [m for m in self.items if m.conversation_id == conversation_id]


class SqlMediaStore(MediaStore):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, conversation_id, input_channel, items):
        added = 0
        for item in items:
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        insert(schema.media).values(
                            conversation_id=conversation_id,
                            input_channel=input_channel,
                            provider_message_id=item.provider_message_id,
                            position=item.position,
                            url=item.url,
                            content_type=item.content_type,
                            received_at=item.received_at or utcnow(),
                        )
                    )
                added += 1
            except IntegrityError:
                continue
        return added

    def list_media(self, conversation_id):
        t = schema.media
        with self.engine.connect() as conn:
            rows = conn.execute(select(t).where(t.c.conversation_id == conversation_id).order_by(t.c.id)).mappings()
            return [
                MediaItem(
                    url=r["url"],
                    content_type=r["content_type"],
                    provider_message_id=r["provider_message_id"],
                    position=r["position"],
                    input_channel=r["input_channel"],
                    conversation_id=r["conversation_id"],
                    received_at=aware(r["received_at"]),
                )
                for r in rows
            ]


def _extension(content_type: Optional[str]) -> str:
    sub = (content_type or "").split("/")[-1].split(";")[0].strip().lower()
    return {"jpeg": "jpg", "mpeg": "mp3", "plain": "txt"}.get(sub, sub or "bin")


def as_evidencias(items: Iterable[MediaItem]):
    """CRM evidence (``Evidencia(tipo="adjunto")``) for the media of a conversation."""
    from crm_adapter.models import Evidencia

    out = []
    for n, item in enumerate(items, start=1):
        kind = "imagen" if item.is_image else "audio" if item.is_audio else "archivo"
        out.append(
            Evidencia(
                tipo="adjunto",
                nombre=f"{kind}-{n}.{_extension(item.content_type)}",
                url=item.url,
                content_type=item.content_type,
            )
        )
    return out
