"""A small, versioned migration runner shared by every component that owns tables.

Each component lists its migrations as ``Migration(component, version, name, apply)``;
``upgrade`` applies the missing ones in order, each in its own transaction together with its
row in ``schema_migrations``. Concurrent starts (the Rasa server, the action server and the
worker all upgrade on start) are serialised: an advisory lock on PostgreSQL, ``BEGIN
IMMEDIATE`` on SQLite.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable, List, Sequence

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select, text
from sqlalchemy.engine import Connection, Engine

_meta = MetaData()
schema_migrations = Table(
    "schema_migrations",
    _meta,
    Column("component", String(60), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

# Modules exposing MIGRATIONS; every `pqrbot` command and process start applies them all.
MIGRATION_MODULES: Sequence[str] = (
    "crm_adapter.migrations_crm",
    "bot.outbound.migrations",
    "bot.followups.migrations",
    "bot.ingress.migrations",
)

_PG_LOCK_KEY = 7_318_201  # arbitrary, constant advisory-lock key for pqrbot migrations


@dataclass(frozen=True)
class Migration:
    component: str
    version: int
    name: str
    apply: Callable[[Connection], None]


def all_migrations() -> List[Migration]:
    found: List[Migration] = []
    for module_name in MIGRATION_MODULES:
        found.extend(importlib.import_module(module_name).MIGRATIONS)
    return found


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})


def upgrade(engine: Engine, migrations: Iterable[Migration] | None = None) -> List[str]:
    """Apply what is missing; returns the names applied (empty when up to date)."""
    todo = sorted(
        all_migrations() if migrations is None else migrations,
        key=lambda m: (m.component, m.version),
    )
    applied_now: List[str] = []
    with engine.begin() as conn:
        _lock(conn)
        _meta.create_all(conn, checkfirst=True)
    for migration in todo:
        with engine.begin() as conn:
            _lock(conn)
            done = conn.execute(
                select(schema_migrations.c.version).where(
                    schema_migrations.c.component == migration.component,
                    schema_migrations.c.version == migration.version,
                )
            ).first()
            if done:
                continue
            migration.apply(conn)
            conn.execute(
                schema_migrations.insert().values(
                    component=migration.component,
                    version=migration.version,
                    name=migration.name,
                    applied_at=datetime.now(timezone.utc),
                )
            )
            applied_now.append(f"{migration.component}:{migration.version}:{migration.name}")
    return applied_now
