"""Follow-up stores on the per-test databases of tests/conftest.py."""

from __future__ import annotations

import pytest

from bot.followups.store import FollowupStore


@pytest.fixture
def store(sqlite_url):
    s = FollowupStore.from_url(sqlite_url)
    yield s
    s.dispose()


@pytest.fixture
def any_store(db_url):
    s = FollowupStore.from_url(db_url)
    yield s
    s.dispose()
