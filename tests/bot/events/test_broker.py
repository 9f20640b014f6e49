"""The event broker stores each conversation's turns without making Rasa wait, and calls the sinks."""

from __future__ import annotations

import asyncio
import threading
import time

from rasa.utils.endpoints import EndpointConfig

from bot.events.broker import PqrEventBroker
from bot.events.store import EventStore, row_for
from bot.events.writer import EventWriter
from bot.schema import upgrade_all
from crm_adapter.db import make_engine


def _store(tmp_path) -> EventStore:
    engine = make_engine(f"sqlite:///{tmp_path / 'pqrbot.db'}")
    upgrade_all(engine)
    return EventStore(engine)


USER = {
    "event": "user",
    "sender_id": "web:ana",
    "text": "me llegó cara la factura",
    "timestamp": 1767225600.0,
    "input_channel": "rest",
    "parse_data": {"intent": {"name": "reclamo_factura", "confidence": 0.97}},
    "metadata": {"canal": "Chat EPM"},
}


def test_user_bot_and_slot_events_are_kept_and_bookkeeping_is_not():
    row = row_for(USER)
    assert row["conversation_id"] == "web:ana" and row["kind"] == "user" and row["intent"] == "reclamo_factura"
    assert row["confidence"] == 0.97 and row["at"].year == 2026 and '"canal"' in row["metadata"]
    assert row_for({"event": "action", "sender_id": "x", "name": "action_listen"}) is None
    assert row_for({"event": "slot", "sender_id": "x", "name": "requested_slot", "value": "nombre"}) is None
    assert row_for({"event": "bot", "sender_id": "x", "text": None, "data": {}}) is None
    assert row_for({"event": "user_featurization", "sender_id": "x"}) is None


def test_broker_writes_in_the_background_and_calls_the_sinks(tmp_path):
    store = _store(tmp_path)
    seen = []
    writer = EventWriter(lambda: store, [seen.append])
    broker = PqrEventBroker(writer=writer)
    started = time.perf_counter()
    broker.publish(USER)
    broker.publish({"event": "bot", "sender_id": "web:ana", "text": "¿Autorizas?", "timestamp": 1767225601.0})
    broker.publish(
        {"event": "slot", "sender_id": "web:ana", "name": "nombre", "value": "Ana", "timestamp": 1767225602.0}
    )
    assert time.perf_counter() - started < 0.05  # publish only queues
    writer.flush()
    assert [e.kind for e in store.for_conversation("web:ana")] == ["user", "bot", "slot"]
    assert store.slots("web:ana") == {"nombre": "Ana"}
    assert [e["event"] for e in seen] == ["user", "bot", "slot"]
    asyncio.run(broker.close())


def test_a_failing_sink_does_not_stop_storage_or_other_sinks(tmp_path):
    store = _store(tmp_path)
    seen = []

    def broken(event):
        raise RuntimeError("workbench down")

    writer = EventWriter(lambda: store, [broken, seen.append])
    writer.submit(USER)
    writer.flush()
    assert len(store.for_conversation("web:ana")) == 1 and len(seen) == 1
    writer.close()


def test_a_slow_database_never_blocks_publish(tmp_path):
    store = _store(tmp_path)
    gate = threading.Event()

    class Slow:
        def add_many(self, rows):
            gate.wait(5)
            return store.add_many(rows)

    writer = EventWriter(lambda: Slow(), [])
    started = time.perf_counter()
    for i in range(200):
        writer.submit(dict(USER, timestamp=1767225600.0 + i))
    assert time.perf_counter() - started < 0.5
    gate.set()
    writer.flush()
    assert len(store.for_conversation("web:ana")) == 200
    writer.close()


def test_rasa_builds_the_broker_from_the_endpoint_configuration(tmp_path):
    url = f"sqlite:///{tmp_path / 'pqrbot.db'}"
    config = EndpointConfig.from_dict({"type": "bot.events.broker.PqrEventBroker", "url": url, "sinks": []})
    from rasa.core.brokers.broker import EventBroker

    broker = asyncio.run(EventBroker.create(config))
    assert isinstance(broker, PqrEventBroker)
    broker.publish(USER)
    broker.writer.flush()
    engine = make_engine(url)
    assert EventStore(engine).for_conversation("web:ana")[0].text == "me llegó cara la factura"
    asyncio.run(broker.close())


def test_a_large_batch_is_stored_whole_and_in_order(tmp_path):
    store = _store(tmp_path)
    events = [dict(USER, text=f"mensaje {i}", timestamp=USER["timestamp"] + i) for i in range(250)]
    assert store.add_many([row_for(e) for e in events]) == 250
    assert [e.text for e in store.for_conversation("web:ana")] == [f"mensaje {i}" for i in range(250)]
