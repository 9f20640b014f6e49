"""The deadline and personal-data actions, and the filing evidence (chat image), on the in-memory
CRM; the NLU signals that route any wording to them."""

from __future__ import annotations

import base64
import io
import json
import time
from datetime import timedelta

import pytest
from PIL import Image
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.deps import Deps
from actions.filing import ActionCerrarSolicitud
from actions.procedure import ActionDerechosDatos, ActionPlazoRespuesta
from bot.datarights import schema as d
from bot.datarights.service import engine_for
from bot.events.store import EventStore
from bot.evidence import backfill
from bot.schema import upgrade_all
from core.clock import utcnow
from crm_adapter.db import make_engine
from crm_adapter.deadline import fecha_en_texto
from nlu.components.data_signals import corrected_intent
from tests.actions.test_actions import full_slots, tracker
from tests.fakes.hooks import RecordingHooks
from textkit.procedure import (
    ACTUALIZACION,
    CONSULTA,
    SUPRESION,
    asks_about_personal_data,
    asks_for_deadline,
    data_request_kind,
)


@pytest.fixture
def deps(store, settings):
    return Deps(store=store, hooks=RecordingHooks(), settings=settings)


@pytest.mark.parametrize(
    "text",
    [
        "¿en cuánto me responden?",
        "¿cuánto se demoran?",
        "cuando me contestan",
        "y cuánto se demoran en responder mi reclamo?",
        "qué plazo tienen para responderme",
        "en cuantos dias me dan respuesta",
        "hasta cuándo tienen para darme respuesta",
    ],
)
def test_any_wording_of_the_deadline_question_is_routed(text):
    assert asks_for_deadline(text)
    assert corrected_intent(text, "reclamo_factura", 0.9) == "consultar_plazo"


@pytest.mark.parametrize(
    "text",
    [
        "cuanto me cobraron",
        "me cobraron 300 mil y cuando llamé no me contestan",
        "hola",
        "me llegó muy alta la factura",
    ],
)
def test_complaints_are_not_deadline_questions(text):
    assert not asks_for_deadline(text)


@pytest.mark.parametrize(
    "text,kind",
    [
        ("¿qué datos tienen de mí?", CONSULTA),
        ("quiero que borren mis datos", SUPRESION),
        ("actualizar mis datos personales", ACTUALIZACION),
        ("eliminen mi información", SUPRESION),
        ("quiero saber qué información personal tienen", CONSULTA),
    ],
)
def test_personal_data_requests_are_routed(text, kind):
    assert asks_about_personal_data(text) and data_request_kind(text) == kind
    assert corrected_intent(text, "fuera_de_alcance", 0.6) == "derechos_datos"


def test_the_authorisation_answer_is_not_a_data_request():
    assert not asks_about_personal_data("sí, autorizo el tratamiento de mis datos")
    assert not asks_about_personal_data("ya te di mis datos")


async def test_filing_answers_first_and_the_worker_draws_the_chat_image_ending_with_the_answer(
    deps, store, tmp_path, monkeypatch
):
    dispatcher = CollectingDispatcher()
    t = tracker(full_slots(), "si", channel="telegram", active=False)
    await ActionCerrarSolicitud(deps).run(dispatcher, t, {})
    [pqr] = store.list_pqrs()
    answer = dispatcher.messages[0]["text"]
    assert "15 días hábiles" in answer and fecha_en_texto(pqr.fecha_limite_respuesta) in answer
    assert [e.tipo for e in pqr.evidencias] == ["transcripcion", "constancia"]  # no image drawn in the turn

    # The console's event writer stores the conversation; the worker draws the image from it.
    engine = make_engine(f"sqlite:///{tmp_path / 'events.db'}")
    upgrade_all(engine)
    events = EventStore(engine)
    now = time.time()
    for kind, text, seconds in (("user", "me llegó muy cara la factura", 0), ("bot", answer, 1)):
        events.add_event({"event": kind, "sender_id": pqr.conversation_id, "text": text, "timestamp": now + seconds})
    drawn = []
    real = backfill.chat_image_evidencias
    monkeypatch.setattr(backfill, "chat_image_evidencias", lambda m, *a: drawn.append(m) or real(m, *a))
    assert backfill.backfill_chat_images(store, events, utcnow() + timedelta(seconds=5)) == 1
    assert drawn[0][-1].text == answer  # the image ends with the answer the customer got
    pqr = store.get_pqr(pqr.numero)
    assert [e.tipo for e in pqr.evidencias][-1] == "imagen_chat"
    [image] = [e for e in pqr.evidencias if e.content_type == "image/png"]
    png = Image.open(io.BytesIO(base64.b64decode(image.contenido)))
    assert png.format == "PNG" and png.width >= 300
    [listed] = [e for e in pqr.to_json()["evidencias"] if e["content_type"] == "image/png"]
    assert listed["nombre"] == "conversacion.png"
    engine.dispose()


async def test_the_deadline_of_the_last_pqr_is_told(deps, store):
    await ActionCerrarSolicitud(deps).run(CollectingDispatcher(), tracker(full_slots(), "si", active=False), {})
    [pqr] = store.list_pqrs()
    dispatcher = CollectingDispatcher()
    await ActionPlazoRespuesta(deps).run(dispatcher, tracker({}, "¿en cuánto me responden?"), {})
    text = dispatcher.messages[0]["text"]
    assert "15 días hábiles" in text and pqr.numero in text
    assert fecha_en_texto(pqr.fecha_limite_respuesta) in text


async def test_without_a_pqr_the_rule_is_told(deps):
    dispatcher = CollectingDispatcher()
    await ActionPlazoRespuesta(deps).run(dispatcher, tracker({}, "cuanto se demoran", sender="otra"), {})
    text = dispatcher.messages[0]["text"]
    assert "15 días hábiles" in text and "Si lo radicas hoy" in text


async def test_a_data_request_is_recorded_and_reveals_nothing_held_under_a_document(deps, store, settings):
    # someone else's PQR under document 1036654321 (Juan Pérez, juan@example.com)
    await ActionCerrarSolicitud(deps).run(
        CollectingDispatcher(),
        tracker(
            full_slots(numero_documento="1036654321", nombre="Juan Pérez", notif_correo="juan@example.com"),
            "si",
            active=False,
            sender="juan",
        ),
        {},
    )
    dispatcher = CollectingDispatcher()
    t = tracker({}, "quiero saber qué datos tienen de mí, cc 1036654321", sender="intruso")
    await ActionDerechosDatos(deps).run(dispatcher, t, {})
    text = dispatcher.messages[0]["text"]
    assert "HD-" in text and "consulta" in text
    assert "juan@example.com" not in text and "1036654321" not in text and "Juan" not in text
    assert "terminado en 21" in text and "j***@e***" in text  # masked: where the answer goes
    assert "registro público" in text
    with engine_for(settings.database_url).connect() as conn:
        [row] = conn.execute(select(d.requests)).all()
    assert (row.tipo, row.numero_documento, row.conversation_id, row.estado) == (
        "consulta",
        "1036654321",
        "intruso",
        "recibida",
    )


async def test_a_deletion_request_without_document_asks_for_it(deps, settings):
    dispatcher = CollectingDispatcher()
    t = tracker({"nombre": "Ana López", "notif_correo": "ana@gmail.com"}, "borren mis datos", sender="ana")
    await ActionDerechosDatos(deps).run(dispatcher, t, {})
    text = dispatcher.messages[0]["text"]
    assert "supresión" in text and "tipo y número de documento" in text
    assert "a***@g***" in text and "ana@gmail.com" not in text  # this chat's own data, masked
    with engine_for(settings.database_url).connect() as conn:
        [row] = conn.execute(select(d.requests)).all()
    assert row.tipo == "supresion" and row.numero_documento is None and json.dumps(row.texto)


def test_what_the_data_are_for_is_left_to_the_consent_explanation():
    assert not asks_about_personal_data("¿para qué usan mis datos?")
    assert not asks_about_personal_data("que hacen con mis datos personales")
