"""``validate_pqr_form``: runs the intake (``actions.intake``) for each customer message while the
reclamo form is active, and tells the form what to ask next."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.asks import question
from actions.conversation import conversation_ref, is_fresh_turn
from actions.deps import UsesDeps
from actions.intake import FORM, INTAKE_SLOTS, IntakeTurn
from actions.messages import render


def _latest_message(tracker: Tracker) -> Dict[str, Any]:
    """Text, intent, confidence and spaCy's PER entities of the customer's latest message."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    return {
        "text": message.get("text") or "",
        "intent": intent.get("name"),
        "confidence": float(intent.get("confidence") or 0.0),
        "persons": [str(v) for v in tracker.get_latest_entity_values("PER")],
    }


class ValidatePqrForm(UsesDeps, FormValidationAction):
    """Runs ``IntakeTurn`` for each customer message while the reclamo form is active."""

    def name(self) -> str:
        return f"validate_{FORM}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        deps = self.deps
        ref = conversation_ref(tracker)
        slots = {name: tracker.get_slot(name) for name in INTAKE_SLOTS}
        requested = tracker.get_slot("requested_slot")
        fresh = is_fresh_turn(tracker, FORM)
        events: List[EventType] = []
        if fresh and deps.hooks.is_closed_for_lack_of_info(tracker.sender_id):
            # The request was closed by the next-day message: this message starts afresh.
            deps.hooks.reopen(tracker.sender_id)
            events = [SlotSet(name, None) for name in INTAKE_SLOTS]
            slots = {name: None for name in INTAKE_SLOTS}
            requested = None
        turn = IntakeTurn(deps, slots, tracker.sender_id, ref.canal)
        nxt = None
        try:
            turn.start()
            if fresh:
                latest = _latest_message(tracker)
                turn.apply(latest["text"], latest["intent"], latest["confidence"], latest["persons"], requested)
            nxt = turn.next_slot()
        finally:  # the customer's reply counts even if the turn failed (no closing for them)
            if fresh:
                deps.hooks.customer_turn(ref, nxt)  # one transaction for the reply and the request
            elif nxt:
                deps.hooks.data_requested(ref, nxt)
        for m in turn.result.messages:
            dispatcher.utter_message(text=render(m.response, **m.kwargs))
        events += [SlotSet(k, v) for k, v in turn.result.updates.items()]
        if not fresh or not turn.result.understood and requested is None:
            # Resuming after an interruption, or activation: nothing new to validate, but the
            # form must not be rejected for it.
            events.append(SlotSet("intentos", turn.get("intentos") or {}))
        events.append(SlotSet("requested_slot", nxt))
        if nxt:  # the form's question, in this same call (actions/asks.py says why)
            dispatcher.utter_message(text=question(nxt, tracker, events))
        return events
