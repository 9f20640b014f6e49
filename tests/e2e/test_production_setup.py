"""The production setup for real: CRM and Rasa's conversations on PostgreSQL, Rasa's locks on Redis.

Runs when PQRBOT_TEST_POSTGRES_URL and PQRBOT_TEST_REDIS_URL are set (.ci/run sets both to the
machine's local servers)."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import start_server, stop_server

pytestmark = pytest.mark.server
PG = os.environ.get("PQRBOT_TEST_POSTGRES_URL")
REDIS = os.environ.get("PQRBOT_TEST_REDIS_URL")


@pytest.mark.skipif(not (PG and REDIS), reason="needs PQRBOT_TEST_POSTGRES_URL and PQRBOT_TEST_REDIS_URL")
def test_a_reclamo_on_postgresql_with_redis_locks(tmp_path):
    proc, srv = start_server(tmp_path, {"PQRBOT_DATABASE_URL": PG, "PQRBOT_LOCK_STORE_URL": REDIS})
    try:
        endpoints = (tmp_path / "run" / "endpoints.yml").read_text()
        assert "redis" in endpoints and "postgresql" in endpoints
        import redis

        r = redis.Redis.from_url(REDIS)

        def lock_writes() -> int:
            return sum(r.info("commandstats").get(f"cmdstat_{c}", {}).get("calls", 0) for c in ("set", "del"))

        before = lock_writes()
        sender = f"prod-{uuid.uuid4().hex[:8]}"
        _, replies = srv.talk(
            [
                "me llego muy cara la factura del gas",
                "si",
                "Sofia Vergara cc 52111222",
                "contrato 12345678",
                "sofia.v@gmail.com",
                "si",
            ],
            sender=sender,
        )
        assert lock_writes() - before >= 6, "each message must take and release a lock in Redis"
        [p] = srv.pqrs_of(sender)
        assert p["numero"] in replies[-1][0]
        engine = create_engine(PG, future=True)
        with engine.connect() as conn:
            crm_rows = conn.execute(
                text("SELECT count(*) FROM crm_pqrs WHERE conversation_id = :s"), {"s": sender}
            ).scalar()
            # the public channel's conversations are namespaced in Rasa (bot/conversation_ids.py)
            tracker_rows = conn.execute(
                text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": f"rest:{sender}"}
            ).scalar()
        engine.dispose()
        assert crm_rows == 1
        assert tracker_rows > 10, "Rasa's conversation must be stored in PostgreSQL"
    finally:
        stop_server(proc)
