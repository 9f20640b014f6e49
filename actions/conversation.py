"""Reading a rasa-sdk Tracker: who the conversation is, whether this turn is a fresh customer
message, and the transcript attached to the PQR as evidence."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from bot.canal import canal_for
from bot.conversation_hooks import ConversationRef
from bot.conversation_ids import PUBLIC_CANAL, client_id, is_public


def pqrs_of(store: Any, sender: str) -> list:
    """The PQRs filed in this conversation. The CRM shows the id the client used; a public-channel
    client only sees Chat EPM PQRs, so "whatsapp:+57..." typed as a REST sender never reads a
    WhatsApp customer's PQR, and a provider's conversation never reads a Chat EPM one."""
    pqrs = store.find_pqrs_by_conversation(client_id(sender))
    if is_public(sender):
        return [p for p in pqrs if p.canal == PUBLIC_CANAL]
    if ":" in sender:  # a provider's conversation (whatsapp:..., telegram:...)
        return [p for p in pqrs if p.canal != PUBLIC_CANAL]
    return pqrs


def latest_user_event(tracker: Tracker) -> Optional[Dict[str, Any]]:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event
    return None


def conversation_ref(tracker: Tracker) -> ConversationRef:
    event = latest_user_event(tracker) or {}
    metadata = event.get("metadata") or {}
    channel = event.get("input_channel") or tracker.get_latest_input_channel() or "rest"
    return ConversationRef(
        conversation_id=tracker.sender_id,
        input_channel=channel,
        canal=canal_for(channel, metadata),
        metadata=metadata or None,
    )


_SKIPPABLE = {"slot", "user_featurization", "active_loop", "loop_interrupted", "action_execution_rejected"}


def is_fresh_turn(tracker: Tracker, form_name: str) -> bool:
    """True when the form runs right after a new customer message (not when it resumes after an
    interruption, a fallback, or a re-run for the same message)."""
    events = list(tracker.events)
    i = len(events) - 1
    seen_form_execution = False
    while i >= 0:
        ev = events[i]
        kind = ev.get("event")
        if kind == "user":
            return True
        if kind == "action" and ev.get("name") == form_name and not seen_form_execution:
            seen_form_execution = True
        elif kind not in _SKIPPABLE:
            return False
        i -= 1
    return False


def user_texts_since_last_intake(tracker: Tracker) -> List[str]:
    """Customer messages since the last finished or cancelled intake (oldest first)."""
    texts: List[str] = []
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "action" and event.get("name") in ("action_cerrar_solicitud", "action_cancelar"):
            break
        if kind == "user" and event.get("text"):
            texts.append(event["text"])
    return list(reversed(texts))


def _when(ts: Optional[float]) -> str:
    if not ts:
        return ""
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def transcript(tracker: Tracker, canal: str) -> str:
    """The conversation as read by the customer, for the PQR's evidence."""
    lines = [f"Conversación {tracker.sender_id} — canal {canal}"]
    for event in tracker.events:
        kind = event.get("event")
        if kind == "user":
            lines.append(f"[{_when(event.get('timestamp'))}] Cliente: {event.get('text') or ''}")
        elif kind == "bot" and event.get("text"):
            lines.append(f"[{_when(event.get('timestamp'))}] Asistente: {event.get('text')}")
    return "\n".join(lines)
