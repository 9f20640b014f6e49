"""Plain data the assistant exchanges with the CRM and with billing (the "facturador")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import List, Optional

TIPO_RECLAMO = "reclamo"
ESTADO_ABIERTO = "abierto"
CAUSA_INICIAL = "Inconformidad con consumo o producción facturado"
SIN_IDENTIFICACION = "Sin identificación"

CANALES = ("WhatsApp", "Facebook", "Instagram", "Twitter", "Chat EPM", "Telegram")
USOS = ("residencial", "comercial", "industrial", "oficial")
TIPOS_DOCUMENTO = ("CC", "CE", "NIT", "PPT", "PA")
SERVICIOS = ("energia", "acueducto", "alcantarillado", "gas")
MEDIOS_NOTIFICACION = ("correo", "sms", "direccion")


@dataclass(frozen=True)
class Titular:
    tipo_documento: str
    numero: str
    nombre: str


@dataclass(frozen=True)
class Pago:
    fecha: date
    valor: float


@dataclass(frozen=True)
class Contrato:
    contrato: str
    direccion: str
    municipio: str
    uso: str
    titular: Titular
    servicios: List[str] = field(default_factory=list)
    alcantarillado_pagos: List[Pago] = field(default_factory=list)


@dataclass(frozen=True)
class Contacto:
    tipo_documento: str
    numero: str
    nombre: str
    email: Optional[str] = None
    celular: Optional[str] = None
    id: Optional[int] = None


@dataclass(frozen=True)
class MedioNotificacion:
    tipo: str  # one of MEDIOS_NOTIFICACION
    valor: str


@dataclass(frozen=True)
class Evidencia:
    tipo: str  # "transcripcion", "imagen_chat", "constancia" or "adjunto"
    nombre: str  # binary contents (content_type image/...) are stored base64-encoded
    contenido: Optional[str] = None
    url: Optional[str] = None
    content_type: Optional[str] = None


@dataclass(frozen=True)
class SolicitudPQR:
    """What the assistant asks the CRM to open. The CRM fills tipo, estado, causa inicial."""

    canal: str
    conversation_id: str
    idempotency_key: str
    tipo_documento: str  # as declared by the customer (CC, NIT...)
    numero_documento: str
    nombre: str
    motivo_detalle: str
    medio_notificacion: MedioNotificacion
    contrato: Optional[str] = None
    direccion: Optional[str] = None
    relacion_inmueble: Optional[str] = None
    email: Optional[str] = None
    celular: Optional[str] = None
    evidencias: List[Evidencia] = field(default_factory=list)
    radicado_por: Optional[str] = None  # e-mail of the console agent who filed it; None: the assistant


@dataclass(frozen=True)
class PQR:
    numero: str
    tipo: str
    canal: str
    estado: str
    contacto: Contacto
    contrato: Optional[str]
    direccion: Optional[str]
    causa_inicial: str
    motivo_detalle: str
    medio_notificacion: MedioNotificacion
    relacion_inmueble: Optional[str]
    tareas: List[dict]
    evidencias: List[Evidencia]
    creado_en: datetime
    conversation_id: str
    fecha_limite_respuesta: Optional[date] = None  # 15 días hábiles (crm_adapter.deadline)

    radicado_por: Optional[str] = None  # console agent's e-mail; None when the assistant filed it

    def to_json(self) -> dict:
        return {
            "numero": self.numero,
            "tipo": self.tipo,
            "canal": self.canal,
            "estado": self.estado,
            "contacto": {
                "tipo_documento": self.contacto.tipo_documento,
                "numero": self.contacto.numero,
                "nombre": self.contacto.nombre,
            },
            "contrato": self.contrato,
            "direccion": self.direccion,
            "causa_inicial": self.causa_inicial,
            "motivo_detalle": self.motivo_detalle,
            "medio_notificacion": {
                "tipo": self.medio_notificacion.tipo,
                "valor": self.medio_notificacion.valor,
            },
            "relacion_inmueble": self.relacion_inmueble,
            "tareas": list(self.tareas),
            "evidencias": [
                {
                    "tipo": e.tipo,
                    "nombre": e.nombre,
                    "contenido": e.contenido,
                    "url": e.url,
                    "content_type": e.content_type,
                }
                for e in self.evidencias
            ],
            "creado_en": self.creado_en.isoformat(),
            "conversation_id": self.conversation_id,
            "fecha_limite_respuesta": (
                self.fecha_limite_respuesta.isoformat() if self.fecha_limite_respuesta else None
            ),
            "radicado_por": self.radicado_por or "asistente",
        }


@dataclass(frozen=True)
class Consentimiento:
    conversation_id: str
    canal: str
    aceptado: bool
    respuesta: str
    policy_version: str
    creado_en: Optional[datetime] = None


@dataclass(frozen=True)
class Orientacion:
    """A customer redirected to another channel instead of getting a PQR (issue: filing rules)."""

    conversation_id: str
    canal: str
    regla: str
    razon: str
    contrato: Optional[str] = None
    creado_en: Optional[datetime] = None

    def to_json(self) -> dict:
        return {
            "conversation_id": self.conversation_id,
            "canal": self.canal,
            "regla": self.regla,
            "razon": self.razon,
            "contrato": self.contrato,
            "creado_en": self.creado_en.isoformat() if self.creado_en else None,
        }


def format_numero(pqr_id: int) -> str:
    """The PQR number customers see; derived from a never-reused sequence."""
    return f"PQR-{pqr_id:07d}"
