"""The one clock of pqrbot: what time it is (UTC), stored times made aware, durations in settings.

Everything stored is UTC; the business calendar (America/Bogota) is ``BOGOTA``.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Optional
from zoneinfo import ZoneInfo

BOGOTA = ZoneInfo("America/Bogota")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)")


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def aware(value: Optional[datetime]) -> Optional[datetime]:
    """A stored time as an aware datetime: SQLite gives naive ones back, and they are UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def parse_duration(text: Optional[str]) -> Optional[float]:
    """Seconds from "90", "30s", "15m", "23h", "1d" (None when empty). ValueError when unreadable."""
    if text is None or not str(text).strip():
        return None
    found = _DURATION.fullmatch(str(text).strip().lower())
    if found is None:
        raise ValueError(f"not a duration: {text!r} (use seconds, or a number with s, m, h or d)")
    return float(found.group(1)) * _UNITS.get(found.group(2) or "s", 1)
