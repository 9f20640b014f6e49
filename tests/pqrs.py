"""Filing PQRs at a chosen time on the SQL store (for the export tests)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import update

from bot.schema import upgrade_all
from crm_adapter import schema as t
from crm_adapter.db import make_engine
from crm_adapter.deadline import fecha_limite_respuesta
from crm_adapter.models import Evidencia, MedioNotificacion, SolicitudPQR
from crm_adapter.sql import SqlStore


def migrated_store(url: str) -> SqlStore:
    """The CRM store on ``url`` with every component's schema (exports, data rights...)."""
    engine = make_engine(url)
    upgrade_all(engine)
    return SqlStore(engine)


def file_pqr(
    store: SqlStore,
    when: datetime,
    canal: str = "WhatsApp",
    contrato: str = "12345678",
    documento: str = "1017234567",
    nombre: str = "Carlos Restrepo",
    medio=("correo", "c@x.co"),
    conversation_id: str | None = None,
):
    solicitud = SolicitudPQR(
        canal=canal,
        conversation_id=conversation_id or f"conv-{uuid.uuid4().hex[:6]}",
        idempotency_key=uuid.uuid4().hex,
        tipo_documento="CC",
        numero_documento=documento,
        nombre=nombre,
        motivo_detalle="Inconformidad con el valor facturado. Según el cliente: «me llegó muy alta».",
        medio_notificacion=MedioNotificacion(*medio),
        contrato=contrato,
        direccion="Calle 10 # 43-25",
        email=medio[1] if medio[0] == "correo" else None,
        evidencias=[Evidencia("transcripcion", "conversacion.txt", "hola", None, "text/plain")],
    )
    pqr = store.create_pqr(solicitud)
    with store.engine.begin() as conn:
        conn.execute(
            update(t.pqrs)
            .where(t.pqrs.c.numero == pqr.numero)
            .values(creado_en=when.astimezone(timezone.utc), fecha_limite_respuesta=fecha_limite_respuesta(when))
        )
    return store.get_pqr(pqr.numero)
