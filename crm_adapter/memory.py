"""In-memory twin of the SQL store, for unit tests of actions and rules."""

from __future__ import annotations

import itertools
import threading
from dataclasses import replace
from datetime import datetime
from typing import Dict, Iterable, List, Optional

from core.clock import utcnow
from crm_adapter.deadline import fecha_limite_respuesta
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
    Orientacion,
    SolicitudPQR,
    format_numero,
)
from crm_adapter.ports import Store
from textkit.normalize import normalize_direccion


class InMemoryStore(Store):
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._contratos: Dict[str, Contrato] = {}
        self._contactos: Dict[str, Contacto] = {}
        self._pqrs: List[PQR] = []
        self._by_key: Dict[str, PQR] = {}
        self._consentimientos: List[Consentimiento] = []
        self._orientaciones: List[Orientacion] = []
        self._ids = itertools.count(1)
        self._contact_ids = itertools.count(1)

    # Billing
    def get_contrato(self, numero: str) -> Optional[Contrato]:
        return self._contratos.get(numero.strip())

    def find_contratos_by_direccion(self, direccion: str) -> List[Contrato]:
        key = normalize_direccion(direccion)
        return [c for c in self._contratos.values() if normalize_direccion(c.direccion) == key]

    def find_contratos_in_text(self, texto: str) -> List[Contrato]:
        haystack = f" {normalize_direccion(texto)} "
        return [
            c
            for c in self._contratos.values()
            if len(normalize_direccion(c.direccion).split()) >= 3
            and f" {normalize_direccion(c.direccion)} " in haystack
        ]

    def upsert_contratos(self, contratos: Iterable[Contrato]) -> int:
        items = list(contratos)
        with self._lock:
            for c in items:
                self._contratos[c.contrato] = c
        return len(items)

    # CRM
    def find_contacto(self, numero_documento: str) -> Optional[Contacto]:
        return self._contactos.get(numero_documento.strip())

    def upsert_contactos(self, contactos: Iterable[Contacto]) -> int:
        items = list(contactos)
        with self._lock:
            for c in items:
                old = self._contactos.get(c.numero)
                cid = old.id if old else next(self._contact_ids)
                self._contactos[c.numero] = replace(c, id=cid)
        return len(items)

    def create_pqr(self, solicitud: SolicitudPQR) -> PQR:
        with self._lock:
            if solicitud.idempotency_key in self._by_key:
                return self._by_key[solicitud.idempotency_key]
            contacto = self._contactos.get(solicitud.numero_documento)
            if contacto is None:
                contacto = Contacto(
                    tipo_documento=SIN_IDENTIFICACION,
                    numero=solicitud.numero_documento,
                    nombre=solicitud.nombre,
                    email=solicitud.email,
                    celular=solicitud.celular,
                    id=next(self._contact_ids),
                )
                self._contactos[contacto.numero] = contacto
            now = utcnow()
            pqr = PQR(
                numero=format_numero(next(self._ids)),
                tipo=TIPO_RECLAMO,
                canal=solicitud.canal,
                estado=ESTADO_ABIERTO,
                contacto=contacto,
                contrato=solicitud.contrato,
                direccion=solicitud.direccion,
                causa_inicial=CAUSA_INICIAL,
                motivo_detalle=solicitud.motivo_detalle,
                medio_notificacion=solicitud.medio_notificacion,
                relacion_inmueble=solicitud.relacion_inmueble,
                tareas=[],
                evidencias=list(solicitud.evidencias),
                creado_en=now,
                conversation_id=solicitud.conversation_id,
                fecha_limite_respuesta=fecha_limite_respuesta(now),
                radicado_por=solicitud.radicado_por,
            )
            self._pqrs.append(pqr)
            self._by_key[solicitud.idempotency_key] = pqr
            return pqr

    def add_evidencia(self, numero: str, evidencia: Evidencia) -> None:
        with self._lock:
            for i, p in enumerate(self._pqrs):
                if p.numero == numero:
                    updated = replace(p, evidencias=list(p.evidencias) + [evidencia])
                    self._pqrs[i] = updated
                    for key, value in self._by_key.items():
                        if value.numero == numero:
                            self._by_key[key] = updated
                    return
        raise KeyError(numero)

    def add_evidencias_if_missing(self, numero: str, evidencias: List[Evidencia]) -> bool:
        with self._lock:
            pqr = next((p for p in self._pqrs if p.numero == numero), None)
            if pqr is None:
                raise KeyError(numero)
            if not evidencias or any(e.tipo == evidencias[0].tipo for e in pqr.evidencias):
                return False
            for evidencia in evidencias:
                self.add_evidencia(numero, evidencia)
            return True

    def find_pqrs_by_conversation(self, conversation_id: str) -> List[PQR]:
        return [p for p in self._pqrs if p.conversation_id == conversation_id]

    def pqrs_without_evidencia(self, tipo: str, since: datetime, until: datetime) -> List[str]:
        return [
            p.numero
            for p in self._pqrs
            if since <= p.creado_en < until and not any(e.tipo == tipo for e in p.evidencias)
        ]

    def list_pqrs(self, since: Optional[datetime] = None) -> List[PQR]:
        return [p for p in self._pqrs if since is None or p.creado_en >= since]

    def record_consentimiento(self, consentimiento: Consentimiento) -> None:
        self._consentimientos.append(replace(consentimiento, creado_en=consentimiento.creado_en or utcnow()))

    def list_consentimientos(self, conversation_id: Optional[str] = None) -> List[Consentimiento]:
        return [c for c in self._consentimientos if conversation_id is None or c.conversation_id == conversation_id]

    def record_orientacion(self, orientacion: Orientacion) -> None:
        self._orientaciones.append(replace(orientacion, creado_en=orientacion.creado_en or utcnow()))

    def list_orientaciones(self, since: Optional[datetime] = None) -> List[Orientacion]:
        return [o for o in self._orientaciones if since is None or (o.creado_en is not None and o.creado_en >= since)]
