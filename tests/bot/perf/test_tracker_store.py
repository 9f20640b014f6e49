"""The windowed tracker store restores conversations exactly as Rasa's SQL store does, without
rereading them on every message."""

from __future__ import annotations

import asyncio
import time

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from bot.config import PROJECT_ROOT
from bot.perf.tracker_store import WindowedSQLTrackerStore


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


def run(coro):
    return asyncio.new_event_loop().run_until_complete(coro)


def stores(tmp_path, domain, broker=None):
    db = str(tmp_path / "tracker.db")
    return (
        lambda: WindowedSQLTrackerStore(domain=domain, dialect="sqlite", db=db, event_broker=broker),
        lambda: SQLTrackerStore(domain=domain, dialect="sqlite", db=db),
    )


def user(text, intent="informar"):
    return UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=time.time())


def turn_events(n):
    """One form turn: user message, validation slots, the form asking the next slot."""
    return [
        ActionExecuted("action_listen", timestamp=time.time()),
        user(f"mensaje {n}"),
        ActionExecuted("pqr_form", timestamp=time.time()),
        SlotSet("nombre", "Ana López", timestamp=time.time()),
        SlotSet("requested_slot", "numero_documento", timestamp=time.time()),
        BotUttered("¿Cuál es tu número de cédula?", timestamp=time.time()),
    ]


def session_start_events():
    return [
        ActionExecuted("action_session_start", timestamp=time.time() + 0.001),
        SessionStarted(timestamp=time.time()),
        ActionExecuted("action_listen", timestamp=time.time() + 0.002),
    ]


async def play(store, sender, domain, turns, start_session=False):
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
    if start_session:
        tracker.update_with_events(session_start_events(), domain, override_timestamp=False)
    tracker.update(ActiveLoop("pqr_form"))
    for n in range(turns):
        for e in turn_events(n):
            tracker.update(e)
    await store.save(tracker)
    return tracker


def state(tracker):
    return (
        tracker.current_slot_values(),
        tracker.active_loop_name,
        tracker.latest_message.text,
        [e.as_dict() for e in tracker.events],
    )


def test_conversation_restored_after_restart_with_form_state_and_slots(tmp_path, domain):
    windowed, rasa = stores(tmp_path, domain)
    first = windowed()
    saved = run(play(first, "whatsapp:+573001112233", domain, 3, start_session=True))

    restarted = windowed()  # a new process: nothing cached
    restored = run(restarted.retrieve("whatsapp:+573001112233"))
    assert restored is not None
    assert restored.active_loop_name == "pqr_form"
    assert restored.get_slot("nombre") == "Ana López"
    assert restored.get_slot("requested_slot") == "numero_documento"
    assert restored.latest_message.text == "mensaje 2"
    assert state(restored) == state(saved)
    # exactly what Rasa's own SQL store gives for the same rows
    assert state(restored) == state(run(rasa().retrieve("whatsapp:+573001112233")))


def test_only_the_latest_session_like_rasa(tmp_path, domain):
    windowed, rasa = stores(tmp_path, domain)
    store = windowed()
    run(play(store, "ana", domain, 2, start_session=True))
    time.sleep(0.01)
    tracker = run(store.retrieve("ana"))
    tracker.update_with_events(session_start_events(), domain, override_timestamp=False)
    tracker.update(SlotSet("motivo", "factura alta"))
    run(store.save(tracker))
    ours = run(store.retrieve("ana"))
    theirs = run(rasa().retrieve("ana"))
    assert state(ours) == state(theirs)
    assert not [e for e in ours.events if isinstance(e, UserUttered)], "the old session's messages are gone"
    assert state(run(windowed().retrieve("ana"))) == state(theirs)


def test_a_message_costs_the_same_however_long_the_history(tmp_path, domain):
    windowed, _ = stores(tmp_path, domain)
    store = windowed()
    run(play(store, "long", domain, 40, start_session=True))
    run(store.retrieve("long"))
    before = store.rows_read
    for _ in range(5):
        tracker = run(store.retrieve("long"))
        for e in turn_events(99):
            tracker.update(e)
        run(store.save(tracker))
    assert store.rows_read == before, "no stored row is read again once the window is cached"
    assert len(run(windowed().retrieve("long")).events) == len(tracker.events)


def test_rows_written_by_another_worker_are_picked_up(tmp_path, domain):
    windowed, rasa = stores(tmp_path, domain)
    a, b = windowed(), windowed()
    run(play(a, "shared", domain, 1, start_session=True))
    tracker = run(b.retrieve("shared"))
    tracker.update(SlotSet("contrato", "12345678"))
    run(b.save(tracker))  # another worker answered the next message
    seen_by_a = run(a.retrieve("shared"))
    assert seen_by_a.get_slot("contrato") == "12345678"
    tracker = run(a.retrieve("shared"))
    tracker.update(SlotSet("monto", 350000.0))
    run(a.save(tracker))
    assert state(run(rasa().retrieve("shared"))) == state(run(a.retrieve("shared")))
    assert len(run(rasa().retrieve("shared")).events) == len(tracker.events), "no event stored twice"


def test_a_save_of_hundreds_of_events_keeps_their_order_and_ids(tmp_path, domain):
    """SQLite stores a turn's events in multi-row INSERTs of 100 and takes their ids from the
    last one: a wrong id would make the window read a row twice or miss another worker's."""
    windowed, rasa = stores(tmp_path, domain)
    a, b = windowed(), windowed()
    saved = run(play(a, "long", domain, 40, start_session=True))  # 244 events: three INSERTs
    tracker = run(b.retrieve("long"))
    tracker.update(SlotSet("contrato", "12345678"))
    run(b.save(tracker))  # another worker's row right after them
    seen_by_a = run(a.retrieve("long"))
    assert len(seen_by_a.events) == len(saved.events) + 1
    assert seen_by_a.get_slot("contrato") == "12345678"
    assert state(seen_by_a) == state(run(rasa().retrieve("long"))) == state(run(windowed().retrieve("long")))


class RecordingBroker:
    def __init__(self):
        self.published = []

    def publish(self, event):
        self.published.append(event)


def test_event_broker_gets_every_event_once(tmp_path, domain):
    broker = RecordingBroker()
    windowed, _ = stores(tmp_path, domain, broker)
    store = windowed()
    tracker = run(play(store, "broker", domain, 2, start_session=True))
    tracker = run(store.retrieve("broker"))
    tracker.update(user("otro mensaje"))
    run(store.save(tracker))
    assert [e["event"] for e in broker.published] == [e.as_dict()["event"] for e in tracker.events]
    assert all(e["sender_id"] == "broker" for e in broker.published)
    assert broker.published[-1]["text"] == "otro mensaje"


def test_sqlite_tracker_runs_in_wal_mode(tmp_path, domain):
    windowed, _ = stores(tmp_path, domain)
    store = windowed()
    run(play(store, "wal", domain, 1, start_session=True))
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
