"""The read-back before filing and the words for the notification medium (texts in
``actions.messages``)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from actions.intake import NO
from actions.messages import MESSAGES, render
from textkit.parsing import format_pesos

_TIPOS = {"CC": "CC", "CE": "CE", "NIT": "NIT", "PPT": "PPT", "PA": "Pasaporte"}


def medio_texto(tipo: str, valor: str) -> str:
    """How the customer is told where the answer will reach them ("al correo ana@x.co")."""
    key = f"medio_{tipo}"
    return render(key, valor=valor) if key in MESSAGES else ""


def medio_notificacion(slots: Dict[str, Any]) -> Optional[Tuple[str, str, str]]:
    """(tipo, valor, frase) of the notification medium the customer authorised."""
    correo, celular, direccion = slots.get("notif_correo"), slots.get("notif_celular"), slots.get("notif_direccion")
    for tipo, valor in (("correo", correo), ("sms", celular), ("direccion", direccion)):
        if valor and valor != NO:
            return tipo, valor, medio_texto(tipo, valor)
    return None


def readback_text(slots: Dict[str, Any]) -> str:
    tipo = _TIPOS.get(slots.get("tipo_documento") or "CC", slots.get("tipo_documento"))
    lines: List[str] = [
        render("readback_titulo"),
        render("readback_nombre", nombre=slots.get("nombre")),
        render("readback_documento", tipo=tipo, numero=slots.get("numero_documento")),
    ]
    if slots.get("contrato"):
        lines.append(render("readback_contrato", contrato=slots.get("contrato"), direccion=slots.get("direccion")))
    else:
        lines.append(render("readback_direccion", direccion=slots.get("direccion")))
    if slots.get("relacion_inmueble"):
        lines.append(render("readback_relacion", relacion=slots.get("relacion_inmueble")))
    motivo = slots.get("motivo") or ""
    if slots.get("monto"):
        motivo += render("readback_valor", valor=format_pesos(int(slots["monto"])))
    lines.append(render("readback_motivo", motivo=motivo))
    medio = medio_notificacion(slots)
    if medio:
        lines.append(render("readback_medio", medio=medio[2]))
    lines.append(render("readback_pregunta"))
    return "\n".join(lines)
