"""The questions of the reclamo form, worded with what is already known.

``validate_pqr_form`` asks the next question itself (``question``), in the same action-server
call that read the customer's message: Rasa's form would otherwise call an ``action_ask_<slot>``
action after it, a second round trip with the whole tracker for every message (issue 13). The
domain therefore lists no ``action_ask_*`` and no ``utter_ask_*``; Rasa's form finds none and
asks nothing more (``rasa/core/actions/forms.py: _ask_for_slot``).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

from actions.intake import ALCANTARILLADO
from actions.messages import render
from actions.readback import readback_text


def _first_name(tracker: Tracker) -> Optional[str]:
    nombre = tracker.get_slot("nombre")
    return nombre.split(" ")[0] if nombre else None


class Question:
    """How the form asks for one slot."""

    slot = ""

    def text(self, tracker: Tracker) -> str:
        return render(f"ask_{self.slot}", **{k: v or "" for k, v in tracker.current_slot_values().items()})


class AskConsentimiento(Question):
    slot = "consentimiento"

    def text(self, tracker: Tracker) -> str:
        # The full notice once per intake (each new intake gets it again); then the short question.
        full = render("ask_consentimiento", politica_url=tracker.get_slot("politica_url") or "")
        return render("ask_consentimiento_corto") if _said_in_this_intake(tracker, full) else full


def _said_in_this_intake(tracker: Tracker, text: str) -> bool:
    """Whether the assistant already sent ``text`` since the current intake started (the last
    time ``intake_id`` was set); undone events do not count (the SDK's ``applied_events``)."""
    for event in reversed(tracker.applied_events()):
        if event.get("event") == "slot" and event.get("name") == "intake_id" and event.get("value"):
            return False
        if event.get("event") == "bot" and event.get("text") == text:
            return True
    return False


class AskMotivo(Question):
    slot = "motivo"


class AskNombre(Question):
    slot = "nombre"


class AskNumeroDocumento(Question):
    slot = "numero_documento"

    def text(self, tracker: Tracker) -> str:
        name = _first_name(tracker)
        return (render("gracias_nombre", nombre=name) if name else "") + render("ask_numero_documento")


class AskContrato(Question):
    slot = "contrato"

    def text(self, tracker: Tracker) -> str:
        if tracker.get_slot("tipo_reclamo") == ALCANTARILLADO and tracker.get_slot("direccion"):
            return render("alcantarillado_pedir_contrato")
        return render("pedir_contrato")


class AskRelacionInmueble(Question):
    slot = "relacion_inmueble"


class AskNotifCorreo(Question):
    slot = "notif_correo"


class AskNotifCelular(Question):
    slot = "notif_celular"


class AskNotifDireccion(Question):
    slot = "notif_direccion"


class AskConfirmacion(Question):
    slot = "confirmacion"

    def text(self, tracker: Tracker) -> str:
        return readback_text(tracker.current_slot_values())


QUESTIONS: Dict[str, Question] = {
    q.slot: q
    for q in (
        AskConsentimiento(),
        AskMotivo(),
        AskNombre(),
        AskNumeroDocumento(),
        AskContrato(),
        AskRelacionInmueble(),
        AskNotifCorreo(),
        AskNotifCelular(),
        AskNotifDireccion(),
        AskConfirmacion(),
    )
}


def question(slot: str, tracker: Tracker, new_events: List[Dict[str, Any]]) -> str:
    """The question for ``slot`` as it reads once ``new_events`` (this turn's events) are applied
    to ``tracker``."""
    slots = dict(tracker.slots)
    slots.update({e["name"]: e["value"] for e in new_events if e.get("event") == "slot"})
    events = list(tracker.events) + list(new_events)
    view = Tracker(
        tracker.sender_id,
        slots,
        tracker.latest_message,
        events,
        tracker.is_paused(),
        tracker.followup_action,
        tracker.active_loop,
        tracker.latest_action_name,
    )
    return QUESTIONS[slot].text(view)
