"""The CRM and billing store on SQL (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Dict, Iterable, List, Optional

from sqlalchemy import delete, insert, literal, select, update
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import IntegrityError

from core.clock import aware, utcnow
from crm_adapter import schema as t
from crm_adapter.db import make_engine
from crm_adapter.deadline import fecha_limite_respuesta
from crm_adapter.migrations import CRM_HISTORY, upgrade
from crm_adapter.models import (
    CAUSA_INICIAL,
    ESTADO_ABIERTO,
    PQR,
    SIN_IDENTIFICACION,
    TIPO_RECLAMO,
    Consentimiento,
    Contacto,
    Contrato,
    Evidencia,
    MedioNotificacion,
    Orientacion,
    Pago,
    SolicitudPQR,
    Titular,
    format_numero,
)
from crm_adapter.ports import Store
from textkit.normalize import normalize_direccion


def without_evidencia(tipo: str, since: datetime, until: datetime) -> tuple:
    """The conditions on ``crm_pqrs``: created in [since, until), no evidence of ``tipo``
    (``SqlStore.pqrs_without_evidencia``; the count in /metrics)."""
    having = select(t.evidencias.c.id).where(t.evidencias.c.pqr_id == t.pqrs.c.id, t.evidencias.c.tipo == tipo)
    return (t.pqrs.c.creado_en >= since, t.pqrs.c.creado_en < until, ~having.exists())


def _insert_evidencias(conn: Connection, pqr_id: int, evidencias: List[Evidencia], now: datetime) -> None:
    """A PQR's evidence in one ``executemany`` of the cached single-row INSERT (each execution is
    a wait for the GIL in a busy worker; a multi-row VALUES statement is compiled anew for each
    number of rows)."""
    rows = [
        dict(
            pqr_id=pqr_id,
            tipo=e.tipo,
            nombre=e.nombre,
            contenido=e.contenido,
            url=e.url,
            content_type=e.content_type,
            creado_en=now,
        )
        for e in evidencias
    ]
    if rows:
        conn.execute(insert(t.evidencias), rows)


class SqlStore(Store):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def from_url(cls, url: str, migrate: bool = True) -> "SqlStore":
        engine = make_engine(url)
        if migrate:
            upgrade(engine, [CRM_HISTORY])
        return cls(engine)

    def dispose(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ billing
    def _contrato_from_row(self, conn: Connection, row: Row) -> Contrato:
        pagos = conn.execute(
            select(t.alcantarillado_pagos.c.fecha, t.alcantarillado_pagos.c.valor)
            .where(t.alcantarillado_pagos.c.contrato == row.contrato)
            .order_by(t.alcantarillado_pagos.c.fecha)
        ).all()
        return Contrato(
            contrato=row.contrato,
            direccion=row.direccion,
            municipio=row.municipio,
            uso=row.uso,
            titular=Titular(row.titular_tipo_documento, row.titular_numero, row.titular_nombre),
            servicios=json.loads(row.servicios),
            alcantarillado_pagos=[Pago(p.fecha, float(p.valor)) for p in pagos],
        )

    def get_contrato(self, numero: str) -> Optional[Contrato]:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.contratos).where(t.contratos.c.contrato == numero.strip())).first()
            return self._contrato_from_row(conn, row) if row else None

    def find_contratos_by_direccion(self, direccion: str) -> List[Contrato]:
        key = normalize_direccion(direccion)
        if not key:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.contratos).where(t.contratos.c.direccion_key == key).order_by(t.contratos.c.contrato)
            ).all()
            return [self._contrato_from_row(conn, r) for r in rows]

    def find_contratos_in_text(self, texto: str) -> List[Contrato]:
        haystack = f" {normalize_direccion(texto)} "
        if len(haystack.split()) < 3:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.contratos)
                .where(literal(haystack).contains(" " + t.contratos.c.direccion_key + " "))
                .order_by(t.contratos.c.contrato)
            ).all()
            return [self._contrato_from_row(conn, r) for r in rows if len(r.direccion_key.split()) >= 3]

    def upsert_contratos(self, contratos: Iterable[Contrato]) -> int:
        items = list(contratos)
        now = utcnow()
        with self.engine.begin() as conn:
            for c in items:
                values = dict(
                    direccion=c.direccion,
                    direccion_key=normalize_direccion(c.direccion),
                    municipio=c.municipio,
                    uso=c.uso,
                    titular_tipo_documento=c.titular.tipo_documento,
                    titular_numero=c.titular.numero,
                    titular_nombre=c.titular.nombre,
                    servicios=json.dumps(list(c.servicios)),
                    actualizado_en=now,
                )
                exists = conn.execute(
                    select(t.contratos.c.contrato).where(t.contratos.c.contrato == c.contrato)
                ).first()
                if exists:
                    conn.execute(update(t.contratos).where(t.contratos.c.contrato == c.contrato).values(**values))
                    conn.execute(delete(t.alcantarillado_pagos).where(t.alcantarillado_pagos.c.contrato == c.contrato))
                else:
                    conn.execute(insert(t.contratos).values(contrato=c.contrato, **values))
                for pago in c.alcantarillado_pagos:
                    conn.execute(
                        insert(t.alcantarillado_pagos).values(contrato=c.contrato, fecha=pago.fecha, valor=pago.valor)
                    )
        return len(items)

    # ---------------------------------------------------------------------- CRM
    @staticmethod
    def _contacto(row: Row) -> Contacto:
        return Contacto(
            tipo_documento=row.tipo_documento,
            numero=row.numero,
            nombre=row.nombre,
            email=row.email,
            celular=row.celular,
            id=row.id,
        )

    def find_contacto(self, numero_documento: str) -> Optional[Contacto]:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.contactos).where(t.contactos.c.numero == numero_documento.strip())).first()
            return self._contacto(row) if row else None

    def upsert_contactos(self, contactos: Iterable[Contacto]) -> int:
        items = list(contactos)
        with self.engine.begin() as conn:
            for c in items:
                values = dict(
                    tipo_documento=c.tipo_documento,
                    nombre=c.nombre,
                    email=c.email,
                    celular=c.celular,
                )
                exists = conn.execute(select(t.contactos.c.id).where(t.contactos.c.numero == c.numero)).first()
                if exists:
                    conn.execute(update(t.contactos).where(t.contactos.c.id == exists.id).values(**values))
                else:
                    conn.execute(insert(t.contactos).values(numero=c.numero, creado_en=utcnow(), **values))
        return len(items)

    def create_pqr(self, solicitud: SolicitudPQR) -> PQR:
        # Worked out before the write transaction, and the PQR read back after it: the database's
        # write lock is held only for the writes (every other writer waits meanwhile, issue 13).
        now = utcnow()
        deadline = fecha_limite_respuesta(now)
        try:
            with self.engine.begin() as conn:
                existing = conn.execute(
                    select(t.pqrs.c.id).where(t.pqrs.c.idempotency_key == solicitud.idempotency_key)
                ).first()
                if existing:
                    pqr_id = existing.id
                else:
                    pqr_id = self._insert_pqr(conn, solicitud, now, deadline)
            with self.engine.connect() as conn:
                return self._load_pqrs(conn, [pqr_id])[0]
        except IntegrityError:
            # A concurrent retry with the same key won the race: return its PQR.
            with self.engine.connect() as conn:
                existing = conn.execute(
                    select(t.pqrs.c.id).where(t.pqrs.c.idempotency_key == solicitud.idempotency_key)
                ).first()
                if existing is None:
                    raise
                return self._load_pqrs(conn, [existing.id])[0]

    def _insert_pqr(self, conn: Connection, solicitud: SolicitudPQR, now: datetime, deadline: date) -> int:
        contacto = conn.execute(select(t.contactos).where(t.contactos.c.numero == solicitud.numero_documento)).first()
        if contacto is None:
            contacto_id = conn.execute(
                insert(t.contactos).values(
                    tipo_documento=SIN_IDENTIFICACION,
                    numero=solicitud.numero_documento,
                    nombre=solicitud.nombre,
                    email=solicitud.email,
                    celular=solicitud.celular,
                    creado_en=now,
                )
            ).inserted_primary_key[0]
        else:
            contacto_id = contacto.id
        pqr_id = conn.execute(
            insert(t.pqrs).values(
                idempotency_key=solicitud.idempotency_key,
                tipo=TIPO_RECLAMO,
                canal=solicitud.canal,
                estado=ESTADO_ABIERTO,
                contacto_id=contacto_id,
                tipo_documento_declarado=solicitud.tipo_documento,
                contrato=solicitud.contrato,
                direccion=solicitud.direccion,
                causa_inicial=CAUSA_INICIAL,
                motivo_detalle=solicitud.motivo_detalle,
                medio_tipo=solicitud.medio_notificacion.tipo,
                medio_valor=solicitud.medio_notificacion.valor,
                relacion_inmueble=solicitud.relacion_inmueble,
                conversation_id=solicitud.conversation_id,
                creado_en=now,
                fecha_limite_respuesta=deadline,
                radicado_por=solicitud.radicado_por,
            )
        ).inserted_primary_key[0]
        conn.execute(update(t.pqrs).where(t.pqrs.c.id == pqr_id).values(numero=format_numero(pqr_id)))
        _insert_evidencias(conn, pqr_id, solicitud.evidencias, now)
        return pqr_id

    def add_evidencia(self, numero: str, evidencia: Evidencia) -> None:
        with self.engine.begin() as conn:
            row = conn.execute(select(t.pqrs.c.id).where(t.pqrs.c.numero == numero)).first()
            if row is None:
                raise KeyError(numero)
            _insert_evidencias(conn, row.id, [evidencia], utcnow())

    def add_evidencias_if_missing(self, numero: str, evidencias: List[Evidencia]) -> bool:
        if not evidencias:
            return False
        tipo = evidencias[0].tipo
        with self.engine.begin() as conn:  # SQLite: one writer at a time; PostgreSQL: the PQR's row locked
            query = select(t.pqrs.c.id).where(t.pqrs.c.numero == numero)
            if conn.dialect.name != "sqlite":
                query = query.with_for_update()
            row = conn.execute(query).first()
            if row is None:
                raise KeyError(numero)
            present = conn.execute(
                select(t.evidencias.c.id).where(t.evidencias.c.pqr_id == row.id, t.evidencias.c.tipo == tipo).limit(1)
            ).first()
            if present is not None:
                return False
            _insert_evidencias(conn, row.id, evidencias, utcnow())
            return True

    def _load_pqrs(self, conn: Connection, ids: List[int]) -> List[PQR]:
        if not ids:
            return []
        rows = conn.execute(
            select(
                t.pqrs,
                t.contactos.c.tipo_documento.label("c_tipo"),
                t.contactos.c.numero.label("c_numero"),
                t.contactos.c.nombre.label("c_nombre"),
                t.contactos.c.email.label("c_email"),
                t.contactos.c.celular.label("c_celular"),
            )
            .join(t.contactos, t.contactos.c.id == t.pqrs.c.contacto_id)
            .where(t.pqrs.c.id.in_(ids))
            .order_by(t.pqrs.c.id)
        ).all()
        evs: Dict[int, List[Evidencia]] = {i: [] for i in ids}
        for ev in conn.execute(select(t.evidencias).where(t.evidencias.c.pqr_id.in_(ids)).order_by(t.evidencias.c.id)):
            evs[ev.pqr_id].append(Evidencia(ev.tipo, ev.nombre, ev.contenido, ev.url, ev.content_type))
        tareas: Dict[int, List[dict]] = {i: [] for i in ids}
        for ta in conn.execute(select(t.pqr_tareas).where(t.pqr_tareas.c.pqr_id.in_(ids))):
            tareas[ta.pqr_id].append({"descripcion": ta.descripcion})
        return [
            PQR(
                numero=r.numero,
                tipo=r.tipo,
                canal=r.canal,
                estado=r.estado,
                contacto=Contacto(r.c_tipo, r.c_numero, r.c_nombre, r.c_email, r.c_celular, r.contacto_id),
                contrato=r.contrato,
                direccion=r.direccion,
                causa_inicial=r.causa_inicial,
                motivo_detalle=r.motivo_detalle,
                medio_notificacion=MedioNotificacion(r.medio_tipo, r.medio_valor),
                relacion_inmueble=r.relacion_inmueble,
                tareas=tareas[r.id],
                evidencias=evs[r.id],
                creado_en=aware(r.creado_en),
                conversation_id=r.conversation_id,
                fecha_limite_respuesta=r.fecha_limite_respuesta,
                radicado_por=r.radicado_por,
            )
            for r in rows
        ]

    def find_pqrs_by_conversation(self, conversation_id: str) -> List[PQR]:
        with self.engine.connect() as conn:
            ids = [
                r.id
                for r in conn.execute(
                    select(t.pqrs.c.id).where(t.pqrs.c.conversation_id == conversation_id).order_by(t.pqrs.c.id)
                )
            ]
            return self._load_pqrs(conn, ids)

    def pqrs_without_evidencia(self, tipo: str, since: datetime, until: datetime) -> List[str]:
        query = select(t.pqrs.c.numero).where(*without_evidencia(tipo, since, until))
        query = query.order_by(t.pqrs.c.creado_en, t.pqrs.c.id)  # the creado_en index serves range and order
        with self.engine.connect() as conn:
            return [r.numero for r in conn.execute(query)]

    def get_pqr(self, numero: str) -> Optional[PQR]:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.pqrs.c.id).where(t.pqrs.c.numero == numero.strip())).first()
            return self._load_pqrs(conn, [row.id])[0] if row else None

    def list_pqrs(self, since: Optional[datetime] = None) -> List[PQR]:
        query = select(t.pqrs.c.id).order_by(t.pqrs.c.id)
        if since is not None:
            query = query.where(t.pqrs.c.creado_en >= since)
        with self.engine.connect() as conn:
            ids = [r.id for r in conn.execute(query)]
            return self._load_pqrs(conn, ids)

    def record_consentimiento(self, consentimiento: Consentimiento) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(t.consentimientos).values(
                    conversation_id=consentimiento.conversation_id,
                    canal=consentimiento.canal,
                    aceptado=consentimiento.aceptado,
                    respuesta=consentimiento.respuesta,
                    policy_version=consentimiento.policy_version,
                    creado_en=consentimiento.creado_en or utcnow(),
                )
            )

    def list_consentimientos(self, conversation_id: Optional[str] = None) -> List[Consentimiento]:
        query = select(t.consentimientos).order_by(t.consentimientos.c.id)
        if conversation_id is not None:
            query = query.where(t.consentimientos.c.conversation_id == conversation_id)
        with self.engine.connect() as conn:
            return [
                Consentimiento(
                    r.conversation_id, r.canal, bool(r.aceptado), r.respuesta, r.policy_version, aware(r.creado_en)
                )
                for r in conn.execute(query)
            ]

    def record_orientacion(self, orientacion: Orientacion) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(t.orientaciones).values(
                    conversation_id=orientacion.conversation_id,
                    canal=orientacion.canal,
                    regla=orientacion.regla,
                    razon=orientacion.razon,
                    contrato=orientacion.contrato,
                    creado_en=orientacion.creado_en or utcnow(),
                )
            )

    def list_orientaciones(self, since: Optional[datetime] = None) -> List[Orientacion]:
        query = select(t.orientaciones).order_by(t.orientaciones.c.id)
        if since is not None:
            query = query.where(t.orientaciones.c.creado_en >= since)
        with self.engine.connect() as conn:
            return [
                Orientacion(r.conversation_id, r.canal, r.regla, r.razon, r.contrato, aware(r.creado_en))
                for r in conn.execute(query)
            ]
