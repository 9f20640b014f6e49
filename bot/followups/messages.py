"""The closing message (Spanish, tú), private and public versions.

Seed 002, section 2.7: when the customer does not send the information asked for, the request
is closed with a message saying it will not be handled because the required information was
not given. The private version names what was missing; the public one (a reply under a
mention, seen by everyone) carries no personal data and no detail of the request.
"""

from __future__ import annotations

from typing import Dict, Optional

from actions.messages import MESSAGES, render

# What the customer was last asked for (slot names of the dialogue) -> how to name it.
_MISSING = {
    "nombre": "tu nombre completo",
    "tipo_documento": "tu tipo y número de documento",
    "numero_documento": "tu número de documento",
    "documento": "tu número de documento",
    "cedula": "tu número de documento",
    "contrato": "el número de contrato o la dirección del inmueble",
    "direccion": "el número de contrato o la dirección del inmueble",
    "relacion_inmueble": "tu relación con el inmueble",
    "motivo": "el motivo de tu reclamo",
    "tipo_reclamo": "el motivo de tu reclamo",
    "monto": "el valor que reclamas",
    "notif_correo": "el medio por el que quieres recibir la respuesta",
    "notif_celular": "el medio por el que quieres recibir la respuesta",
    "notif_direccion": "el medio por el que quieres recibir la respuesta",
    "medio_notificacion": "el medio por el que quieres recibir la respuesta",
    "confirmacion": "tu confirmación de los datos",
    "consentimiento": "tu autorización para tratar tus datos personales",
}
GENERIC_MISSING = (
    "los datos que te pedimos (nombre, número de documento, contrato o dirección del inmueble y motivo del reclamo)"
)


def missing_phrase(requested: Optional[str]) -> str:
    key = (requested or "").strip().lower()
    return _MISSING.get(key) or GENERIC_MISSING


def closing_text(requested: Optional[str] = None) -> str:
    """Private closing: to the customer's inbox / WhatsApp."""
    phrase = missing_phrase(requested)
    if phrase != GENERIC_MISSING:
        phrase += MESSAGES["cierre_para_radicar"]
    return render("cierre_privado", faltante=phrase)


def public_closing_text() -> str:
    """Public reply under the mention: no name, no document, no contract, no address."""
    return MESSAGES["cierre_publico"]


def template_variables(requested: Optional[str] = None) -> Dict[str, str]:
    """Variables of the approved WhatsApp template (Twilio ContentVariables).

    Suggested template body: "Hola 👋 Como no recibimos {{1}}, cerramos tu solicitud sin
    tramitarla. Cuando quieras, escríbenos de nuevo y con gusto te ayudamos."
    """
    return {"1": missing_phrase(requested)}
