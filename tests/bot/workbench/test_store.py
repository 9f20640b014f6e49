"""The workbench's tables on SQLite and, when PQRBOT_TEST_POSTGRES_URL is set, PostgreSQL."""

import os
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text

from bot.schema import upgrade_all
from bot.workbench import schema
from bot.workbench.store import WorkbenchStore
from crm_adapter.db import make_engine

_PG = os.environ.get("PQRBOT_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'wb.db'}")
        upgrade_all(engine)
        yield WorkbenchStore(engine)
        engine.dispose()
        return
    if not _PG:
        pytest.skip("PQRBOT_TEST_POSTGRES_URL not set")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_PG, future=True)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    engine = make_engine(f"{_PG}{'&' if '?' in _PG else '?'}options=-csearch_path%3D{name}")
    try:
        upgrade_all(engine)
        yield WorkbenchStore(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def test_inbox_groups_open_items_and_resolves_once(store):
    t1 = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
    t2 = datetime(2026, 11, 30, 11, 0, tzinfo=timezone.utc)
    first = store.add_occurrence(
        "Y eso?",
        schema.FALLBACK,
        predicted_intent="nlu_fallback",
        confidence=0.45,
        channel="rest",
        conversation_id="a",
        at=t1,
    )
    again = store.add_occurrence(
        "y  eso?",
        schema.LOW_CONFIDENCE,
        predicted_intent="saludo",
        confidence=0.3,
        channel="whatsapp",
        conversation_id="b",
        at=t2,
    )
    assert again == first
    [item] = store.open_items()
    assert (item["count"], item["conversation_id"], item["channel"]) == (2, "b", "whatsapp")
    assert item["at"] == t2.isoformat() and item["first_at"] == t1.isoformat()
    assert store.resolve(first, schema.LABELLED, "t@example.com", intent="fuera_de_alcance", text="y eso?")
    assert not store.resolve(first, schema.DISCARDED, "t@example.com")
    assert store.open_items() == []
    later = store.add_occurrence("y eso?", schema.FALLBACK, at=t2)  # a new item once the old one is closed
    assert later != first and store.item(first)["labelled_intent"] == "fuera_de_alcance"


def test_jobs_evaluations_and_activations(store):
    job = store.create_job("train", "t@example.com")
    store.update_job(job, status="ready", progress=1.0, result={"candidate": {"macro_f1": 0.9}})
    row = store.job(job)
    assert row["status"] == "ready" and row["finished_at"] and row["result"]["candidate"]["macro_f1"] == 0.9
    assert [j["id"] for j in store.jobs("train")] == [job] and store.jobs("evaluate") == []
    store.save_evaluation("sha-a", "m.tar.gz", "t1", {"macro_f1": 0.5})
    store.save_evaluation("sha-a", "m.tar.gz", "t2", {"macro_f1": 0.7})
    assert store.evaluation("sha-a")["macro_f1"] == 0.7
    assert store.evaluation("sha-a", "t1")["macro_f1"] == 0.5 and store.evaluation("sha-b") is None
    act = store.add_activation(action="activate", job_id=job, model_sha="new", previous_path="/p", previous_sha="old")
    assert store.last_activation()["id"] == act
    store.mark_rolled_back(act)
    assert store.last_activation() is None


def test_concurrent_captures_of_one_text_share_one_item(store):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = list(
            pool.map(lambda i: store.add_occurrence("ujum", schema.FALLBACK, conversation_id=f"c{i}"), range(24))
        )
    assert len(set(ids)) == 1
    [item] = store.open_items()
    assert item["count"] == 24
