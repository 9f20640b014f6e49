"""The worker draws the chat image of each filed PQR and attaches it.

Drawing the image (and storing the PNG) cost a Rasa worker about an eighth of its time under
load, in threads that took Python's GIL from the customers' turns (issue 13): the Rasa workers
no longer draw it. Every ``interval`` seconds (3) the worker process looks for PQRs created
between ``max_age`` and ``min_age`` ago with no ``imagen_chat`` evidence and draws it from the
conversation's stored messages (``conversation_events``): those after the conversation's
previous PQR, up to the answer that gave this PQR's number. It does so in a thread of its own at
the lowest CPU priority (``nice`` 19 for that thread): on a busy host the customers' turns get
the CPU first and the images follow when it is free; on an idle one an image is attached a few
seconds after the answer.

A PQR whose answer is not stored yet (the console's event writer stores it within milliseconds;
a PQR filed from the outbox gets its number later) waits for it up to ``settle`` (two minutes),
then is drawn with the messages there are. A PQR whose conversation has no stored messages
(erased under Ley 1581, say) is left as it is and logged. The image is attached once
(``add_evidencias_if_missing``), whatever the number of worker replicas.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Callable, List, Optional, Set

from bot.conversation_ids import PUBLIC_PREFIXES
from bot.events import schema as events_schema
from bot.evidence.attach import TIPO, chat_image_evidencias
from bot.evidence.chat_image import ASISTENTE, CLIENTE, ChatMessage
from bot.logmask import masked_logger
from core.clock import aware, utcnow
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
    min_age: timedelta = timedelta(seconds=1),
    settle: timedelta = timedelta(minutes=2),
    max_age: timedelta = timedelta(days=2),
    limit: int = 50,
    without_messages: Optional[Set[str]] = None,
) -> int:
    """Attach the missing chat images; the number attached. ``without_messages`` (kept by the
    caller from one round to the next): the PQRs found with no stored messages, logged once and
    left out of the later rounds, so that they neither fill the log every few seconds nor take the
    places of the round's ``limit``."""
    now = now or utcnow()
    attached = 0
    missing = store.pqrs_without_evidencia(TIPO, now - max_age, now - min_age)
    if without_messages is None:
        without_messages = set()
    else:
        without_messages.intersection_update(missing)  # those out of the window are forgotten
    for numero in [n for n in missing if n not in without_messages][:limit]:
        try:
            pqr = store.get_pqr(numero)
            if pqr is None:
                continue
            messages = messages_for_pqr(store, events, pqr)
            answered = any(m.sender == ASISTENTE and pqr.numero in m.text for m in messages)
            if not answered and now - (aware(pqr.creado_en) or now) < settle:
                continue  # its answer is not stored yet: a later round draws it with the answer
            if not messages:
                logger.warning("no stored messages to draw the chat image of %s", numero)
                without_messages.add(numero)
                continue
            # another worker replica may be filling the same gap: the image is attached once
            if store.add_evidencias_if_missing(numero, chat_image_evidencias(messages, pqr.canal, pqr.conversation_id)):
                attached += 1
        except Exception:
            logger.exception("could not attach the chat image of %s", numero)
    if attached:
        logger.debug("attached the chat image of %s PQR(s)", attached)
    return attached


BACKGROUND_NICE = 19  # the lowest CPU priority: the host's customer turns first


def lower_this_threads_priority(niceness: int = BACKGROUND_NICE) -> bool:
    """Give the calling thread (not its process) the CPU priority ``niceness`` (Linux: a
    thread's own nice value). False where that cannot be done; the thread then runs as it is."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
        return True
    except (AttributeError, OSError):
        logger.debug("could not lower the chat images thread's priority")
        return False


class ChatImageBackfill:
    def __init__(self, store, events, *, min_age: timedelta = timedelta(seconds=1)) -> None:
        self.store, self.events, self.min_age = store, events, min_age
        self.without_messages: Set[str] = set()

    async def run(self, stopping: Callable[[], bool], interval: float = 3.0) -> None:
        executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="pqrbot-chat-images", initializer=lower_this_threads_priority
        )
        try:
            await run_every(
                interval,
                stopping,
                lambda: backfill_chat_images(
                    self.store, self.events, min_age=self.min_age, without_messages=self.without_messages
                ),
                "chat images",
                executor=executor,
            )
        finally:
            executor.shutdown(wait=False)
