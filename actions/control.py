"""Cancel, and what to do with a message nobody understood."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import conversation_ref, pqrs_of
from actions.deps import UsesDeps
from actions.filing import reset_intake
from actions.intake import FORM
from actions.messages import render
from actions.readback import medio_texto


class ActionCancelar(UsesDeps, Action):
    def name(self) -> str:
        return "action_cancelar"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        in_intake = tracker.active_loop.get("name") == FORM or bool(tracker.get_slot("intake_id"))
        if not in_intake:
            dispatcher.utter_message(text=render("nada_que_cancelar"))
            return [ActiveLoop(None)]
        self.deps.hooks.intake_finished(conversation_ref(tracker), "cancelada")
        dispatcher.utter_message(text=render("cancelado"))
        return [ActiveLoop(None)] + reset_intake(tracker)


class ActionNumeroPqr(UsesDeps, Action):
    """'¿Cuál era el número?': the PQR(s) filed in this conversation, from the CRM."""

    def name(self) -> str:
        return "action_numero_pqr"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        pqrs = pqrs_of(self.deps.store, tracker.sender_id)
        if not pqrs:
            dispatcher.utter_message(text=render("sin_pqr"))
        elif len(pqrs) == 1:
            medio = pqrs[0].medio_notificacion
            dispatcher.utter_message(
                text=render("numero_pqr", numero=pqrs[0].numero, medio=medio_texto(medio.tipo, medio.valor))
            )
        else:
            dispatcher.utter_message(
                text=render("numero_pqrs", numeros=", ".join(p.numero for p in pqrs), numero=pqrs[-1].numero)
            )
        return []


class ActionNoEntendi(UsesDeps, Action):
    """Core fallback: say so, forget the message, and let the form ask its question again.
    The second misunderstanding in a row also asks a person to step in (actions/handoff.py)."""

    def name(self) -> str:
        return "action_no_entendi"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        from actions.handoff import hand_over_after_misunderstandings

        dispatcher.utter_message(response="utter_no_entendi")
        if hand_over_after_misunderstandings(dispatcher, tracker, self.deps.settings):
            return [UserUtteranceReverted()]
        if tracker.active_loop.get("name") != FORM:
            dispatcher.utter_message(response="utter_ofrecer_reclamo")
        return [UserUtteranceReverted()]
