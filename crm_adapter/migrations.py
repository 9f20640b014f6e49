"""Schema migrations with Alembic: one history per component, each with its own version table.

A component that owns tables keeps its Alembic revisions in a ``versions`` folder of its own
(the CRM's: ``crm_adapter/versions``) and is named by a ``History``. ``upgrade`` brings the
given histories up to their head through the one environment in ``crm_adapter/alembic``; the
runtime (``bot.schema.upgrade_all``) passes every component's history, and every ``pqrbot``
process calls it at start. Concurrent starts are serialised (see ``alembic/env.py``).

Databases made by the earlier hand-written runner (table ``schema_migrations``) are stamped at
the matching revision (``<component>_<version:04d>``) the first time, then upgraded as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

ENVIRONMENT = Path(__file__).resolve().parent / "alembic"
CRM_VERSIONS = Path(__file__).resolve().parent / "versions"
LEGACY_TABLE = "schema_migrations"


@dataclass(frozen=True)
class History:
    """A component's migration history: its name and the folder of its revisions."""

    name: str
    versions: Path

    @property
    def version_table(self) -> str:
        return f"alembic_version_{self.name}"


CRM_HISTORY = History("crm", CRM_VERSIONS)


def _config(history: History, connection: Connection, applied: List[str]) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ENVIRONMENT))
    cfg.set_main_option("version_locations", str(history.versions))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes.update(
        connection=connection, version_table=history.version_table, history=history.name, applied=applied
    )
    return cfg


def _legacy_revision(connection: Connection, history: History, cfg: Config) -> Optional[str]:
    """The revision an old ``schema_migrations`` database is at, if it has not been stamped yet."""
    tables = set(inspect(connection).get_table_names())
    if LEGACY_TABLE not in tables or history.version_table in tables:
        return None
    version = connection.execute(
        text(f"SELECT MAX(version) FROM {LEGACY_TABLE} WHERE component = :c"), {"c": history.name}
    ).scalar()
    if not version:
        return None
    revision = f"{history.name}_{int(version):04d}"
    return revision if ScriptDirectory.from_config(cfg).get_revision(revision) is not None else None


def upgrade(engine: Engine, histories: Sequence[History]) -> List[str]:
    """Bring each history to its head; returns the revisions applied ("component:revision:doc")."""
    applied: List[str] = []
    for history in histories:
        with engine.connect() as connection, connection.begin():  # a write transaction from the start
            cfg = _config(history, connection, applied)
            legacy = _legacy_revision(connection, history, cfg)
            if legacy:
                command.stamp(cfg, legacy)
            command.upgrade(cfg, "head")
    return applied
