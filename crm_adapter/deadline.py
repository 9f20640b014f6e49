"""The legal answer deadline of a reclamo (Ley 142 de 1994, art. 158: 15 días hábiles).

Business days are Monday to Friday except Colombian public holidays (the maintained ``holidays``
library, country CO), counted in America/Bogota. A PQR filed on a non-business day counts as
filed on the next business day; the deadline is the 15th business day after the filing day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

import holidays

BOGOTA = ZoneInfo("America/Bogota")
DIAS_HABILES = 15


@cache
def _holidays(year: int) -> frozenset:
    return frozenset(holidays.country_holidays("CO", years=year).keys())


def es_dia_habil(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def fecha_local(moment: datetime) -> date:
    """The calendar day of ``moment`` in Bogotá (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(BOGOTA).date()


def sumar_dias_habiles(start: date, days: int) -> date:
    """The ``days``-th business day after ``start``."""
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if es_dia_habil(current):
            left -= 1
    return current


def fecha_limite_respuesta(filed_at: datetime) -> date:
    """The last day to answer a PQR filed at ``filed_at``."""
    filed = fecha_local(filed_at)
    while not es_dia_habil(filed):
        filed += timedelta(days=1)
    return sumar_dias_habiles(filed, DIAS_HABILES)


MESES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
DIAS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def fecha_en_texto(day: date, with_weekday: bool = False) -> str:
    """'22 de diciembre de 2026' (or 'martes 22 de diciembre de 2026')."""
    text = f"{day.day} de {MESES[day.month - 1]} de {day.year}"
    return f"{DIAS[day.weekday()]} {text}" if with_weekday else text
