"""What every reader of the intake receives (``Turn``) and returns (``Reading``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from crm_adapter.models import Contrato
from crm_adapter.ports import Store
from textkit import parsing as P
from textkit.mention import Mention

FORM = "pqr_form"
ALCANTARILLADO = "alcantarillado_no_prestado"
FACTURA = "factura"
NO = "no"  # the customer has no such medium ("no tengo correo")
INTAKE_SLOTS = (
    "consentimiento",
    "motivo",
    "tipo_reclamo",
    "monto",
    "nombre",
    "tipo_documento",
    "numero_documento",
    "contrato",
    "direccion",
    "relacion_inmueble",
    "notif_correo",
    "notif_celular",
    "notif_direccion",
    "confirmacion",
    "orientacion",
    "orientacion_razon",
    "intake_id",
    "pendientes",
    "intentos",
    "politica_url",
)
# Intents that, alone, are not an answer: the form lets the rules answer them.
CONTROL_INTENTS = {"cancelar", "pedir_asesor"}
CHITCHAT_INTENTS = {"saludo", "despedida", "agradecer", "bot_challenge", "fuera_de_alcance"}


@dataclass
class Message:
    response: str  # key of actions.messages.MESSAGES
    kwargs: Dict[str, Any] = field(default_factory=dict)
    hint_for: Optional[str] = None  # a hint about this slot: counted in ``intentos``
    offer_help: bool = True  # ... and the second time, how to reach a person


@dataclass
class Reading:
    """What a reader found: slot updates and messages for the customer."""

    updates: Dict[str, Any] = field(default_factory=dict)
    messages: List[Message] = field(default_factory=list)

    def set(self, slot: str, value: Any) -> "Reading":
        self.updates[slot] = value
        return self

    def say(self, response: str, **kwargs: Any) -> "Reading":
        self.messages.append(Message(response, kwargs))
        return self

    def hint(self, slot: str, response: str, offer_help: bool = True, **kwargs: Any) -> "Reading":
        self.messages.append(Message(response, kwargs, hint_for=slot, offer_help=offer_help))
        return self


@dataclass
class Turn:
    """One customer message as the readers see it, with the slots as updated so far this turn."""

    text: str
    parsed: P.Parsed
    slots: Mapping[str, Any]
    store: Store
    conversation_id: str
    intent: Optional[str] = None
    confidence: float = 0.0
    requested: Optional[str] = None
    quiet: bool = False  # replaying data typed before consent: no hints, no questions
    bare: List[Mention[str]] = field(default_factory=list)  # unlabelled numbers not yet used
    updated: Dict[str, Any] = field(default_factory=dict)  # what this message changed so far

    def get(self, slot: str) -> Any:
        return self.slots.get(slot)

    def confident(self, intents: set, threshold: float) -> bool:
        return self.intent in intents and self.confidence >= threshold

    def contrato(self) -> Optional[Contrato]:
        numero = self.get("contrato")
        return self.store.get_contrato(numero) if numero else None
