"""Two questions about the procedure, answerable at any moment (also in the middle of an intake,
which then resumes): the answer deadline of a reclamo, and the customer's personal data."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import conversation_ref, latest_user_event, pqrs_of
from actions.deps import UsesDeps
from actions.messages import fecha_limite_texto, render
from bot.conversation_ids import client_id
from bot.logmask import masked_logger
from core.clock import utcnow
from crm_adapter.deadline import fecha_limite_respuesta, fecha_local, sumar_dias_habiles
from textkit.parsing import find_document
from textkit.procedure import ACTUALIZACION, SUPRESION, data_request_kind

logger = masked_logger(__name__)

TIPOS_TEXTO = {"consulta": "consulta", ACTUALIZACION: "actualización", SUPRESION: "supresión"}
# Ley 1581 art. 14: consultas in 10 días hábiles; art. 15: reclamos (update, deletion) in 15.
DIAS_RESPUESTA = {"consulta": 10, ACTUALIZACION: 15, SUPRESION: 15}


class ActionPlazoRespuesta(UsesDeps, Action):
    """'¿En cuánto me responden?': 15 días hábiles and the date of the last PQR of the chat."""

    def name(self) -> str:
        return "action_plazo_respuesta"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            pqrs = pqrs_of(self.deps.store, tracker.sender_id)
        except Exception:
            logger.exception("could not look up the PQRs of %s", tracker.sender_id)
            pqrs = []
        if pqrs:
            last = pqrs[-1]
            fecha = last.fecha_limite_respuesta or fecha_limite_respuesta(last.creado_en)
            dispatcher.utter_message(text=render("plazo_pqr", numero=last.numero, fecha=fecha_limite_texto(fecha)))
        else:
            dispatcher.utter_message(
                text=render("plazo_general", fecha=fecha_limite_texto(fecha_limite_respuesta(utcnow())))
            )
        return []


def _mask_tail(value: str, keep: int = 2) -> str:
    digits = "".join(ch for ch in value if ch.isalnum())
    return digits[-keep:] if len(digits) > keep else "**"


def _mask_email(email: str) -> str:
    user, _, domain = email.partition("@")
    return f"{user[:1]}***@{domain[:1]}***" if domain else "***"


def conversation_summary(tracker: Tracker) -> str | None:
    """What the customer gave in this conversation, masked (they typed it themselves)."""
    slots = tracker.current_slot_values()
    parts = []
    if slots.get("nombre"):
        parts.append(f"nombre ({slots['nombre'].split(' ')[0]} …)")
    if slots.get("numero_documento"):
        parts.append(f"documento terminado en {_mask_tail(slots['numero_documento'])}")
    if slots.get("contrato"):
        parts.append(f"contrato terminado en {_mask_tail(slots['contrato'], 3)}")
    if slots.get("direccion"):
        parts.append("la dirección del inmueble")
    if slots.get("notif_correo"):
        parts.append(f"correo {_mask_email(slots['notif_correo'])}")
    if slots.get("notif_celular"):
        parts.append(f"celular terminado en {_mask_tail(slots['notif_celular'])}")
    if slots.get("motivo"):
        parts.append("el motivo de tu reclamo")
    return ", ".join(parts) or None


class ActionDerechosDatos(UsesDeps, Action):
    """Ley 1581: record the request and answer without revealing data to an unidentified
    requester. Data held under a document are never shown in the chat (anyone can type a
    document number): only what this very conversation holds, masked; the full answer goes
    to the notification medium on record, within the legal term."""

    def name(self) -> str:
        return "action_derechos_datos"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = (latest_user_event(tracker) or {}).get("text") or ""
        tipo = data_request_kind(text)
        mention = find_document(text)
        documento = (mention.value if mention else None) or tracker.get_slot("numero_documento")
        ref = conversation_ref(tracker)
        try:
            from bot.datarights.service import engine_for, record_request

            radicado = record_request(
                engine_for(self.deps.settings.database_url),
                tipo=tipo,
                conversation_id=client_id(tracker.sender_id),
                canal=ref.canal,
                numero_documento=documento,
                texto=text,
            )
        except Exception:
            logger.exception("could not record the data request of %s", tracker.sender_id)
            dispatcher.utter_message(text=render("datos_pedir_documento"))
            return []
        lines = [render("datos_recibida", tipo=TIPOS_TEXTO[tipo], radicado=radicado)]
        resumen = conversation_summary(tracker)
        if resumen:
            lines.append(render("datos_esta_conversacion", resumen=resumen))
        if documento:
            destino = self._destino(documento)
            fecha = sumar_dias_habiles(fecha_local(utcnow()), DIAS_RESPUESTA[tipo])
            lines.append(
                render(
                    "datos_respuesta_medio", doc=_mask_tail(documento), destino=destino, fecha=fecha_limite_texto(fecha)
                )
            )
        else:
            lines.append(render("datos_pedir_documento"))
        lines.append(render("datos_pqr_publica"))
        dispatcher.utter_message(text="\n".join(lines))
        return []

    def _destino(self, documento: str) -> str:
        """Where the answer goes: the notification medium of the document's last PQR."""
        try:
            numero = self.deps.store.find_contacto(documento)
            pqrs = [p for p in self.deps.store.list_pqrs() if numero and p.contacto.numero == numero.numero]
        except Exception:
            logger.exception("could not look up the PQRs of a data request")
            pqrs = []
        if not pqrs:
            return (
                "por el medio de notificación que tengamos registrado (o, si no hay ninguno, en una "
                "oficina de atención de EPM presentando tu documento)"
            )
        medio = pqrs[-1].medio_notificacion
        shown = {
            "correo": f"al correo {_mask_email(medio.valor)}",
            "sms": f"por SMS al celular terminado en {_mask_tail(medio.valor)}",
            "direccion": "a la dirección física registrada",
        }.get(medio.tipo, "")
        return f"{shown}, el medio que registraste en tu reclamo {pqrs[-1].numero},".strip()
