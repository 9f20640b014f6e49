"""Schema migrations (Alembic, one history per component): fresh databases, databases of the
earlier runner, and several processes starting at once."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from bot.schema import HISTORIES, upgrade_all
from crm_adapter.db import make_engine
from crm_adapter.migrations import CRM_HISTORY, _config, upgrade

ROOT = Path(__file__).resolve().parents[2]
EVERY_TABLE = {"billing_contratos", "crm_pqrs", "crm_orientaciones", "channel_conversations", "followups"}


def _revision_count() -> int:
    return sum(len(list(h.versions.glob("*.py"))) for h in HISTORIES)


def _tables(engine) -> set:
    with engine.connect() as conn:
        return set(inspect(conn).get_table_names())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pqrbot.db'}"
    return request.getfixturevalue("postgres_url")


def test_a_fresh_database_gets_every_component_and_a_second_run_does_nothing(url):
    engine = make_engine(url)
    applied = upgrade_all(engine)
    assert len(applied) == _revision_count()
    assert {a.split(":")[0] for a in applied} == {h.name for h in HISTORIES}
    assert EVERY_TABLE <= _tables(engine)
    assert {f"alembic_version_{h.name}" for h in HISTORIES} <= _tables(engine)
    assert upgrade_all(engine) == []
    engine.dispose()


def test_one_component_alone_leaves_the_others_alone(url):
    engine = make_engine(url)
    crm = [a.split(":")[1] for a in upgrade(engine, [CRM_HISTORY])]
    assert crm == sorted(p.stem[:8] for p in CRM_HISTORY.versions.glob("crm_*.py"))  # in order
    assert "followups" not in _tables(engine)
    others = {a.split(":")[0] for a in upgrade_all(engine)}
    assert others == {h.name for h in HISTORIES} - {"crm"}
    engine.dispose()


def test_a_database_of_the_earlier_runner_is_stamped_then_upgraded(tmp_path):
    """Tables made by the hand-written runner (schema_migrations rows) are not created twice; a
    component the old database lacks is created."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.connect() as conn:  # the CRM tables as the old runner made them (its version 3)
        command.upgrade(_config(CRM_HISTORY, conn, []), "crm_0003")
        conn.commit()
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version_crm"))
        conn.execute(
            text(
                "CREATE TABLE schema_migrations (component VARCHAR(60), version INTEGER, name VARCHAR(200),"
                " applied_at TIMESTAMP, PRIMARY KEY (component, version))"
            )
        )
        for version in (1, 2, 3):
            conn.execute(
                text("INSERT INTO schema_migrations VALUES ('crm', :v, 'old', :t)"),
                {"v": version, "t": datetime.now(timezone.utc)},
            )
        conn.execute(
            text(
                "INSERT INTO billing_contratos VALUES ('1', 'Calle 1', 'calle 1', 'Bello', 'residencial', 'CC', '1',"
                " 'Ana', '[]', '2026-01-01')"
            )
        )
    applied = upgrade_all(engine)
    revisions = [a.split(":")[1] for a in applied]
    assert [r for r in revisions if r.startswith("crm_")][0] == "crm_0004"  # only what came after version 3
    assert "followups_0001" in revisions
    with engine.connect() as conn:
        head = sorted(p.stem[:8] for p in CRM_HISTORY.versions.glob("crm_*.py"))[-1]
        assert conn.execute(text("SELECT version_num FROM alembic_version_crm")).scalar() == head
        assert conn.execute(text("SELECT COUNT(*) FROM billing_contratos")).scalar() == 1
    engine.dispose()


STARTER = """
import sys
from crm_adapter.db import make_engine
from bot.schema import upgrade_all
engine = make_engine(sys.argv[1])
print(len(upgrade_all(engine)))
"""


def test_several_processes_starting_at_once_migrate_once(url):
    """The Rasa server, the action server, the worker and the CLI all upgrade on start."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, url], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [err for _, err in results]
    # every revision ran exactly once, whichever process ran it
    assert sum(int(out.strip()) for out, _ in results) == _revision_count()
    engine = make_engine(url)
    assert EVERY_TABLE <= _tables(engine)
    engine.dispose()


def _all_metadata():
    from sqlalchemy import MetaData

    from bot.console import schema as console
    from bot.datarights import schema as datarights
    from bot.events import schema as events
    from bot.exports import schema as exports
    from bot.followups import schema as followups
    from bot.handoff import schema as handoff
    from bot.ingress import schema as ingress
    from bot.outbound import schema as outbound
    from bot.workbench import schema as workbench
    from crm_adapter import schema as crm

    combined = MetaData()
    for module in (crm, outbound, followups, workbench, exports, datarights, events, handoff, console, ingress):
        for table in module.metadata.tables.values():
            table.to_metadata(combined)
    return combined


def test_the_migrations_build_exactly_the_tables_the_code_declares(url):
    """A column, index or table added to a schema module without its revision fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(url)
    upgrade_all(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), _all_metadata())
    ignored = {"alembic_version_" + h.name for h in HISTORIES} | {"schema_migrations", "sqlite_sequence"}
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name in ignored)]
    assert diff == []
    engine.dispose()
