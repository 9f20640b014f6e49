"""The rasa-sdk actions with the in-memory CRM: trackers in, events and messages out."""

from __future__ import annotations

import time
from typing import List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.asks import question
from actions.control import ActionCancelar
from actions.deps import Deps
from actions.filing import ActionCerrarSolicitud
from actions.form import ValidatePqrForm
from actions.intake import INTAKE_SLOTS
from crm_adapter.models import Evidencia
from tests.fakes.hooks import RecordingHooks


def tracker(
    slots: dict,
    text: Optional[str] = None,
    *,
    channel="rest",
    metadata=None,
    fresh=True,
    active=True,
    sender="conv-1",
    intent="informar",
    confidence=0.9,
    entities=(),
) -> Tracker:
    events: List[dict] = [{"event": "action", "name": "action_listen", "timestamp": time.time()}]
    latest = {}
    if text is not None:
        latest = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": list(entities)}
        events.append(
            {
                "event": "user",
                "text": text,
                "timestamp": time.time(),
                "input_channel": channel,
                "metadata": metadata or {},
                "parse_data": latest,
            }
        )
    if not fresh:
        events.append({"event": "bot", "text": "¡Hola de nuevo!", "timestamp": time.time()})
    events.append({"event": "action", "name": "pqr_form", "timestamp": time.time()})
    all_slots = {name: None for name in INTAKE_SLOTS}
    all_slots.update(slots)
    return Tracker(
        sender, all_slots, latest, events, False, None, {"name": "pqr_form"} if active else {}, "action_listen"
    )


@pytest.fixture
def deps(store, settings):
    return Deps(
        store=store,
        hooks=RecordingHooks(),
        settings=settings,
        media_for=lambda cid: [Evidencia("adjunto", "factura.jpg", url="https://media/1", content_type="image/jpeg")],
    )


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def test_form_reads_data_and_asks_next(deps):
    d = CollectingDispatcher()
    t = tracker(
        {"consentimiento": "si", "motivo": "factura alta", "requested_slot": "nombre"},
        "me llamo Ana Lopez, cc 43512876",
    )
    events = await ValidatePqrForm(deps).run(d, t, {})
    slots = slot_events(events)
    assert slots["nombre"] == "Ana Lopez" and slots["numero_documento"] == "43512876"
    assert slots["requested_slot"] == "contrato"
    # the next question comes in the same call (no action_ask_contrato round trip), last
    assert d.messages[-1]["text"] == question("contrato", t, events)
    assert "contrato" in d.messages[-1]["text"].lower()
    assert ("data_requested", "conv-1", "contrato") in deps.hooks.calls
    assert ("customer_replied", "conv-1") in deps.hooks.calls


async def test_a_reply_counts_even_when_the_turn_fails(deps, monkeypatch):
    """The next-day closing is cancelled for a customer who answered, whatever happened next."""

    def broken(numero):
        raise RuntimeError("billing read failed")

    monkeypatch.setattr(deps.store, "get_contrato", broken)
    t = tracker({"consentimiento": "si", "motivo": "factura alta", "requested_slot": "contrato"}, "contrato 12345678")
    with pytest.raises(RuntimeError):
        await ValidatePqrForm(deps).run(CollectingDispatcher(), t, {})
    assert deps.hooks.calls == [("customer_replied", "conv-1")]


async def test_form_rejects_nothing_it_understood_so_rules_can_answer(deps):
    t = tracker(
        {"consentimiento": "si", "motivo": "x", "intake_id": "i", "politica_url": "u", "requested_slot": "nombre"},
        "hola",
        intent="saludo",
    )
    events = await ValidatePqrForm(deps).run(CollectingDispatcher(), t, {})
    assert [e for e in events if e["name"] != "requested_slot"] == []


async def test_form_resuming_after_an_interruption_reads_nothing_again(deps):
    t = tracker(
        {"consentimiento": "si", "motivo": "x", "intake_id": "i", "politica_url": "u", "requested_slot": "nombre"},
        "Ana Lopez",
        fresh=False,
    )
    d = CollectingDispatcher()
    events = await ValidatePqrForm(deps).run(d, t, {})
    slots = slot_events(events)
    assert "nombre" not in slots and slots["requested_slot"] == "nombre"
    assert [m["text"] for m in d.messages] == [question("nombre", t, [])]  # the question again


async def test_invalid_answer_gets_a_spanish_hint(deps):
    d = CollectingDispatcher()
    t = tracker({"consentimiento": "si", "motivo": "x", "nombre": "Ana", "requested_slot": "numero_documento"}, "12")
    await ValidatePqrForm(deps).run(d, t, {})
    assert any("dígitos" in m["text"] for m in d.messages)


def full_slots(**kw):
    slots = {
        "consentimiento": "si",
        "motivo": "Me llegó muy cara la factura",
        "tipo_reclamo": "factura",
        "monto": 350000.0,
        "nombre": "Carlos Restrepo",
        "tipo_documento": "CC",
        "numero_documento": "1017234567",
        "contrato": "12345678",
        "direccion": "Calle 10 # 43-25, Medellín",
        "notif_correo": "c@x.co",
        "confirmacion": "si",
        "intake_id": "abc",
    }
    slots.update(kw)
    return slots


async def test_filing_opens_the_pqr_and_tells_the_customer(deps, store):
    d = CollectingDispatcher()
    t = tracker(full_slots(), "si", channel="whatsapp", active=False)
    events = await ActionCerrarSolicitud(deps).run(d, t, {})
    [pqr] = store.list_pqrs()
    assert pqr.canal == "WhatsApp" and pqr.contrato == "12345678"
    assert "$350.000" in pqr.motivo_detalle and "Me llegó muy cara la factura" in pqr.motivo_detalle
    text = d.messages[0]["text"]
    assert pqr.numero in text and "c@x.co" in text and pqr.motivo_detalle in text
    kinds = [e.tipo for e in pqr.evidencias]
    assert kinds == ["transcripcion", "adjunto", "constancia"]  # the worker process draws the chat image
    assert "15 días hábiles" in text and pqr.fecha_limite_respuesta is not None
    assert pqr.evidencias[2].contenido == text  # the constancia: exactly what the customer was told
    assert all(e["value"] is None for e in events if e["event"] == "slot")  # intake reset
    assert ("intake_finished", "conv-1", "radicada") in deps.hooks.calls


async def test_retried_filing_does_not_duplicate(deps, store):
    for _ in range(2):
        await ActionCerrarSolicitud(deps).run(CollectingDispatcher(), tracker(full_slots(), "si", active=False), {})
    assert len(store.list_pqrs()) == 1


async def test_meta_channel_metadata_decides_instagram(deps, store):
    t = tracker(full_slots(), "si", channel="meta", metadata={"canal": "Instagram"}, active=False)
    await ActionCerrarSolicitud(deps).run(CollectingDispatcher(), t, {})
    assert store.list_pqrs()[0].canal == "Instagram"


async def test_redirection_is_recorded_and_explained(deps, store):
    d = CollectingDispatcher()
    t = tracker(
        full_slots(contrato="77701", orientacion="persona_juridica", orientacion_razon="NIT 900"),
        "contrato 77701",
        channel="telegram",
        active=False,
    )
    await ActionCerrarSolicitud(deps).run(d, t, {})
    assert store.list_pqrs() == []
    [o] = store.list_orientaciones()
    assert (o.regla, o.canal, o.contrato, o.razon) == ("persona_juridica", "Telegram", "77701", "NIT 900")
    assert "Panadería El Trigal" in d.messages[0]["text"]


async def test_crm_failure_keeps_the_reclamo_in_the_outbox_and_tells_the_customer(deps, store, monkeypatch):
    from bot.outbox import Outbox

    def boom(_):
        raise RuntimeError("CRM down")

    monkeypatch.setattr(store, "create_pqr", boom)
    d = CollectingDispatcher()
    t = tracker(full_slots(), "si", channel="whatsapp", active=False, sender="whatsapp:+573001234567")
    events = await ActionCerrarSolicitud(deps).run(d, t, {})
    text = d.messages[0]["text"]
    assert "Recibí tu reclamo" in text and "por este mismo canal" in text
    assert all(e["value"] is None for e in events if e["event"] == "slot")  # the intake is over
    box = Outbox(deps.settings.outbox_path)
    [entry] = box.open_entries()
    assert entry.conversation_id == "whatsapp:+573001234567"
    assert entry.solicitud.nombre == full_slots()["nombre"] and entry.solicitud.canal == "WhatsApp"
    assert oct(deps.settings.outbox_path.stat().st_mode & 0o777) == "0o600"


async def test_contract_lookup_failure_does_not_lose_the_reclamo(deps, store, monkeypatch):
    def boom(*_):
        raise RuntimeError("CRM down")

    monkeypatch.setattr(store, "get_contrato", boom)
    monkeypatch.setattr(store, "create_pqr", boom)
    d = CollectingDispatcher()
    await ActionCerrarSolicitud(deps).run(d, tracker(full_slots(), "si", sender="rest:ana", active=False), {})
    assert "Recibí tu reclamo" in d.messages[0]["text"] and "número de mi reclamo" in d.messages[0]["text"]


async def test_cancel_resets_the_intake(deps):
    d = CollectingDispatcher()
    events = await ActionCancelar(deps).run(d, tracker(full_slots(confirmacion=None), "cancelar"), {})
    assert "cancelé" in d.messages[0]["text"]
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert ("intake_finished", "conv-1", "cancelada") in deps.hooks.calls


async def test_read_back_lists_every_datum(deps):
    text = question("confirmacion", tracker(full_slots(confirmacion=None)), [])
    for piece in ("Carlos Restrepo", "CC 1017234567", "12345678", "Me llegó muy cara", "$350.000", "c@x.co", "sí"):
        assert piece in text


async def test_document_question_uses_the_first_name(deps):
    assert question("numero_documento", tracker({"nombre": "Ana Lopez"}), []).startswith("Gracias, Ana.")


async def test_consent_notice_is_given_in_full_once_then_short(deps):
    t = tracker({"politica_url": "https://x/politica"})
    full = question("consentimiento", t, [])
    assert "Ley 1581" in full and "https://x/politica" in full
    t.events.append({"event": "bot", "text": full})
    short = question("consentimiento", t, [])
    assert "Ley 1581" not in short and "sí" in short
    # a new intake starting in this very turn gets the full notice again
    assert "Ley 1581" in question("consentimiento", t, [{"event": "slot", "name": "intake_id", "value": "new"}])


async def test_after_the_next_day_closing_the_next_message_starts_afresh(deps):
    deps.hooks.closed.add("conv-1")
    t = tracker(
        {
            "consentimiento": "si",
            "motivo": "vieja",
            "nombre": "Ana",
            "intake_id": "old",
            "requested_slot": "numero_documento",
        },
        "hola, me llego cara la factura",
    )
    events = await ValidatePqrForm(deps).run(CollectingDispatcher(), t, {})
    final = {}
    for e in events:
        if e["event"] == "slot":
            final[e["name"]] = e["value"]
    assert final["nombre"] is None and final["consentimiento"] is None
    assert final["intake_id"] not in (None, "old")
    assert final["requested_slot"] == "consentimiento"
    assert ("reopen", "conv-1") in deps.hooks.calls


async def test_the_customers_words_beat_a_partial_person_entity(deps):
    t = tracker(
        {"consentimiento": "si", "motivo": "x", "requested_slot": "nombre"},
        "Andrés Felipe Zapata Londoño",
        entities=[{"entity": "PER", "value": "Felipe Zapata Londoño"}],
    )
    events = await ValidatePqrForm(deps).run(CollectingDispatcher(), t, {})
    assert slot_events(events)["nombre"] == "Andrés Felipe Zapata Londoño"


async def test_crm_failure_log_does_not_show_the_phone(deps, store, monkeypatch, caplog):
    def boom(_):
        raise RuntimeError("CRM down")

    monkeypatch.setattr(store, "create_pqr", boom)
    t = tracker(full_slots(), "si", channel="whatsapp", active=False, sender="whatsapp:+573001234567")
    await ActionCerrarSolicitud(deps).run(CollectingDispatcher(), t, {})
    assert "CRM unavailable" in caplog.text
    assert "3001234567" not in caplog.text


async def test_the_pqr_number_is_repeated_on_request(deps, store):
    from actions.control import ActionNumeroPqr

    d = CollectingDispatcher()
    await ActionNumeroPqr(deps).run(d, tracker({}, "cual era el numero?"), {})
    assert "Todavía no tienes" in d.messages[0]["text"]
    await ActionCerrarSolicitud(deps).run(CollectingDispatcher(), tracker(full_slots(), "si", active=False), {})
    d = CollectingDispatcher()
    await ActionNumeroPqr(deps).run(d, tracker({}, "cual era el numero?"), {})
    [pqr] = store.find_pqrs_by_conversation("conv-1")
    assert pqr.numero in d.messages[0]["text"] and "c@x.co" in d.messages[0]["text"]


async def test_a_rest_client_naming_a_whatsapp_conversation_reads_nothing_of_it(deps, store):
    from actions.control import ActionNumeroPqr

    wa = tracker(full_slots(), "si", channel="whatsapp", active=False, sender="whatsapp:+573001234567")
    await ActionCerrarSolicitud(deps).run(CollectingDispatcher(), wa, {})
    d = CollectingDispatcher()
    await ActionNumeroPqr(deps).run(d, tracker({}, "cual era el numero?", sender="rest:whatsapp:+573001234567"), {})
    assert "Todavía no tienes" in d.messages[0]["text"]
    d = CollectingDispatcher()
    await ActionNumeroPqr(deps).run(
        d, tracker({}, "cual era el numero?", channel="whatsapp", sender="whatsapp:+573001234567"), {}
    )
    assert store.list_pqrs()[0].numero in d.messages[0]["text"]


async def test_rest_pqr_shows_the_id_the_client_used_and_metadata_cannot_choose_the_canal(deps, store):
    t = tracker(full_slots(), "si", channel="rest", metadata={"canal": "WhatsApp"}, sender="rest:ana-1", active=False)
    await ActionCerrarSolicitud(deps).run(CollectingDispatcher(), t, {})
    [pqr] = store.list_pqrs()
    assert pqr.conversation_id == "ana-1" and pqr.canal == "Chat EPM"


def test_the_intake_is_reset_with_one_event_per_filled_slot():
    from actions.filing import reset_intake

    t = tracker({"nombre": "Ana", "contrato": "12345678", "requested_slot": "confirmacion"}, "si")
    assert slot_events(reset_intake(t)) == {"nombre": None, "contrato": None, "requested_slot": None}
