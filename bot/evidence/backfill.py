"""The worker attaches the chat image to the PQRs that have none.

The filing turn leaves the chat image to after the customer's answer (``bot/evidence/after_turn.py``);
a process that stops or dies in between would leave its PQRs without it, and so do the reclamos
kept in the filing outbox while the CRM was down (filed later by the worker). Every
``interval`` seconds the worker looks for PQRs created between ``max_age`` and ``min_age`` ago
with no ``imagen_chat`` evidence and draws it from the conversation's stored messages
(``conversation_events``): those after the conversation's previous PQR, up to the answer that
gave this PQR's number. A PQR whose conversation has no stored messages (erased under Ley 1581,
say) is left as it is and logged.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, List, Optional

from bot.conversation_ids import PUBLIC_PREFIXES
from bot.events import schema as events_schema
from bot.evidence.attach import TIPO, chat_image_evidencias
from bot.evidence.chat_image import ASISTENTE, CLIENTE, ChatMessage
from bot.logmask import masked_logger
from core.clock import utcnow
from core.loops import run_every

logger = masked_logger(__name__)


def _sender_ids(conversation_id: str) -> List[str]:
    """Rasa's ids of a conversation (the PQR keeps the id the client used)."""
    return [conversation_id] + [prefix + conversation_id for prefix in PUBLIC_PREFIXES.values()]


def messages_for_pqr(store, events, pqr) -> List[ChatMessage]:
    earlier = [p.numero for p in store.find_pqrs_by_conversation(pqr.conversation_id) if p.numero != pqr.numero]
    messages: List[ChatMessage] = []
    for sender in _sender_ids(pqr.conversation_id):
        stored = events.for_conversation(sender, kinds=[events_schema.USER, events_schema.BOT])
        if not stored:
            continue
        for e in stored:
            if not e.text:
                continue
            if e.kind == events_schema.BOT and any(n in e.text for n in earlier):
                messages = []  # the answer of an earlier PQR: this one's conversation starts after it
                continue
            messages.append(ChatMessage(CLIENTE if e.kind == events_schema.USER else ASISTENTE, e.text, e.at))
            if e.kind == events_schema.BOT and pqr.numero in e.text:
                break  # the answer with this PQR's number
        break
    return messages


def backfill_chat_images(
    store,
    events,
    now: Optional[datetime] = None,
    *,
    min_age: timedelta = timedelta(minutes=2),
    max_age: timedelta = timedelta(days=2),
    limit: int = 50,
) -> int:
    """Attach the missing chat images; the number attached."""
    now = now or utcnow()
    attached = 0
    for numero in store.pqrs_without_evidencia(TIPO, now - max_age, now - min_age)[:limit]:
        try:
            pqr = store.get_pqr(numero)
            if pqr is None:
                continue
            messages = messages_for_pqr(store, events, pqr)
            if not messages:
                logger.warning("no stored messages to draw the chat image of %s", numero)
                continue
            # another worker replica may be filling the same gap: the image is attached once
            if store.add_evidencias_if_missing(numero, chat_image_evidencias(messages, pqr.canal, pqr.conversation_id)):
                attached += 1
        except Exception:
            logger.exception("could not attach the chat image of %s", numero)
    if attached:
        logger.info("attached the chat image of %s PQR(s) filed without it", attached)
    return attached


class ChatImageBackfill:
    def __init__(self, store, events, *, min_age: timedelta = timedelta(minutes=2)) -> None:
        self.store, self.events, self.min_age = store, events, min_age

    async def run(self, stopping: Callable[[], bool], interval: float = 60.0) -> None:
        await run_every(
            interval,
            stopping,
            lambda: backfill_chat_images(self.store, self.events, min_age=self.min_age),
            "chat image backfill",
        )
