"""What the utility holds about one identification number, and its suppression (Ley 1581 de 2012).

What stays, and why (see docs/datos-personales.md):
- the PQRs with their evidence (transcript, chat image, confirmation) and the contact they are
  filed under (name, document): a reclamo is a public record the utility must answer and keep
  (Ley 142 de 1994 art. 152-159; Ley 1581 art. 9 / Decreto 1377 de 2013 art. 9: suppression does
  not apply while a legal duty to keep the data exists);
- the consent records: the proof of the authorisation must be kept (Ley 1581 art. 17 b,
  Decreto 1377 art. 8);
- the data-rights requests and the audit entries: the proof that the request was attended.

What goes: the contact's e-mail and mobile (a contact without PQRs is deleted), the follow-ups,
the media references and the conversation transcripts held outside the PQR (Rasa's tracker store),
and the texts and addresses of the outbound messages (their status and times stay, anonymised).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, delete, insert, inspect, select, update
from sqlalchemy.engine import Engine

from bot.conversation_ids import PUBLIC_PREFIXES
from bot.datarights import schema as d
from core.clock import utcnow
from crm_adapter import schema as crm
from crm_adapter.db import make_engine

SUPRIMIDO = "[suprimido]"


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()
    return value


def normalize_documento(numero: str) -> str:
    return "".join(ch for ch in (numero or "") if ch.isalnum() or ch == "-").strip("-")


_ENGINES: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One engine per database URL for this process, schema brought up to date once."""
    engine = _ENGINES.get(url)
    if engine is None:
        from bot.schema import upgrade_all

        engine = make_engine(url)
        upgrade_all(engine)
        _ENGINES[url] = engine
    return engine


def record_request(
    engine: Engine,
    *,
    tipo: str,
    conversation_id: str,
    canal: str,
    numero_documento: str | None,
    texto: str | None,
    now: datetime | None = None,
) -> str:
    """Store a customer's request; returns its radicado (HD-0000001)."""
    now = now or utcnow()
    with engine.begin() as conn:
        rid = conn.execute(
            insert(d.requests).values(
                tipo=tipo,
                conversation_id=conversation_id,
                canal=canal,
                numero_documento=normalize_documento(numero_documento) if numero_documento else None,
                texto=texto,
                estado="recibida",
                created_at=now,
            )
        ).inserted_primary_key[0]
        radicado = f"HD-{rid:07d}"
        conn.execute(update(d.requests).where(d.requests.c.id == rid).values(radicado=radicado))
    return radicado


def audit(engine: Engine, actor: str, action: str, target: str, detail: dict | None = None) -> None:
    """One audit entry of a data-rights action (kept with the requests as proof), copied to the
    console's audit log."""
    with engine.begin() as conn:
        conn.execute(
            insert(d.audit).values(
                actor=actor,
                action=action,
                target=target,
                detail=json.dumps(detail or {}, ensure_ascii=False),
                created_at=utcnow(),
            )
        )
    from bot.console.audit import record  # the console's audit log shows it to admins too

    record(actor, action, target, detail)  # never raises


def list_audit(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        return [
            {
                "actor": r.actor,
                "action": r.action,
                "target": r.target,
                "detail": json.loads(r.detail or "{}"),
                "created_at": _iso(r.created_at),
            }
            for r in conn.execute(select(d.audit).order_by(d.audit.c.id))
        ]


def _reflect(engine: Engine, name: str) -> Table | None:
    if not inspect(engine).has_table(name):
        return None
    return Table(name, MetaData(), autoload_with=engine)


def tracker_engine(settings) -> Engine | None:
    """Rasa's tracker store (transcripts), as configured by bot.supervisor."""
    if settings.database_url.startswith("sqlite"):
        path = Path(settings.data_dir) / "tracker.db"
        return make_engine(f"sqlite:///{path}") if path.exists() else None
    return make_engine(settings.database_url)


def _conversation_ids(conn, numero: str, contacto_id: int | None) -> list[str]:
    ids: set[str] = set()
    if contacto_id is not None:
        ids.update(
            r.conversation_id
            for r in conn.execute(select(crm.pqrs.c.conversation_id).where(crm.pqrs.c.contacto_id == contacto_id))
        )
    ids.update(
        r.conversation_id
        for r in conn.execute(select(d.requests.c.conversation_id).where(d.requests.c.numero_documento == numero))
    )
    # The CRM keeps the id a Chat EPM client used; Rasa, the console and the outbound log keep it
    # in the public channel's namespace (bot/conversation_ids.py)
    ids.update(f"{prefix}{i}" for i in list(ids) if ":" not in i for prefix in PUBLIC_PREFIXES.values())
    return sorted(ids)


def inventory(engine: Engine, numero_documento: str, settings=None) -> dict[str, Any]:
    """Everything held under that identification number, in clear (staff only)."""
    numero = normalize_documento(numero_documento)
    outbound = _reflect(engine, "outbound_messages")
    followups = _reflect(engine, "followups")
    with engine.connect() as conn:
        contacto = conn.execute(select(crm.contactos).where(crm.contactos.c.numero == numero)).first()
        contacto_id = contacto.id if contacto else None
        ids = _conversation_ids(conn, numero, contacto_id)
        pqrs = (
            []
            if contacto_id is None
            else [
                {
                    "numero": r.numero,
                    "creado_en": _iso(r.creado_en),
                    "canal": r.canal,
                    "contrato": r.contrato,
                    "direccion": r.direccion,
                    "medio_notificacion": {"tipo": r.medio_tipo, "valor": r.medio_valor},
                    "fecha_limite_respuesta": r.fecha_limite_respuesta.isoformat()
                    if r.fecha_limite_respuesta
                    else None,
                    "conversation_id": r.conversation_id,
                }
                for r in conn.execute(
                    select(crm.pqrs).where(crm.pqrs.c.contacto_id == contacto_id).order_by(crm.pqrs.c.id)
                )
            ]
        )
        consents = (
            [
                {
                    "conversation_id": r.conversation_id,
                    "canal": r.canal,
                    "aceptado": bool(r.aceptado),
                    "respuesta": r.respuesta,
                    "policy_version": r.policy_version,
                    "creado_en": _iso(r.creado_en),
                }
                for r in conn.execute(select(crm.consentimientos).where(crm.consentimientos.c.conversation_id.in_(ids)))
            ]
            if ids
            else []
        )
        messages = (
            [
                {
                    "id": r.id,
                    "conversation_id": r.conversation_id,
                    "canal": r.canal,
                    "purpose": r.purpose,
                    "status": r.status,
                    "address": r.address,
                    "body": r.body,
                    "created_at": _iso(r.created_at),
                }
                for r in conn.execute(select(outbound).where(outbound.c.conversation_id.in_(ids)))
            ]
            if ids and outbound is not None
            else []
        )
        pending = (
            [
                {"id": r.id, "conversation_id": r.conversation_id, "status": r.status, "due_at": _iso(r.due_at)}
                for r in conn.execute(select(followups).where(followups.c.conversation_id.in_(ids)))
            ]
            if ids and followups is not None
            else []
        )
        requests = [
            {
                "radicado": r.radicado,
                "tipo": r.tipo,
                "estado": r.estado,
                "conversation_id": r.conversation_id,
                "created_at": _iso(r.created_at),
            }
            for r in conn.execute(select(d.requests).where(d.requests.c.numero_documento == numero))
        ]
    transcripts = _tracker_counts(settings, ids) if settings is not None else {}
    return {
        "documento": numero,
        "contactos": []
        if contacto is None
        else [
            {
                "tipo_documento": contacto.tipo_documento,
                "numero": contacto.numero,
                "nombre": contacto.nombre,
                "email": contacto.email,
                "celular": contacto.celular,
                "creado_en": _iso(contacto.creado_en),
            }
        ],
        "pqrs": pqrs,
        "consentimientos": consents,
        "conversaciones": ids,
        "transcripciones": transcripts,
        "mensajes_salientes": messages,
        "seguimientos": pending,
        "solicitudes_datos": requests,
    }


def _tracker_counts(settings, ids: list[str]) -> dict[str, int]:
    engine = tracker_engine(settings) if ids else None
    if engine is None:
        return {}
    try:
        events = _reflect(engine, "events")
        if events is None:
            return {}
        with engine.connect() as conn:
            return {cid: len(conn.execute(select(events.c.id).where(events.c.sender_id == cid)).all()) for cid in ids}
    finally:
        engine.dispose()


def update_contact(
    engine: Engine,
    numero_documento: str,
    actor: str,
    *,
    nombre: str | None = None,
    email: str | None = None,
    celular: str | None = None,
) -> dict[str, Any]:
    """Rectify a contact's name, e-mail or mobile (Ley 1581 art. 8 a, 15). Audited. The PQRs
    keep the notification medium the customer authorised when filing (it is part of the record)."""
    numero = normalize_documento(numero_documento)
    values = {k: v for k, v in (("nombre", nombre), ("email", email), ("celular", celular)) if v}
    if not values:
        raise ValueError("nothing to update: give --nombre, --email or --celular")
    with engine.begin() as conn:
        updated = conn.execute(update(crm.contactos).where(crm.contactos.c.numero == numero).values(**values)).rowcount
    if not updated:
        raise LookupError(f"no contact with document {numero}")
    detail = {"documento": numero, "campos": sorted(values)}
    audit(engine, actor, "datos.actualizar", f"documento:{numero}", detail)
    return detail


def suppress(engine: Engine, numero_documento: str, actor: str, settings=None) -> dict[str, Any]:
    """Delete or anonymise what the law allows; PQRs, consents and requests stay. Audited."""
    numero = normalize_documento(numero_documento)
    outbound = _reflect(engine, "outbound_messages")
    followups = _reflect(engine, "followups")
    followup_conversations = _reflect(engine, "followup_conversations")
    media = _reflect(engine, "channel_media")
    console_events = _reflect(engine, "conversation_events")  # the console's copy of the transcripts
    done: dict[str, Any] = {"documento": numero}
    with engine.begin() as conn:
        contacto = conn.execute(select(crm.contactos).where(crm.contactos.c.numero == numero)).first()
        ids = _conversation_ids(conn, numero, contacto.id if contacto else None)
        if contacto is not None:
            has_pqrs = conn.execute(select(crm.pqrs.c.id).where(crm.pqrs.c.contacto_id == contacto.id)).first()
            if has_pqrs:
                conn.execute(
                    update(crm.contactos).where(crm.contactos.c.id == contacto.id).values(email=None, celular=None)
                )
                done["contacto"] = "kept for its PQRs (public record); e-mail and mobile removed"
            else:
                conn.execute(delete(crm.contactos).where(crm.contactos.c.id == contacto.id))
                done["contacto"] = "deleted"
        if ids and outbound is not None:
            done["mensajes_salientes_anonimizados"] = conn.execute(
                update(outbound)
                .where(outbound.c.conversation_id.in_(ids))
                .values(body=SUPRIMIDO, address=SUPRIMIDO, variables=None)
            ).rowcount
        if ids and followups is not None:
            done["seguimientos_borrados"] = conn.execute(
                delete(followups).where(followups.c.conversation_id.in_(ids))
            ).rowcount
        if ids and followup_conversations is not None:
            conn.execute(delete(followup_conversations).where(followup_conversations.c.conversation_id.in_(ids)))
        if ids and media is not None:
            done["medios_borrados"] = conn.execute(delete(media).where(media.c.conversation_id.in_(ids))).rowcount
        if ids and console_events is not None:
            done["eventos_consola_borrados"] = conn.execute(
                delete(console_events).where(console_events.c.conversation_id.in_(ids))
            ).rowcount
        conn.execute(
            update(d.requests)
            .where(d.requests.c.numero_documento == numero, d.requests.c.estado == "recibida")
            .values(estado="atendida", atendida_en=utcnow())
        )
    if settings is not None and ids:
        done["transcripciones_borradas"] = _delete_transcripts(settings, ids)
    done["conservado"] = [
        "pqrs (registro público, con su evidencia)",
        "consentimientos (prueba de la autorización)",
        "solicitudes de datos y auditoría",
    ]
    audit(engine, actor, "datos.suprimir", f"documento:{numero}", done)
    return done


def _delete_transcripts(settings, ids: list[str]) -> int:
    engine = tracker_engine(settings)
    if engine is None:
        return 0
    try:
        events = _reflect(engine, "events")
        if events is None:
            return 0
        with engine.begin() as conn:
            return conn.execute(delete(events).where(events.c.sender_id.in_(ids))).rowcount
    finally:
        engine.dispose()
