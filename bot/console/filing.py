"""Filing a PQR from the console: the assistant's validators, filing rules, CRM adapter and
evidence (called, not copied), and the agent recorded as ``radicado_por``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from actions.filing import motivo_detalle
from actions.intake import ALCANTARILLADO
from actions.messages import razon
from actions.readback import medio_texto
from core.clock import utcnow
from crm_adapter.models import (
    Consentimiento,
    Evidencia,
    MedioNotificacion,
    SolicitudPQR,
)
from crm_adapter.rules import regla_alcantarillado_no_prestado, regla_persona_juridica
from textkit.validators import validate_celular, validate_documento, validate_email

MEDIOS = ("correo", "sms", "direccion")


@dataclass
class FilingResult:
    errors: Dict[str, str] = field(default_factory=dict)
    decisions: List[Dict[str, Any]] = field(default_factory=list)  # filing-rule decisions
    pqr: Optional[Any] = None
    blocked_by: Optional[Dict[str, Any]] = None  # the rule that forbids filing here


def _text(form: Dict[str, Any], key: str) -> str:
    value = form.get(key)
    return str(value).strip() if value not in (None, "") else ""


def check(console, form: Dict[str, Any]) -> tuple:
    """(clean values, FilingResult with errors and rule decisions)."""
    result = FilingResult()
    clean: Dict[str, Any] = {}
    nombre = _text(form, "nombre")
    if len(nombre) < 3:
        result.errors["nombre"] = "Escribe el nombre completo del cliente."
    clean["nombre"] = nombre
    tipo = (_text(form, "tipo_documento") or "CC").upper()
    doc = validate_documento(tipo, _text(form, "numero_documento"))
    if not doc.ok:
        result.errors["numero_documento"] = razon(doc.problem)
    clean.update(tipo_documento=tipo, numero_documento=doc.value)
    motivo = _text(form, "motivo")
    if len(motivo) < 5:
        result.errors["motivo"] = "Cuenta el motivo del reclamo."
    clean["motivo"] = motivo
    clean["tipo_reclamo"] = ALCANTARILLADO if _text(form, "tipo_reclamo") == ALCANTARILLADO else "factura"
    monto = _text(form, "monto").replace(".", "").replace(",", "").replace("$", "")
    clean["monto"] = float(monto) if monto.isdigit() else None

    contrato = None
    numero_contrato, direccion = _text(form, "contrato"), _text(form, "direccion")
    if numero_contrato:
        contrato = console.store.get_contrato(numero_contrato)
        if contrato is None:
            result.errors["contrato"] = "Ese contrato no está en el facturador; revísalo o usa la dirección."
    elif direccion:
        found = console.store.find_contratos_by_direccion(direccion)
        contrato = found[0] if len(found) == 1 else None
    else:
        result.errors["contrato"] = "Falta el contrato o la dirección del inmueble."
    clean.update(contrato=contrato.contrato if contrato else None, direccion=direccion or None)
    relacion = _text(form, "relacion_inmueble")
    clean["relacion_inmueble"] = relacion or None

    if contrato is not None:
        reglas = [regla_persona_juridica(contrato)]
        if clean["tipo_reclamo"] == ALCANTARILLADO:
            reglas.insert(0, regla_alcantarillado_no_prestado(contrato))
        for d in reglas:
            decision = {"regla": d.regla, "permitido": d.permitido, "razon": d.razon}
            result.decisions.append(decision)
            if not d.permitido and result.blocked_by is None:
                result.blocked_by = decision
            if d.requiere_relacion and not relacion:
                result.errors["relacion_inmueble"] = "Inmueble no residencial: registra la relación del solicitante."
        if not any(d.requiere_relacion for d in reglas):
            clean["relacion_inmueble"] = None

    medio = _text(form, "medio")
    valor = _text(form, "notif_valor")
    if medio not in MEDIOS:
        result.errors["medio"] = "Elige el medio de notificación: correo, SMS o dirección."
    elif medio == "correo":
        c = validate_email(valor)
        valor = c.value if c.ok else valor
        if not c.ok:
            result.errors["notif_valor"] = razon(c.problem)
    elif medio == "sms":
        c = validate_celular(valor)
        valor = c.value if c.ok else valor
        if not c.ok:
            result.errors["notif_valor"] = razon(c.problem)
    elif len(valor) < 5:
        result.errors["notif_valor"] = "Escribe la dirección física para la citación."
    clean.update(medio=medio, notif_valor=valor)
    return clean, result


def slot_values(form: Dict[str, Any], clean: Dict[str, Any], errors: Dict[str, str]) -> Dict[str, Any]:
    """The intake slots an agent's corrections set (only the fields given and valid)."""
    values: Dict[str, Any] = {}
    for key in (
        "nombre",
        "tipo_documento",
        "numero_documento",
        "contrato",
        "direccion",
        "relacion_inmueble",
        "motivo",
        "tipo_reclamo",
        "monto",
    ):
        if _text(form, key) and key not in errors and clean.get(key) not in (None, ""):
            values[key] = clean[key]
    if _text(form, "medio") in MEDIOS and _text(form, "notif_valor") and "notif_valor" not in errors:
        slot = {"correo": "notif_correo", "sms": "notif_celular", "direccion": "notif_direccion"}[form["medio"]]
        values[slot] = clean["notif_valor"]
    return values


def transcript_text(console, conversation_id: str, canal: str) -> str:
    from bot.console.views import transcript

    who = {"customer": "Cliente", "bot": "Asistente", "agent": "Agente"}
    lines = [f"Conversación {conversation_id} — canal {canal}"]
    for m in transcript(console, conversation_id):
        if m["from"] in who:
            name = f" ({m.get('author_name')})" if m["from"] == "agent" and m.get("author_name") else ""
            lines.append(f"[{m['at']}] {who[m['from']]}{name}: {m['text']}")
    return "\n".join(lines)


def file_pqr(console, conversation_id: str, canal: str, form: Dict[str, Any], agent_email: str) -> FilingResult:
    clean, result = check(console, form)
    if result.blocked_by is not None or result.errors:
        return result
    consents = console.store.list_consentimientos(conversation_id)
    if not any(c.aceptado for c in consents):
        if not form.get("consentimiento_confirmado"):
            result.errors["consentimiento"] = (
                "El cliente no ha autorizado el tratamiento de datos en esta "
                "conversación: confírmalo con él y marca la casilla."
            )
            return result
        console.store.record_consentimiento(
            Consentimiento(
                conversation_id=conversation_id,
                canal=canal,
                aceptado=True,
                respuesta=f"autorización confirmada por el agente {agent_email}",
                policy_version=console.settings.privacy_policy_version,
                creado_en=utcnow(),
            )
        )
    contrato = console.store.get_contrato(clean["contrato"]) if clean["contrato"] else None
    slots = {
        "tipo_reclamo": clean["tipo_reclamo"],
        "motivo": clean["motivo"],
        "monto": clean["monto"],
        "relacion_inmueble": clean["relacion_inmueble"],
    }
    detalle = motivo_detalle(slots, contrato)
    evidencias = [
        Evidencia(
            tipo="transcripcion",
            nombre="conversacion.txt",
            contenido=transcript_text(console, conversation_id, canal),
            content_type="text/plain",
        )
    ]
    try:
        evidencias += list(console.media_for(conversation_id))
    except Exception:
        pass
    fingerprint = hashlib.sha256(json.dumps(clean, sort_keys=True, default=str).encode()).hexdigest()[:16]
    solicitud = SolicitudPQR(
        canal=canal,
        conversation_id=conversation_id,
        idempotency_key=f"{conversation_id}:consola:{fingerprint}",
        tipo_documento=clean["tipo_documento"],
        numero_documento=clean["numero_documento"],
        nombre=clean["nombre"],
        motivo_detalle=detalle,
        medio_notificacion=MedioNotificacion(clean["medio"], clean["notif_valor"]),
        contrato=clean["contrato"],
        direccion=clean["direccion"],
        relacion_inmueble=clean["relacion_inmueble"],
        email=clean["notif_valor"] if clean["medio"] == "correo" else None,
        celular=clean["notif_valor"] if clean["medio"] == "sms" else None,
        evidencias=evidencias,
        radicado_por=agent_email,
    )
    result.pqr = console.store.create_pqr(solicitud)
    return result


def confirmation_text(pqr) -> str:
    """What the agent may send the customer (the same facts the assistant tells)."""
    medio = pqr.medio_notificacion
    return (
        f"Listo, radiqué tu reclamo con el número *{pqr.numero}*. Motivo: {pqr.motivo_detalle} "
        f"Te notificaremos la respuesta {medio_texto(medio.tipo, medio.valor)}."
    )
