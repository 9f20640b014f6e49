"""The deadline column added to an existing database (backfilled), and the retention job."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, text

from bot.config import load_settings
from bot.datarights import schema as d
from bot.datarights.retention import RetentionJob, build_retention_job
from bot.events.schema import conversation_events
from bot.outbound import schema as o
from bot.schema import upgrade_all
from tests.pqrs import file_pqr, migrated_store

BOG = ZoneInfo("America/Bogota")


def test_existing_pqrs_get_their_deadline_when_the_column_is_added(db_url):
    store = migrated_store(db_url)
    pqr = file_pqr(store, datetime(2026, 11, 30, 10, tzinfo=BOG))
    with store.engine.begin() as conn:  # back to the schema before the column existed
        conn.execute(text("DROP INDEX IF EXISTS ix_crm_pqrs_fecha_limite_respuesta"))
        conn.execute(text("ALTER TABLE crm_pqrs DROP COLUMN fecha_limite_respuesta"))
        conn.execute(text("ALTER TABLE crm_pqrs DROP COLUMN radicado_por"))  # crm_0005 came later
        conn.execute(text("UPDATE alembic_version_crm SET version_num = 'crm_0003'"))
    applied = upgrade_all(store.engine)
    assert any(name.startswith("crm:crm_0004") for name in applied)
    assert store.get_pqr(pqr.numero).fecha_limite_respuesta == date(2026, 12, 22)
    assert upgrade_all(store.engine) == []
    store.dispose()


def _settings(db_url, tmp_path, **env):
    return load_settings({"PQRBOT_DATABASE_URL": db_url, "PQRBOT_DATA_DIR": str(tmp_path), **env})


def test_no_retention_configured_means_no_job(db_url, tmp_path):
    assert build_retention_job(_settings(db_url, tmp_path), None) is None


def test_retention_deletes_old_delivery_records_and_transcripts_only(db_url, tmp_path):
    store = migrated_store(db_url)
    now = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)
    with store.engine.begin() as conn:
        for age_days, status in ((100, "sent"), (100, "pending"), (10, "sent")):
            when = now - timedelta(days=age_days)
            conn.execute(
                insert(o.outbound_messages).values(
                    conversation_id=f"c{age_days}{status}",
                    kind="text",
                    purpose="reply",
                    body="hola",
                    status=status,
                    attempts=1,
                    created_at=when,
                    updated_at=when,
                )
            )
        for age_days in (200, 1):  # the console's copy of the transcripts follows the same retention
            conn.execute(
                insert(conversation_events).values(
                    conversation_id=f"console-{age_days}", kind="user", at=now - timedelta(days=age_days), text="hola"
                )
            )
    pqr = file_pqr(store, now - timedelta(days=400))  # the PQR is a public record: never touched
    tracker = tmp_path / "tracker.db"
    if db_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(tracker) as conn:
            conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL)")
            conn.execute(
                "INSERT INTO events (sender_id, timestamp) VALUES ('old', ?), ('new', ?)",
                ((now - timedelta(days=200)).timestamp(), (now - timedelta(days=1)).timestamp()),
            )
    settings = _settings(db_url, tmp_path, PQRBOT_RETENTION_DELIVERIES="90d", PQRBOT_RETENTION_TRANSCRIPTS="180d")
    done = RetentionJob(settings, store.engine, clock=lambda: now).apply()
    assert done["outbound_messages"] == 1
    with store.engine.connect() as conn:
        left = sorted(r.conversation_id for r in conn.execute(select(o.outbound_messages.c.conversation_id)))
        audit = conn.execute(select(d.audit.c.action)).scalars().all()
        console_left = conn.execute(select(conversation_events.c.conversation_id)).scalars().all()
    assert left == ["c100pending", "c10sent"]  # unfinished or recent stay
    assert done["console_events"] == 1 and console_left == ["console-1"]
    assert audit == ["retention.apply"]
    assert store.get_pqr(pqr.numero) is not None
    if db_url.startswith("sqlite"):
        import sqlite3

        assert done["transcript_events"] == 1
        with sqlite3.connect(tracker) as conn:
            assert [r[0] for r in conn.execute("SELECT sender_id FROM events")] == ["new"]
    store.dispose()
