"""The assistant hands over: the customer asks for a person, or is misunderstood twice in a row."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.control import ActionNoEntendi
from actions.deps import Deps
from actions.handoff import ActionPedirAsesor, hand_over, misunderstood_twice
from bot.handoff.store import HandoffStore
from bot.schema import upgrade_all
from crm_adapter.db import make_engine
from tests.fakes.hooks import RecordingHooks


@pytest.fixture
def handoffs(tmp_path, monkeypatch):
    engine = make_engine(f"sqlite:///{tmp_path / 'pqrbot.db'}")
    upgrade_all(engine)
    store = HandoffStore(engine)
    from bot import bootstrap
    from bot.config import load_settings

    bootstrap.override(settings_=load_settings({"PQRBOT_DATA_DIR": str(tmp_path)}), engine=engine, handoff=store)
    yield store
    bootstrap.reset()


def tracker(events, slots=None, sender="whatsapp:+573001112233"):
    return Tracker(sender, slots or {}, {"intent": {"name": "pedir_asesor"}}, events, False, None, {}, "action_listen")


def user(text, intent="pedir_asesor"):
    return {"event": "user", "text": text, "input_channel": "whatsapp", "parse_data": {"intent": {"name": intent}}}


def run(action, t, deps):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return [m.get("text") or m.get("response") for m in dispatcher.messages], events


def test_asking_for_a_person_queues_the_conversation_with_the_data_so_far(handoffs, store, settings):
    deps = Deps(store=store, hooks=RecordingHooks(), settings=settings)
    import dataclasses

    deps.settings = dataclasses.replace(settings, attention_hours="always", handoff_expected_wait_seconds=300)
    texts, _ = run(
        ActionPedirAsesor(deps),
        tracker([user("quiero hablar con un asesor")], {"nombre": "Ana Pérez", "contrato": "12345678"}),
        deps,
    )
    assert "persona del equipo" in texts[0] and "5 minutos" in texts[0] and "44 44 115" in texts[0]
    h = handoffs.get("whatsapp:+573001112233")
    assert h.state == "waiting" and h.reason == "cliente_pidio_asesor" and h.canal == "WhatsApp"
    assert h.data == {"nombre": "Ana Pérez", "contrato": "12345678"}


def test_outside_hours_the_customer_is_told_when_people_are_back(handoffs, settings):
    t = tracker([user("quiero hablar con una persona")])
    dispatcher = CollectingDispatcher()
    import dataclasses

    s = dataclasses.replace(settings, attention_hours="mon-fri 07:00-19:00")
    sunday = datetime(2026, 12, 6, 15, 0, tzinfo=timezone.utc)
    assert hand_over(dispatcher, t, s, "cliente_pidio_asesor", now=sunday)
    text = dispatcher.messages[0]["text"]
    assert "no hay personas del equipo en línea" in text and "mañana a las 7:00" in text
    assert handoffs.get("whatsapp:+573001112233").outside_hours


def test_insisting_after_an_orientacion_is_its_own_reason(handoffs, store, settings):
    deps = Deps(store=store, hooks=RecordingHooks(), settings=settings)
    events = [{"event": "slot", "name": "orientacion", "value": "persona_juridica"}, user("quiero un asesor")]
    run(ActionPedirAsesor(deps), tracker(events), deps)
    assert handoffs.get("whatsapp:+573001112233").reason == "insiste_tras_orientacion"


def test_second_misunderstanding_in_a_row_hands_over(handoffs, store, settings):
    deps = Deps(store=store, hooks=RecordingHooks(), settings=settings)
    first = [user("asdf qwer", "nlu_fallback")]
    assert not misunderstood_twice(tracker(first))
    texts, _ = run(ActionNoEntendi(deps), tracker(first), deps)
    assert handoffs.get("whatsapp:+573001112233") is None
    second = first + [
        {"event": "action", "name": "action_no_entendi"},
        {"event": "user_reverted"},
        user("zzzz xx", "nlu_fallback"),
    ]
    assert misunderstood_twice(tracker(second))
    texts, _ = run(ActionNoEntendi(deps), tracker(second), deps)
    assert handoffs.get("whatsapp:+573001112233").reason == "no_entendido_dos_veces"
    assert any("persona del equipo" in (t or "") or "en línea" in (t or "") for t in texts)
    # Understood in between: no hand-over.
    third = first + [
        {"event": "action", "name": "action_no_entendi"},
        user("me llegó cara la factura", "reclamo_factura"),
        {"event": "action", "name": "pqr_form"},
        user("zzzz", "nlu_fallback"),
    ]
    assert not misunderstood_twice(tracker(third))
