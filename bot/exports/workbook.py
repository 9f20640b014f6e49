"""The Excel workbook of one day's PQRs (openpyxl): one row per PQR filed that day in
America/Bogota by the digital channels, a header row, column widths, filters, frozen header."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timezone

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from crm_adapter.deadline import BOGOTA, fecha_local
from crm_adapter.models import CANALES, PQR
from crm_adapter.ports import CRM

DIGITAL_CANALES = frozenset(CANALES)  # every canal the assistant serves is digital

MEDIOS = {"correo": "Correo electrónico", "sms": "SMS (citación)", "direccion": "Dirección física"}

# (header, width)
COLUMNS = (
    ("Número", 14),
    ("Fecha y hora", 18),
    ("Canal", 11),
    ("Contacto", 28),
    ("Documento", 16),
    ("Contrato", 12),
    ("Dirección", 32),
    ("Municipio", 16),
    ("Motivo detalle", 70),
    ("Medio de notificación", 20),
    ("Dato de notificación", 30),
    ("Relación con el inmueble", 22),
    ("Fecha límite de respuesta", 14),
)


def pqrs_of_day(crm: CRM, fecha: date) -> list[PQR]:
    """PQRs filed on ``fecha`` (America/Bogota) by the digital channels, oldest first."""
    start = datetime.combine(fecha, time(0), tzinfo=BOGOTA).astimezone(timezone.utc)
    return [p for p in crm.list_pqrs(since=start) if fecha_local(p.creado_en) == fecha and p.canal in DIGITAL_CANALES]


def _row(pqr: PQR, municipio: str) -> list:
    contacto = pqr.contacto
    return [
        pqr.numero,
        pqr.creado_en.astimezone(BOGOTA).replace(tzinfo=None),
        pqr.canal,
        contacto.nombre,
        f"{contacto.tipo_documento} {contacto.numero}",
        pqr.contrato or "",
        pqr.direccion or "",
        municipio,
        pqr.motivo_detalle,
        MEDIOS.get(pqr.medio_notificacion.tipo, pqr.medio_notificacion.tipo),
        pqr.medio_notificacion.valor,
        pqr.relacion_inmueble or "",
        pqr.fecha_limite_respuesta,
    ]


def build_workbook(pqrs: Sequence[PQR], fecha: date, municipios: Iterable[str] = ()) -> bytes:
    """The .xlsx file as bytes. ``municipios`` lines up with ``pqrs`` (from billing's contract)."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"PQR {fecha.isoformat()}"
    ws.append([header for header, _ in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="075E54")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    municipios = list(municipios) or [""] * len(pqrs)
    for pqr, municipio in zip(pqrs, municipios, strict=False):
        ws.append(_row(pqr, municipio))
    for index, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    for row in ws.iter_rows(min_row=2):
        row[1].number_format = "yyyy-mm-dd hh:mm"
        row[8].alignment = Alignment(wrap_text=True, vertical="top")
        row[12].number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(1, ws.max_row)}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def export_day(store, fecha: date) -> tuple[list[PQR], bytes]:
    """The day's PQRs and their workbook (municipio taken from billing when the contract is known)."""
    pqrs = pqrs_of_day(store, fecha)
    municipios = []
    for pqr in pqrs:
        contrato = store.get_contrato(pqr.contrato) if pqr.contrato else None
        municipios.append(contrato.municipio if contrato else "")
    return pqrs, build_workbook(pqrs, fecha, municipios)
