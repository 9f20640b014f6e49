"""Questions whose wording depends on what is known: the read-back before filing and the
contract question."""
from __future__ import annotations

from typing import Any, Dict, Optional


from actions.intake import NO
from actions.parsing import format_pesos

_TIPOS = {"CC": "CC", "CE": "CE", "NIT": "NIT", "PPT": "PPT", "PA": "Pasaporte"}


def medio_texto(tipo: str, valor: str) -> str:
    """How the customer is told where the answer will reach them."""
    return {
        "correo": f"al correo {valor}",
        "sms": f"con un SMS al celular {valor} para citarte a la notificación",
        "direccion": f"con una citación a la dirección {valor}",
    }.get(tipo, "")


def medio_notificacion(slots: Dict[str, Any]) -> Optional[tuple]:
    """(tipo, valor, frase) of the notification medium the customer authorised."""
    correo, celular, direccion = slots.get("notif_correo"), slots.get("notif_celular"), slots.get("notif_direccion")
    for tipo, valor in (("correo", correo), ("sms", celular), ("direccion", direccion)):
        if valor and valor != NO:
            return tipo, valor, medio_texto(tipo, valor)
    return None


def readback_text(slots: Dict[str, Any]) -> str:
    lines = ["Revisemos tus datos antes de radicar 📋:"]
    lines.append(f"• Nombre: {slots.get('nombre')}")
    tipo = _TIPOS.get(slots.get("tipo_documento") or "CC", slots.get("tipo_documento"))
    lines.append(f"• Documento: {tipo} {slots.get('numero_documento')}")
    if slots.get("contrato"):
        lines.append(f"• Contrato: {slots.get('contrato')} ({slots.get('direccion')})")
    else:
        lines.append(f"• Dirección del inmueble: {slots.get('direccion')}")
    if slots.get("relacion_inmueble"):
        lines.append(f"• Tu relación con el inmueble: {slots.get('relacion_inmueble')}")
    motivo = slots.get("motivo") or ""
    if slots.get("monto"):
        motivo += f" (valor mencionado: {format_pesos(int(slots['monto']))})"
    lines.append(f"• Motivo: {motivo}")
    medio = medio_notificacion(slots)
    if medio:
        lines.append(f"• Te notificaremos la respuesta {medio[2]}")
    lines.append("¿Está todo bien? Responde *sí* para radicar, o dime qué corregir.")
    return "\n".join(lines)
