"""The questions of the reclamo form (``action_ask_<slot>``), worded with what is already known."""

from __future__ import annotations

from typing import List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.intake import ALCANTARILLADO
from actions.messages import render
from actions.readback import readback_text


def _first_name(tracker: Tracker) -> Optional[str]:
    nombre = tracker.get_slot("nombre")
    return nombre.split(" ")[0] if nombre else None


class _Ask(Action):
    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def text(self, tracker: Tracker) -> str:
        return render(f"ask_{self.slot}", **{k: v or "" for k, v in tracker.current_slot_values().items()})

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(text=self.text(tracker))
        return []


class AskConsentimiento(_Ask):
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


class AskMotivo(_Ask):
    slot = "motivo"


class AskNombre(_Ask):
    slot = "nombre"


class AskNumeroDocumento(_Ask):
    slot = "numero_documento"

    def text(self, tracker: Tracker) -> str:
        name = _first_name(tracker)
        return (render("gracias_nombre", nombre=name) if name else "") + render("ask_numero_documento")


class AskContrato(_Ask):
    slot = "contrato"

    def text(self, tracker: Tracker) -> str:
        if tracker.get_slot("tipo_reclamo") == ALCANTARILLADO and tracker.get_slot("direccion"):
            return render("alcantarillado_pedir_contrato")
        return render("pedir_contrato")


class AskRelacionInmueble(_Ask):
    slot = "relacion_inmueble"


class AskNotifCorreo(_Ask):
    slot = "notif_correo"


class AskNotifCelular(_Ask):
    slot = "notif_celular"


class AskNotifDireccion(_Ask):
    slot = "notif_direccion"


class AskConfirmacion(_Ask):
    slot = "confirmacion"

    def text(self, tracker: Tracker) -> str:
        return readback_text(tracker.current_slot_values())
