"""The chat image as PQR evidence: drawn from a conversation's messages and attached to the PQR."""

from __future__ import annotations

import base64
from typing import List

from bot.evidence.chat_image import ChatMessage, render_chat
from crm_adapter.models import Evidencia

TIPO = "imagen_chat"


def chat_image_evidencias(messages: List[ChatMessage], canal: str, conversation_id: str) -> List[Evidencia]:
    pages = render_chat(messages, canal=canal, conversation_id=conversation_id)
    many = len(pages) > 1
    return [
        Evidencia(
            tipo=TIPO,
            nombre=f"conversacion-{i}.png" if many else "conversacion.png",
            contenido=base64.b64encode(png).decode("ascii"),
            content_type="image/png",
        )
        for i, png in enumerate(pages, start=1)
    ]
