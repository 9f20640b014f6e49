"""The evidence attached to a PQR: the text transcript and the media the customer sent, filed
with it; the chat image (PNG, base64 in ``contenido``), drawn by the worker process from the
stored conversation once the customer has the answer (``bot.evidence.backfill``; it shows that
answer too). Seed 2.7: "se debe adjuntar la imagen de
la interacción o del chat dentro del caso en CRM"."""

from __future__ import annotations

from collections.abc import Callable

from rasa_sdk import Tracker

from actions.conversation import transcript
from bot.logmask import masked_logger
from crm_adapter.models import Evidencia

logger = masked_logger(__name__)


def build_evidencias(tracker: Tracker, canal: str, media_for: Callable[[str], list[Evidencia]]) -> list[Evidencia]:
    """Transcript and media, filed with the PQR (the media never block a filing). The chat image
    is drawn by the worker process (``bot.evidence.backfill``)."""
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
