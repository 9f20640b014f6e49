"""The bounded table forgets the least recently used entry first."""

from __future__ import annotations

from core.lru import LruTable


def test_the_least_recently_used_entry_goes_first():
    table = LruTable(2)
    table.put("a", 1)
    table.put("b", 2)
    assert table.get("a") == 1  # "a" used again: "b" is now the oldest
    table.put("c", 3)
    assert table.keys() == ["a", "c"] and table.get("b") is None
    table.put("a", 4)  # replaced, not added
    assert len(table) == 2 and table.get("a") == 4
    table.clear()
    assert len(table) == 0
