"""What to ask next, and the filing rules of seed 002 section 2.7 applied to the intake.

Both are pure functions of the slots and the contract billing knows, so the order of the
questions and the redirections can be read (and tested) in one place.
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional

from actions.intake.reading import ALCANTARILLADO, NO
from crm_adapter.models import Contrato
from crm_adapter.rules import Decision, regla_alcantarillado_no_prestado, regla_persona_juridica

# Asked before any filing rule can be applied (the rules need the contract).
BEFORE_THE_RULES = ("consentimiento", "motivo", "nombre", "numero_documento", "contrato")


def required_slots(slots: Mapping[str, Any], contrato: Optional[Contrato]) -> List[str]:
    """The data still missing, in the order they are asked; empty when the intake is complete
    (confirmed) or redirected (``orientacion``)."""
    if slots.get("orientacion"):
        return []
    if slots.get("consentimiento") != "si":
        return ["consentimiento"]
    missing = [slot for slot in ("motivo", "nombre", "numero_documento") if not slots.get(slot)]
    if not slots.get("contrato") and not slots.get("direccion"):
        missing.append("contrato")
    elif slots.get("tipo_reclamo") == ALCANTARILLADO and contrato is None:
        missing.append("contrato")  # the sewer rule needs billing's payments
    if (
        contrato is not None
        and regla_persona_juridica(contrato).requiere_relacion
        and not slots.get("relacion_inmueble")
    ):
        missing.append("relacion_inmueble")
    missing += _notification_missing(slots)
    if slots.get("confirmacion") != "si":
        missing.append("confirmacion")
    return missing


def _notification_missing(slots: Mapping[str, Any]) -> List[str]:
    """E-mail first; without one, a mobile for the SMS citation; without one, a physical address."""
    if not slots.get("notif_correo"):
        return ["notif_correo"]
    if slots.get("notif_correo") == NO:
        if not slots.get("notif_celular"):
            return ["notif_celular"]
        if slots.get("notif_celular") == NO and not slots.get("notif_direccion"):
            return ["notif_direccion"]
    return []


def filing_decision(slots: Mapping[str, Any], contrato: Optional[Contrato]) -> Optional[Decision]:
    """The filing rule that stops this intake on a digital channel, if any: alcantarillado no
    prestado with payments recorded, or commercial premises held by a legal person."""
    if contrato is None:
        return None
    if slots.get("tipo_reclamo") == ALCANTARILLADO:
        decision = regla_alcantarillado_no_prestado(contrato)
        if not decision.permitido:
            return decision
    decision = regla_persona_juridica(contrato)
    return None if decision.permitido else decision
