"""Hours of attention of the people behind the console (America/Bogota, Colombian holidays closed).

``PQRBOT_ATTENTION_HOURS`` is a comma-separated list of ``days HH:MM-HH:MM``; days are ``mon``..
``sun`` (or ``lun``..``dom``), single or ranges: ``"mon-fri 07:00-19:00, sat 08:00-12:00"``.
``"always"`` means every hour of every day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import List, Optional, Tuple
from zoneinfo import ZoneInfo

BOGOTA = ZoneInfo("America/Bogota")
DEFAULT_HOURS = "mon-fri 07:00-19:00, sat 08:00-12:00"
_DAYS = {
    "mon": 0,
    "tue": 1,
    "wed": 2,
    "thu": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
    "lun": 0,
    "mar": 1,
    "mie": 2,
    "jue": 3,
    "vie": 4,
    "sab": 5,
    "dom": 6,
}
_DAY_NAMES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


@dataclass(frozen=True)
class Span:
    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class AttentionHours:
    spans: Tuple[Span, ...]
    always: bool = False
    close_on_holidays: bool = True

    @classmethod
    def parse(cls, text: Optional[str]) -> "AttentionHours":
        text = (text or DEFAULT_HOURS).strip().lower()
        if text in ("always", "siempre", "24/7"):
            return cls((), always=True, close_on_holidays=False)
        spans: List[Span] = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            m = re.fullmatch(r"([a-zé]{3})(?:\s*-\s*([a-zé]{3}))?\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", part)
            if not m or m.group(1) not in _DAYS or (m.group(2) and m.group(2) not in _DAYS):
                raise ValueError(f"PQRBOT_ATTENTION_HOURS: cannot read {part!r} (e.g. 'mon-fri 07:00-19:00')")
            first, last = _DAYS[m.group(1)], _DAYS[m.group(2) or m.group(1)]
            start, end = time(int(m.group(3)), int(m.group(4))), time(int(m.group(5)), int(m.group(6)))
            day = first
            while True:
                spans.append(Span(day, start, end))
                if day == last:
                    break
                day = (day + 1) % 7
        return cls(tuple(spans))

    def _holiday(self, day) -> bool:
        if not self.close_on_holidays:
            return False
        try:
            import holidays

            return day in holidays.country_holidays("CO", years=day.year)
        except Exception:  # pragma: no cover - library missing: no holidays
            return False

    def is_open(self, now: datetime) -> bool:
        if self.always:
            return True
        local = now.astimezone(BOGOTA)
        if self._holiday(local.date()):
            return False
        return any(s.weekday == local.weekday() and s.start <= local.time() < s.end for s in self.spans)

    def next_opening(self, now: datetime) -> Optional[datetime]:
        """When the people are next available (None when always open or never)."""
        if self.always or not self.spans:
            return None
        local = now.astimezone(BOGOTA)
        for offset in range(0, 15):
            day = (local + timedelta(days=offset)).date()
            if self._holiday(day):
                continue
            for s in sorted((s for s in self.spans if s.weekday == day.weekday()), key=lambda s: s.start):
                start = datetime.combine(day, s.start, tzinfo=BOGOTA)
                if start > local or (offset == 0 and s.start <= local.time() < s.end):
                    return max(start, local).astimezone(timezone.utc)
        return None


def describe_opening(when: datetime, now: datetime) -> str:
    """'hoy a las 7:00', 'mañana a las 7:00', 'el lunes a las 7:00' (customer-facing)."""
    local, today = when.astimezone(BOGOTA), now.astimezone(BOGOTA).date()
    hour = f"{local.hour}:{local.minute:02d}"
    if local.date() == today:
        return f"hoy a las {hour}"
    if local.date() == today + timedelta(days=1):
        return f"mañana a las {hour}"
    return f"el {_DAY_NAMES[local.weekday()]} a las {hour}"
