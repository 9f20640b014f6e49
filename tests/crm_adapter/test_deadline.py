"""The answer deadline: 15 business days in Bogotá, Colombian holidays, weekends, year end."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from crm_adapter.deadline import es_dia_habil, fecha_en_texto, fecha_limite_respuesta

BOG = ZoneInfo("America/Bogota")


def at(y, m, d, h=10, minute=0, tz=BOG):
    return datetime(y, m, d, h, minute, tzinfo=tz)


def test_holidays_and_weekends_are_not_business_days():
    assert not es_dia_habil(date(2026, 12, 8))  # Inmaculada Concepción
    assert not es_dia_habil(date(2026, 12, 25))  # Navidad
    assert not es_dia_habil(date(2026, 12, 5))  # Saturday
    assert not es_dia_habil(date(2027, 1, 1))
    assert not es_dia_habil(date(2027, 1, 11))  # Reyes, moved to Monday (Ley Emiliani)
    assert es_dia_habil(date(2026, 12, 9))


def test_fifteen_business_days_skip_the_8th_of_december():
    # Monday 30 Nov 2026: Dec 1-4 (4), 7 (5), 8 holiday, 9-11 (8), 14-18 (13), 21 (14), 22 (15)
    assert fecha_limite_respuesta(at(2026, 11, 30)) == date(2026, 12, 22)


def test_year_end_skips_christmas_new_year_and_reyes():
    # Friday 11 Dec 2026: 14-18 (5), 21-24 (9), 25 holiday, 28-31 (13), 1 Jan holiday, 4-5 Jan (15)
    assert fecha_limite_respuesta(at(2026, 12, 11)) == date(2027, 1, 5)
    # Wednesday 23 Dec: 24 (1), 28-31 (5), 4-8 (10), 11 Reyes holiday, 12-15 (14), 18 (15)
    assert fecha_limite_respuesta(at(2026, 12, 23)) == date(2027, 1, 18)


def test_filed_on_saturday_counts_from_monday():
    saturday = fecha_limite_respuesta(at(2026, 12, 5))
    monday = fecha_limite_respuesta(at(2026, 12, 7, 9))
    # from Monday 7 Dec: 8 holiday, 9-11 (3), 14-18 (8), 21-24 (12), 25 holiday, 28-30 (15)
    assert saturday == monday == date(2026, 12, 30)
    # filed on a holiday counts as filed the next business day too
    assert fecha_limite_respuesta(at(2026, 12, 8)) == fecha_limite_respuesta(at(2026, 12, 9))


def test_the_day_is_taken_in_bogota_not_utc():
    # 03:00 UTC on Tuesday is still Monday 22:00 in Bogotá
    late_monday = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
    assert fecha_limite_respuesta(late_monday) == fecha_limite_respuesta(at(2026, 11, 30))
    # a Friday-night filing in Bogotá (Saturday in UTC) is a Friday filing
    friday_night = datetime(2026, 12, 5, 2, 30, tzinfo=timezone.utc)
    assert fecha_limite_respuesta(friday_night) == fecha_limite_respuesta(at(2026, 12, 4))
    assert fecha_limite_respuesta(friday_night) != fecha_limite_respuesta(at(2026, 12, 5))


@pytest.mark.parametrize("day,text", [(date(2026, 12, 22), "martes 22 de diciembre de 2026")])
def test_dates_are_told_in_spanish(day, text):
    assert fecha_en_texto(day, with_weekday=True) == text
