from datetime import datetime, timezone

import pytest

from core.clock import BOGOTA, aware, parse_duration, utcnow


def test_now_is_aware_utc():
    assert utcnow().tzinfo == timezone.utc


def test_stored_naive_times_are_utc_and_aware_ones_stay():
    naive = datetime(2026, 11, 30, 12, 0)
    assert aware(naive) == datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
    bogota = datetime(2026, 11, 30, 7, 0, tzinfo=BOGOTA)
    assert aware(bogota) is bogota
    assert aware(None) is None


@pytest.mark.parametrize(
    "text, seconds",
    [("90", 90), ("30s", 30), ("15m", 900), ("23h", 82800), ("1d", 86400), (" 2.5h ", 9000), ("0", 0)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", [None, "", "   "])
def test_no_duration(text):
    assert parse_duration(text) is None


@pytest.mark.parametrize("text", ["soon", "1w", "-5m", "1d2h", "h"])
def test_unreadable_durations_are_refused(text):
    with pytest.raises(ValueError):
        parse_duration(text)
