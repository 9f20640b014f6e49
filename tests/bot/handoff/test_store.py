"""Hand-over states in the database, on SQLite and PostgreSQL: the race is decided there."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from bot.handoff.hours import AttentionHours, describe_opening
from bot.handoff.store import HandoffConflict, HandoffStore
from bot.handoff.window import window_status
from bot.schema import upgrade_all
from crm_adapter.db import make_engine


@pytest.fixture
def store(db_url):  # noqa: F811
    engine = make_engine(db_url)
    upgrade_all(engine)
    yield HandoffStore(engine)
    engine.dispose()


def test_request_take_release_cycle(store):
    assert store.state_of("c1") == "bot"
    h = store.request_agent(
        "c1", "cliente_pidio_asesor", input_channel="whatsapp", canal="WhatsApp", data={"nombre": "Ana"}
    )
    assert h.state == "waiting" and h.waiting_since and h.data == {"nombre": "Ana"}
    h = store.take("c1", "ana@x")
    assert h.state == "agent" and h.assigned_to == "ana@x" and store.is_held("c1")
    # Asking again while a person holds it changes nothing.
    assert store.request_agent("c1", "no_entendido_dos_veces").state == "agent"
    with pytest.raises(HandoffConflict):
        store.take("c1", "beto@x")
    with pytest.raises(HandoffConflict):
        store.release("c1", "beto@x", resume=True)
    assert store.release("c1", "ana@x", resume=True).state == "bot"
    assert [t["to_state"] for t in store.transitions()] == ["waiting", "agent", "bot"]


def test_two_agents_at_once_exactly_one_wins(store):
    store.request_agent("race", "cliente_pidio_asesor")
    for round_ in range(5):
        cid = f"race-{round_}"
        store.request_agent(cid, "cliente_pidio_asesor")
        barrier, wins, losses = threading.Barrier(2), [], []

        def take(agent, cid=cid, barrier=barrier, wins=wins, losses=losses):
            barrier.wait()
            try:
                wins.append(store.take(cid, agent).assigned_to)
            except HandoffConflict as exc:
                losses.append(exc.holder)

        threads = [threading.Thread(target=take, args=(a,)) for a in ("ana@x", "beto@x")]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert len(wins) == 1 and losses == wins, (wins, losses)


def test_transfer_only_by_the_holder_unless_forced(store):
    store.take("c2", "ana@x")
    with pytest.raises(HandoffConflict):
        store.transfer("c2", "beto@x", "carla@x")
    assert store.transfer("c2", "ana@x", "beto@x").assigned_to == "beto@x"
    assert store.transfer("c2", "admin@x", "ana@x", force=True).assigned_to == "ana@x"


def test_timeout_notice_is_given_once_per_wait(store):
    store.request_agent("c3", "cliente_pidio_asesor")
    assert store.mark_timeout_notified("c3") is True
    assert store.mark_timeout_notified("c3") is False


def test_attention_hours_in_bogota_with_holidays():
    hours = AttentionHours.parse("mon-fri 07:00-19:00, sat 08:00-12:00")
    monday_10_bogota = datetime(2026, 11, 30, 15, 0, tzinfo=timezone.utc)
    assert hours.is_open(monday_10_bogota)
    assert not hours.is_open(datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc))  # Monday 21:00 Bogotá
    assert not hours.is_open(datetime(2026, 12, 8, 15, 0, tzinfo=timezone.utc))  # Inmaculada Concepción
    sunday = datetime(2026, 12, 6, 15, 0, tzinfo=timezone.utc)
    opening = hours.next_opening(sunday)
    assert describe_opening(opening, sunday) == "mañana a las 7:00"
    assert AttentionHours.parse("always").is_open(sunday)
    with pytest.raises(ValueError):
        AttentionHours.parse("todos los días")


def test_window_text_per_channel():
    now = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
    wa = window_status("WhatsApp", "whatsapp", now - timedelta(hours=21), now)
    assert wa.open and wa.text == "WhatsApp: quedan 3 h de la ventana de 24 h; después solo la plantilla aprobada."
    closed = window_status("WhatsApp", "whatsapp", now - timedelta(hours=25), now)
    assert not closed.open and closed.template and "plantilla aprobada" in closed.text
    fb = window_status("Facebook", "meta", now - timedelta(hours=30), now)
    assert not fb.open and not fb.template
    assert window_status("Telegram", "telegram", now - timedelta(days=9), now).open
    web = window_status("Chat EPM", "rest", None, now)
    assert web.open and not web.proactive


def test_rasa_control_posts_pause_to_the_conversation_path_rasa_matches():
    import asyncio
    import json

    import httpx

    from bot.handoff.rasa_api import RasaControl

    seen = []

    def handler(request):
        seen.append((request.url.raw_path.decode(), request.url.params.get("token"), json.loads(request.content)))
        return httpx.Response(200, json={})

    rasa = RasaControl("http://127.0.0.1:5005", "tok", transport=httpx.MockTransport(handler))
    assert asyncio.run(rasa.pause("whatsapp:+573001112233"))
    assert asyncio.run(rasa.resume("web:ana-1", close_intake=True))
    assert seen[0][:2] == ("/conversations/whatsapp:+573001112233/tracker/events?token=tok", "tok")
    assert seen[0][2] == [{"event": "pause"}]
    assert seen[1][2][:2] == [{"event": "resume"}, {"event": "active_loop", "name": None}]
    assert {"event": "slot", "name": "nombre", "value": None} in seen[1][2]
