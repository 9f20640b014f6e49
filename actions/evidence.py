"""The evidence attached to a PQR: the text transcript and the media the customer sent, filed
with it; the chat image (PNG, base64 in ``contenido``), attached right after the customer has the
answer (``bot.evidence.attach.chat_image_job``; it shows that answer too). Seed 2.7: "se debe adjuntar la imagen de
la interacción o del chat dentro del caso en CRM"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from rasa_sdk import Tracker

from actions.conversation import transcript
from bot.evidence.chat_image import ASISTENTE, CLIENTE, ChatMessage
from bot.logmask import masked_logger
from crm_adapter.models import Evidencia

logger = masked_logger(__name__)


def chat_messages(tracker: Tracker) -> list[ChatMessage]:
    messages: list[ChatMessage] = []
    for event in tracker.events:
        kind = event.get("event")
        text = event.get("text")
        if kind not in ("user", "bot") or not text:
            continue
        ts = event.get("timestamp")
        at = datetime.fromtimestamp(ts, tz=timezone.utc) if ts else None
        messages.append(ChatMessage(CLIENTE if kind == "user" else ASISTENTE, text, at))
    return messages


def build_evidencias(tracker: Tracker, canal: str, media_for: Callable[[str], list[Evidencia]]) -> list[Evidencia]:
    """Transcript and media, filed with the PQR (the media never block a filing). The chat image
    comes after the answer (``bot.evidence.attach.chat_image_job``)."""
    evidencias = [
        Evidencia(
            tipo="transcripcion",
            nombre="conversacion.txt",
            contenido=transcript(tracker, canal),
            content_type="text/plain",
        )
    ]
    try:
        evidencias += list(media_for(tracker.sender_id))
    except Exception:
        logger.exception("could not list media evidence")
    return evidencias
