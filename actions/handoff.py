"""Handing a conversation over to a person of the console.

* ``action_pedir_asesor``: the customer asks for a person (or insists after a filing rule sent
  them elsewhere): the conversation becomes ``waiting`` with the reason and the data so far, and
  the customer is told a person will write and the expected wait (or, outside the hours of
  attention, when people are back), and that the assistant can go on meanwhile.
* ``hand_over_after_misunderstandings``: called by ``action_no_entendi`` on the second
  misunderstanding in a row.
The assistant keeps answering while the conversation waits; it is paused only when a person
takes it (bot/handoff/service.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import conversation_ref
from actions.deps import UsesDeps
from actions.intake import INTAKE_SLOTS
from bot.handoff import messages as texts
from bot.handoff.hours import AttentionHours, describe_opening
from bot.handoff.schema import (
    AGENT,
    REASON_CUSTOMER_ASKED,
    REASON_INSISTS_AFTER_ORIENTACION,
    REASON_NOT_UNDERSTOOD,
    WAITING,
)
from bot.logmask import masked_logger
from core.clock import utcnow

logger = masked_logger(__name__)

_BOOKKEEPING = {"intentos", "pendientes", "politica_url", "intake_id"}


def intake_data(tracker: Tracker) -> Dict[str, Any]:
    """The intake data gathered so far (what the agent will see)."""
    return {
        k: v
        for k, v in tracker.current_slot_values().items()
        if k in INTAKE_SLOTS and k not in _BOOKKEEPING and v not in (None, "", [])
    }


def was_oriented(tracker: Tracker) -> bool:
    """A filing rule sent this customer elsewhere earlier in the conversation."""
    return any(e.get("event") == "slot" and e.get("name") == "orientacion" and e.get("value") for e in tracker.events)


def misunderstood_twice(tracker: Tracker) -> bool:
    """The previous customer message was not understood either (this one is being answered by
    ``action_no_entendi`` now)."""
    users_seen = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users_seen += 1
            if users_seen == 2:
                return False
        elif users_seen == 1 and event.get("event") == "action" and event.get("name") == "action_no_entendi":
            return True
    return False


def _store():
    from bot.bootstrap import services

    return services().handoff


def hand_over(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    settings,
    reason: str,
    store=None,
    now: Optional[datetime] = None,
) -> bool:
    """Queue the conversation for a person and tell the customer. False when it already waits
    or a person holds it (nothing said twice)."""
    store = store or _store()
    now = now or utcnow()
    ref = conversation_ref(tracker)
    try:
        current = store.get(tracker.sender_id)
        if current is not None and current.state in (WAITING, AGENT) and reason == REASON_NOT_UNDERSTOOD:
            return False
        hours = AttentionHours.parse(settings.attention_hours)
        open_now = hours.is_open(now)
        store.request_agent(
            tracker.sender_id,
            reason,
            input_channel=ref.input_channel,
            canal=ref.canal,
            data=intake_data(tracker),
            outside_hours=not open_now,
            now=now,
        )
    except Exception:  # the database is down: the customer still gets the line numbers
        logger.exception("could not queue conversation %s for a person", tracker.sender_id)
        dispatcher.utter_message(text=texts.outside_hours(None))
        return False
    if open_now:
        dispatcher.utter_message(text=texts.waiting(settings.handoff_expected_wait_seconds))
    else:
        opening = hours.next_opening(now)
        dispatcher.utter_message(text=texts.outside_hours(describe_opening(opening, now) if opening else None))
    return True


class ActionPedirAsesor(UsesDeps, Action):
    def name(self) -> str:
        return "action_pedir_asesor"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reason = REASON_INSISTS_AFTER_ORIENTACION if was_oriented(tracker) else REASON_CUSTOMER_ASKED
        hand_over(dispatcher, tracker, self.deps.settings, reason)
        return []


def hand_over_after_misunderstandings(dispatcher: CollectingDispatcher, tracker: Tracker, settings) -> bool:
    if not misunderstood_twice(tracker):
        return False
    return hand_over(dispatcher, tracker, settings, REASON_NOT_UNDERSTOOD)
