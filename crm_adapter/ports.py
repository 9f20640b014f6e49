"""What the assistant needs from the CRM and from billing, as abstract interfaces.

``SqlStore`` (crm_adapter.sql) implements them on SQLite or PostgreSQL; ``InMemoryStore``
(crm_adapter.memory) is the twin used by unit tests. Both pass the same contract tests.
"""

from __future__ import annotations

import abc
from datetime import datetime
from typing import Iterable, List, Optional

from crm_adapter.models import (
    PQR,
    Consentimiento,
    Contacto,
    Contrato,
    Evidencia,
    Orientacion,
    SolicitudPQR,
)


class Billing(abc.ABC):
    """The facturador: contracts, their holders and their sewer payments."""

    @abc.abstractmethod
    def get_contrato(self, numero: str) -> Optional[Contrato]:
        """The contract with that number, or None."""

    @abc.abstractmethod
    def find_contratos_by_direccion(self, direccion: str) -> List[Contrato]:
        """Contracts whose address is the same as ``direccion`` once normalised."""

    @abc.abstractmethod
    def find_contratos_in_text(self, texto: str) -> List[Contrato]:
        """Contracts whose whole normalised address appears inside ``texto`` ("es en la vereda
        el carmín, finca los naranjos, rionegro"); addresses of fewer than 3 words never match."""

    @abc.abstractmethod
    def upsert_contratos(self, contratos: Iterable[Contrato]) -> int:
        """Insert or replace contracts by number, with their payments. Returns the count."""


class CRM(abc.ABC):
    """The CRM: contacts, PQRs, consent and redirection records."""

    @abc.abstractmethod
    def find_contacto(self, numero_documento: str) -> Optional[Contacto]:
        """The contact whose identification number is ``numero_documento``, or None."""

    @abc.abstractmethod
    def upsert_contactos(self, contactos: Iterable[Contacto]) -> int:
        """Insert or update contacts by identification number. Returns the count."""

    @abc.abstractmethod
    def create_pqr(self, solicitud: SolicitudPQR) -> PQR:
        """Open a reclamo. Idempotent: the same ``idempotency_key`` returns the same PQR."""

    @abc.abstractmethod
    def add_evidencia(self, numero: str, evidencia: Evidencia) -> None:
        """Attach one more piece of evidence to an existing PQR (KeyError if unknown)."""

    @abc.abstractmethod
    def add_evidencias_if_missing(self, numero: str, evidencias: List[Evidencia]) -> bool:
        """Attach the evidence (all of one ``tipo``) unless the PQR already has that type, atomically:
        of two workers filling the same gap, one attaches (True), the other finds it done (False)."""

    @abc.abstractmethod
    def find_pqrs_by_conversation(self, conversation_id: str) -> List[PQR]:
        """The PQRs filed in one conversation, oldest first."""

    @abc.abstractmethod
    def pqrs_without_evidencia(self, tipo: str, since: datetime, until: datetime) -> List[str]:
        """Numbers of the PQRs created in [since, until) that have no evidence of that type."""

    @abc.abstractmethod
    def list_pqrs(self, since: Optional[datetime] = None) -> List[PQR]:
        """PQRs created at or after ``since`` (all when None), oldest first."""

    def get_pqr(self, numero: str) -> Optional[PQR]:
        """The PQR with that number, or None (stores may answer it faster)."""
        return next((p for p in self.list_pqrs() if p.numero == numero.strip()), None)

    @abc.abstractmethod
    def record_consentimiento(self, consentimiento: Consentimiento) -> None:
        """Store a customer's answer to the personal-data authorisation."""

    @abc.abstractmethod
    def list_consentimientos(self, conversation_id: Optional[str] = None) -> List[Consentimiento]:
        """Consent records, oldest first."""

    @abc.abstractmethod
    def record_orientacion(self, orientacion: Orientacion) -> None:
        """Store a redirection to another channel (no PQR opened)."""

    @abc.abstractmethod
    def list_orientaciones(self, since: Optional[datetime] = None) -> List[Orientacion]:
        """Redirections, oldest first."""


class Store(Billing, CRM, abc.ABC):
    """Both interfaces on one backend (one database in production)."""
