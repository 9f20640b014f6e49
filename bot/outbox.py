"""The filing outbox: a confirmed reclamo is never lost when the CRM database is down or slow.

``file_or_queue`` (called by the filing action) tries the CRM; when it fails or does not answer
within ``PQRBOT_FILING_TIMEOUT``, the confirmed data go to a local SQLite file under the data
folder (``outbox.db``, mode 0600: it does not depend on the CRM database being up) and the
customer is told the reclamo is received and the number will follow on the same channel.

``OutboxDrainer`` (run by the worker process) files each queued reclamo as soon as the CRM is
back, exactly once (the CRM's idempotency key of the intake), and sends the number through the
outbound service. It looks at the outbound log before sending, so a worker that dies between the
provider's acceptance and its own bookkeeping does not send the number twice. Conversations of
the public REST/web channel cannot receive a later message: their number is filed and given when
the customer asks for it ("¿cuál es el número de mi reclamo?").
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.conversation_ids import is_public
from bot.logmask import mask, masked_logger
from core.clock import utcnow
from crm_adapter.models import PQR, Evidencia, MedioNotificacion, SolicitudPQR

logger = masked_logger(__name__)

NUMERO_MARK = "\x00NUMERO\x00"  # replaced by the PQR number when it is known
PURPOSE = "pqr_number"
PENDING, FILED, NOTIFIED, NOT_NOTIFIED = "pending", "filed", "notified", "not_notified"

_metadata = MetaData()
outbox = Table(
    "filing_outbox",
    _metadata,
    Column("idempotency_key", String(300), primary_key=True),
    Column("conversation_id", String(300), nullable=False),  # Rasa's sender id (outbound address)
    Column("solicitud", Text, nullable=False),  # JSON of the SolicitudPQR
    Column("confirmation", Text, nullable=False),  # text sent with the number (NUMERO_MARK inside)
    Column("status", String(20), nullable=False),
    Column("numero", String(40)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", String(500)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


# ------------------------------------------------------------------ serialisation
def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"__b64__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__b64__"}:
            return base64.b64decode(value["__b64__"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _build(cls, data: dict):
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def dump_solicitud(solicitud: SolicitudPQR) -> str:
    return json.dumps(_encode(dataclasses.asdict(solicitud)), ensure_ascii=False)


def load_solicitud(text: str) -> SolicitudPQR:
    data = _decode(json.loads(text))
    data["medio_notificacion"] = _build(MedioNotificacion, data["medio_notificacion"])
    data["evidencias"] = [_build(Evidencia, e) for e in data.get("evidencias") or []]
    return _build(SolicitudPQR, data)


# ------------------------------------------------------------------ storage
def private_sqlite_engine(path: Path) -> Engine:
    from crm_adapter.db import make_engine

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    engine = make_engine(f"sqlite:///{path}")
    _metadata.create_all(engine)
    return engine


@dataclass
class Entry:
    idempotency_key: str
    conversation_id: str
    solicitud: SolicitudPQR
    confirmation: str
    status: str
    numero: Optional[str]
    attempts: int


class Outbox:
    """Reclamos confirmed by the customer and not yet filed/notified (local SQLite file)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.engine = private_sqlite_engine(self.path)

    def put(self, conversation_id: str, solicitud: SolicitudPQR, confirmation: str) -> bool:
        """Keep the reclamo; False when that intake was already queued (a retried action)."""
        now = utcnow()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(outbox).values(
                        idempotency_key=solicitud.idempotency_key,
                        conversation_id=conversation_id,
                        solicitud=dump_solicitud(solicitud),
                        confirmation=confirmation,
                        status=PENDING,
                        attempts=0,
                        created_at=now,
                        updated_at=now,
                    )
                )
            return True
        except IntegrityError:
            return False

    def open_entries(self) -> List[Entry]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(outbox).where(outbox.c.status.in_([PENDING, FILED])).order_by(outbox.c.created_at)
            ).all()
        return [
            Entry(
                r.idempotency_key,
                r.conversation_id,
                load_solicitud(r.solicitud),
                r.confirmation,
                r.status,
                r.numero,
                r.attempts,
            )
            for r in rows
        ]

    def get(self, key: str) -> Optional[dict]:
        with self.engine.connect() as conn:
            row = conn.execute(select(outbox).where(outbox.c.idempotency_key == key)).first()
        return dict(row._mapping) if row else None

    def count(self, status: Optional[str] = None) -> int:
        with self.engine.connect() as conn:
            query = select(outbox.c.idempotency_key)
            if status:
                query = query.where(outbox.c.status == status)
            return len(conn.execute(query).all())

    def update(self, key: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.idempotency_key == key).values(updated_at=utcnow(), **values))

    def failed_attempt(self, entry: Entry, error: str) -> None:
        self.update(entry.idempotency_key, attempts=entry.attempts + 1, last_error=error[:500])

    def dispose(self) -> None:
        self.engine.dispose()


# ------------------------------------------------------------------ filing
@dataclass
class FilingResult:
    pqr: Optional[PQR] = None
    queued: bool = False


async def file_or_queue(
    create_pqr: Callable[[SolicitudPQR], PQR],
    solicitud: SolicitudPQR,
    *,
    conversation_id: str,
    confirmation_template: str,
    outbox_path: Path,
    timeout: float,
    then: Optional[Callable[[PQR], None]] = None,
) -> FilingResult:
    """Open the PQR in the CRM, or keep it in the outbox when the CRM is down or slow.

    ``then(pqr)`` runs in the same thread once the PQR is filed (the filing action attaches the
    constancia of what the customer is told): a failure there is logged, the PQR stays filed.
    Raises only when neither the CRM nor the outbox took the reclamo.
    """
    abandoned = threading.Event()  # the wait timed out: the customer hears of the outbox instead

    def file_and_settle() -> PQR:
        # One trip to a thread for all of it (each trip waits for the event loop to come back,
        # behind the other customers' turns, and each commit on the loop's thread stopped them
        # all: issue 13).
        pqr = create_pqr(solicitud)
        if Path(outbox_path).exists():  # queued by an earlier try: the customer is told now
            try:
                _settle(Path(outbox_path), solicitud.idempotency_key, pqr.numero)
            except Exception:  # filed all the same; the worker settles the entry later
                logger.exception("could not settle the outbox entry of %s", mask(conversation_id))
        if then is not None and not abandoned.is_set():
            try:
                then(pqr)
            except Exception:
                logger.exception("filed %s, but what follows the filing failed", pqr.numero)
        return pqr

    try:
        pqr = await asyncio.wait_for(asyncio.to_thread(file_and_settle), timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - any CRM trouble: keep the reclamo
        abandoned.set()
        reason = "timed out" if isinstance(exc, asyncio.TimeoutError) else type(exc).__name__
        logger.warning(
            "CRM unavailable (%s) filing for %s: the reclamo goes to the outbox", reason, mask(conversation_id)
        )
    else:
        return FilingResult(pqr=pqr)
    box = _process_outbox(Path(outbox_path))
    await asyncio.to_thread(box.put, conversation_id, solicitud, confirmation_template)
    return FilingResult(queued=True)


_outboxes: Dict[Path, Outbox] = {}
_outboxes_lock = threading.Lock()


def _process_outbox(path: Path) -> Outbox:
    """The outbox of ``path``, opened once per process: opening it (engine, schema check) was a
    quarter of each filing turn's own time (issue 13). The engine starts afresh in a forked child."""
    with _outboxes_lock:
        box = _outboxes.get(path)
        if box is None:
            box = _outboxes[path] = Outbox(path)
        return box


def _settle(path: Path, key: str, numero: str) -> None:
    box = _process_outbox(path)
    entry = box.get(key)
    if entry and entry["status"] in (PENDING, FILED):
        box.update(key, status=NOTIFIED, numero=numero, last_error="told in the conversation")


# ------------------------------------------------------------------ draining
class OutboxDrainer:
    """Files the queued reclamos when the CRM is back and sends each customer the number."""

    def __init__(self, outbox: Outbox, store, outbound, outbound_log=None, *, max_notify_attempts: int = 5) -> None:
        self.outbox = outbox
        self.store = store
        self.outbound = outbound
        self.outbound_log = outbound_log if outbound_log is not None else getattr(outbound, "log", None)
        self.max_notify_attempts = max_notify_attempts

    async def drain_once(self) -> int:
        """One pass; returns how many reclamos were filed or notified."""
        done = 0
        for entry in await asyncio.to_thread(self.outbox.open_entries):
            try:
                if entry.status == PENDING:
                    pqr = await asyncio.to_thread(self.store.create_pqr, entry.solicitud)  # idempotent
                    await asyncio.to_thread(
                        self.outbox.update,
                        entry.idempotency_key,
                        status=FILED,
                        numero=pqr.numero,
                        attempts=0,
                        last_error=None,
                    )
                    logger.info("outbox: reclamo of %s filed as %s", mask(entry.conversation_id), pqr.numero)
                    entry.status, entry.numero, entry.attempts = FILED, pqr.numero, 0
                    done += 1
                if entry.status == FILED:
                    done += await self._notify(entry)
            except Exception as exc:  # CRM still down: try again on the next pass
                await asyncio.to_thread(self.outbox.failed_attempt, entry, f"{type(exc).__name__}")
                if entry.attempts % 30 == 0:  # not every pass: the CRM may be down for a while
                    logger.warning(
                        "outbox: %s still waiting (%s, %s tries)",
                        mask(entry.conversation_id),
                        type(exc).__name__,
                        entry.attempts + 1,
                    )
        return done

    def _already_sent(self, entry: Entry) -> bool:
        """The outbound log shows this number message was handed to the provider before."""
        if self.outbound_log is None:
            return False
        try:
            records = self.outbound_log.list(conversation_id=entry.conversation_id, limit=200)
        except Exception:
            return False
        return any(
            getattr(r, "purpose", None) == PURPOSE
            and entry.numero
            and entry.numero in (r.body or "")
            and getattr(r, "status", None) in ("sent", "pending", "retrying")
            for r in records
        )

    async def _notify(self, entry: Entry) -> int:
        from bot.outbound import ports

        text = entry.confirmation.replace(NUMERO_MARK, entry.numero or "")
        if is_public(entry.conversation_id):
            await asyncio.to_thread(
                self.outbox.update,
                entry.idempotency_key,
                status=NOT_NOTIFIED,
                last_error="public channel: no later delivery; the number is given on request",
            )
            await self._constancia(entry, text)
            return 1
        if await asyncio.to_thread(self._already_sent, entry):
            await asyncio.to_thread(
                self.outbox.update,
                entry.idempotency_key,
                status=NOTIFIED,
                last_error="already in the outbound log: not resent",
            )
            return 1
        result = await self.outbound.send_text(entry.conversation_id, text, purpose=PURPOSE)
        if result.status == ports.SENT:
            await asyncio.to_thread(self.outbox.update, entry.idempotency_key, status=NOTIFIED, last_error=None)
            await self._constancia(entry, text)
            return 1
        if result.status == ports.FAILED and entry.attempts + 1 < self.max_notify_attempts:
            await asyncio.to_thread(self.outbox.failed_attempt, entry, result.error or "send failed")
            return 0
        await asyncio.to_thread(
            self.outbox.update,
            entry.idempotency_key,
            status=NOT_NOTIFIED,
            last_error=(result.error or result.status)[:500],
        )
        return 1

    async def _constancia(self, entry: Entry, text: str) -> None:
        try:
            await asyncio.to_thread(
                self.store.add_evidencia,
                entry.numero,
                Evidencia(
                    tipo="constancia", nombre="constancia_informada.txt", contenido=text, content_type="text/plain"
                ),
            )
        except Exception:
            logger.exception("outbox: could not attach the confirmation to %s", entry.numero)
