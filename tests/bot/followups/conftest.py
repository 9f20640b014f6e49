"""Databases for the follow-up tests: a SQLite file per test, and PostgreSQL (its own schema
per test) when PQRBOT_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import os

import pytest

from bot.followups.store import FollowupStore

PG_URL = os.environ.get("PQRBOT_TEST_POSTGRES_URL")

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="PQRBOT_TEST_POSTGRES_URL not set"),
        ],
    ),
]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pqrbot.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def pg_url(postgres_url):
    return postgres_url


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'pqrbot.db'}"


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
