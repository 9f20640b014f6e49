"""Closing an intake: open the PQR in the CRM, or tell the customer where to go instead."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import conversation_ref
from actions.deps import UsesDeps
from actions.evidence import build_evidencias
from actions.intake import ALCANTARILLADO, FORM, INTAKE_SLOTS
from actions.messages import plazo_texto, render
from actions.readback import medio_notificacion
from bot.conversation_ids import client_id, is_public
from bot.logmask import masked_logger
from crm_adapter.models import PQR, Contrato, Evidencia, MedioNotificacion, Orientacion, SolicitudPQR
from crm_adapter.rules import REGLA_ALCANTARILLADO, REGLA_PERSONA_JURIDICA, REGLA_SIN_CONSENTIMIENTO
from textkit.parsing import format_pesos

logger = masked_logger(__name__)  # ids, phones and e-mails never in clear

# Said when the CRM is down or slow and the reclamo waits in the outbox (bot/outbox.py).
PQR_EN_COLA = (
    "✅ Listo, {nombre_corto}. Recibí tu reclamo con todos tus datos y quedó guardado. "
    "En este momento no pude obtener el número de radicado: {cuando}"
)
CUANDO_CANAL = "te lo enviaré por este mismo canal en cuanto esté listo 🙏"
CUANDO_CHAT = "pregúntame «¿cuál es el número de mi reclamo?» en unos minutos y te lo doy 🙏"


async def file_reclamo(
    deps,
    solicitud: SolicitudPQR,
    sender_id: str,
    confirmation_template: str,
    then: Optional[Callable[[PQR], None]] = None,
):
    """File in the CRM, or keep the reclamo in the outbox when the CRM is down or slow;
    ``then(pqr)`` runs in the filing's thread once the PQR is filed."""
    from bot.outbox import file_or_queue

    return await file_or_queue(
        deps.store.create_pqr,
        solicitud,
        conversation_id=sender_id,
        confirmation_template=confirmation_template,
        outbox_path=deps.settings.outbox_path,
        timeout=float(getattr(deps.settings, "filing_timeout_seconds", 15.0)),
        then=then,
    )


def confirmation_for(pqr: PQR, medio_texto: str, nombre_corto: str) -> str:
    """What the customer is told once the PQR is filed (number, motivo, medium, deadline)."""
    return render(
        "pqr_radicada",
        numero=pqr.numero,
        motivo_detalle=pqr.motivo_detalle,
        medio_texto=medio_texto,
        nombre_corto=nombre_corto,
    ) + plazo_texto(pqr)


async def _contrato(deps, numero: Optional[str]) -> Optional[Contrato]:
    if not numero:
        return None
    timeout = float(getattr(deps.settings, "filing_timeout_seconds", 15.0))
    try:
        return await asyncio.wait_for(asyncio.to_thread(deps.store.get_contrato, numero), timeout=timeout)
    except Exception as exc:  # the CRM/billing database is down or slow: file without its details
        logger.warning("contract lookup failed (%s)", type(exc).__name__)
        return None


def motivo_detalle(slots: Dict[str, Any], contrato: Optional[Contrato]) -> str:
    """The text recorded as "Motivo PQR (Detalle)" and read back to the customer."""
    parts: List[str] = []
    if slots.get("tipo_reclamo") == ALCANTARILLADO:
        parts.append(
            "Reclamo por servicio de alcantarillado no prestado: el cliente indica que se le "
            "factura el alcantarillado sin que se le preste el servicio; el facturador no registra "
            "pagos de ese servicio."
        )
    else:
        parts.append("Inconformidad con el valor facturado.")
    if slots.get("motivo"):
        parts.append(f"Según el cliente: «{slots['motivo']}».")
    if slots.get("monto"):
        parts.append(f"Valor mencionado por el cliente: {format_pesos(int(slots['monto']))}.")
    if slots.get("relacion_inmueble"):
        uso = f"de uso {contrato.uso} " if contrato else ""
        parts.append(
            f"Inmueble {uso}a nombre de persona natural; relación del solicitante con el inmueble: "
            f"{slots['relacion_inmueble']}."
        )
    return " ".join(parts)


def reset_intake(tracker: Tracker) -> List[EventType]:
    """The intake's slots back to empty: only those that hold something (each event is stored,
    streamed to the console and replayed on every later turn of the conversation)."""
    filled = [name for name in INTAKE_SLOTS if tracker.get_slot(name) is not None]
    return [SlotSet(name, None) for name in filled] + [SlotSet("requested_slot", None)]


class ActionCerrarSolicitud(UsesDeps, Action):
    def name(self) -> str:
        return "action_cerrar_solicitud"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        deps = self.deps
        slots = tracker.current_slot_values()
        ref = conversation_ref(tracker)
        contrato = await _contrato(deps, slots.get("contrato"))
        regla = slots.get("orientacion")
        if regla:
            try:
                deps.store.record_orientacion(
                    Orientacion(
                        conversation_id=client_id(tracker.sender_id),
                        canal=ref.canal,
                        regla=regla,
                        razon=slots.get("orientacion_razon") or regla,
                        contrato=slots.get("contrato"),
                    )
                )
            except Exception:
                logger.exception("could not record the orientación")
            if regla == REGLA_SIN_CONSENTIMIENTO:
                dispatcher.utter_message(text=render("consentimiento_negado"))
                outcome = "sin_consentimiento"
            elif regla == REGLA_ALCANTARILLADO and contrato is not None:
                dispatcher.utter_message(text=render("orientacion_alcantarillado_pagos", contrato=contrato.contrato))
                outcome = "orientada"
            elif regla == REGLA_ALCANTARILLADO:
                dispatcher.utter_message(text=render("orientacion_alcantarillado_sin_contrato"))
                outcome = "orientada"
            elif regla == REGLA_PERSONA_JURIDICA and contrato is not None:
                dispatcher.utter_message(
                    text=render(
                        "orientacion_persona_juridica",
                        contrato=contrato.contrato,
                        titular=contrato.titular.nombre,
                    )
                )
                outcome = "orientada"
            else:
                dispatcher.utter_message(response="utter_fuera_de_alcance")
                outcome = "orientada"
            deps.hooks.intake_finished(ref, outcome)
            return reset_intake(tracker)

        medio = medio_notificacion(slots)
        required = ("nombre", "numero_documento", "motivo")
        if (
            medio is None
            or any(not slots.get(k) for k in required)
            or not (slots.get("contrato") or slots.get("direccion"))
        ):
            # The form ended without the data (should not happen): ask again instead of filing.
            dispatcher.utter_message(response="utter_no_entendi")
            return [ActiveLoop(FORM), SlotSet("confirmacion", None)]
        detalle = motivo_detalle(slots, contrato)
        # The chat image (it shows the answer too) is drawn by the worker process, at low CPU
        # priority, from the stored conversation (bot/evidence/backfill.py).
        evidencias = build_evidencias(tracker, ref.canal, deps.media_for)
        solicitud = SolicitudPQR(
            canal=ref.canal,
            conversation_id=client_id(tracker.sender_id),  # the id the client used (REST/web chat)
            idempotency_key=f"{tracker.sender_id}:{slots.get('intake_id') or 'sin-intake'}",
            tipo_documento=slots.get("tipo_documento") or "CC",
            numero_documento=slots["numero_documento"],
            nombre=slots["nombre"],
            motivo_detalle=detalle,
            medio_notificacion=MedioNotificacion(medio[0], medio[1]),
            contrato=slots.get("contrato"),
            direccion=slots.get("direccion"),
            relacion_inmueble=slots.get("relacion_inmueble"),
            email=medio[1] if medio[0] == "correo" else None,
            celular=slots.get("notif_celular") if medio[0] == "sms" else None,
            evidencias=evidencias,
        )
        nombre_corto = (slots.get("nombre") or "").split(" ")[0]
        from bot.outbox import NUMERO_MARK

        template = render(
            "pqr_radicada", numero=NUMERO_MARK, motivo_detalle=detalle, medio_texto=medio[2], nombre_corto=nombre_corto
        )

        def attach_constancia(pqr: PQR) -> None:
            # Proof that the customer was told the number, the motivo and the medium (seed 2.7),
            # written in the filing's thread: not a commit on the event loop's thread.
            deps.store.add_evidencia(
                pqr.numero,
                Evidencia(
                    tipo="constancia",
                    nombre="constancia_informada.txt",
                    contenido=confirmation_for(pqr, medio[2], nombre_corto),
                    content_type="text/plain",
                ),
            )

        try:
            result = await file_reclamo(deps, solicitud, tracker.sender_id, template, then=attach_constancia)
        except Exception:
            logger.exception("neither the CRM nor the outbox took the PQR of conversation %s", tracker.sender_id)
            dispatcher.utter_message(text=render("pqr_error"))
            return [SlotSet("confirmacion", None), ActiveLoop(FORM), SlotSet("requested_slot", "confirmacion")]
        if result.pqr is None:
            cuando = CUANDO_CHAT if is_public(tracker.sender_id) else CUANDO_CANAL
            dispatcher.utter_message(text=PQR_EN_COLA.format(nombre_corto=nombre_corto, cuando=cuando))
            try:
                deps.hooks.intake_finished(ref, "radicada")
            except Exception:  # the follow-up store may share the CRM's database
                logger.exception("could not record the end of the intake")
            return reset_intake(tracker)
        pqr = result.pqr
        confirmation = confirmation_for(pqr, medio[2], nombre_corto)
        dispatcher.utter_message(text=confirmation)
        deps.hooks.intake_finished(ref, "radicada")
        return reset_intake(tracker)
