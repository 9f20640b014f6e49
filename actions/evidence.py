"""The evidence attached to a PQR when it is filed: the text transcript, the chat image (PNG,
base64 in ``contenido``) and the media the customer sent. Seed 2.7: "se debe adjuntar la imagen
de la interacción o del chat dentro del caso en CRM"."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime, timezone

from rasa_sdk import Tracker

from actions.conversation import transcript
from bot.evidence.chat_image import ASISTENTE, CLIENTE, ChatMessage, render_chat
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


def chat_image_evidence(tracker: Tracker, canal: str) -> list[Evidencia]:
    pages = render_chat(chat_messages(tracker), canal=canal, conversation_id=tracker.sender_id)
    many = len(pages) > 1
    return [
        Evidencia(
            tipo="imagen_chat",
            nombre=f"conversacion-{i}.png" if many else "conversacion.png",
            contenido=base64.b64encode(png).decode("ascii"),
            content_type="image/png",
        )
        for i, png in enumerate(pages, start=1)
    ]


def build_evidencias(tracker: Tracker, canal: str, media_for: Callable[[str], list[Evidencia]]) -> list[Evidencia]:
    """Transcript, chat image and media; the image and the media never block a filing."""
    evidencias = [
        Evidencia(
            tipo="transcripcion",
            nombre="conversacion.txt",
            contenido=transcript(tracker, canal),
            content_type="text/plain",
        )
    ]
    try:
        evidencias += chat_image_evidence(tracker, canal)
    except Exception:
        logger.exception("could not render the chat image of %s", tracker.sender_id)
    try:
        evidencias += list(media_for(tracker.sender_id))
    except Exception:
        logger.exception("could not list media evidence")
    return evidencias
