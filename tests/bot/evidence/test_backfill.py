"""The worker's backfill draws the chat image of PQRs filed without one, from the stored messages
of their own part of the conversation, and leaves the others alone."""

from __future__ import annotations

import base64
import io
import time
from datetime import timedelta

import pytest
from PIL import Image

from bot.events.store import EventStore
from bot.evidence import backfill
from bot.evidence.chat_image import ASISTENTE, CLIENTE
from bot.schema import upgrade_all
from core.clock import utcnow
from crm_adapter.db import make_engine
from crm_adapter.models import Evidencia, MedioNotificacion, SolicitudPQR
from crm_adapter.sql import SqlStore


@pytest.fixture()
def stores(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pqrbot.db'}")
    upgrade_all(engine)
    store = SqlStore(engine)
    yield store, EventStore(engine)
    engine.dispose()


def file(store, key: str, conversation_id: str):
    return store.create_pqr(
        SolicitudPQR(
            canal="Chat EPM",
            conversation_id=conversation_id,
            idempotency_key=key,
            tipo_documento="CC",
            numero_documento="1017234567",
            nombre="Carlos Restrepo",
            motivo_detalle="Inconformidad con el valor facturado.",
            medio_notificacion=MedioNotificacion("correo", "c@x.co"),
            contrato="12345678",
            email="c@x.co",
            evidencias=[Evidencia("transcripcion", "conversacion.txt", "Cliente: hola")],
        )
    )


def say(events: EventStore, sender: str, kind: str, text: str, at: float) -> None:
    events.add_event({"event": kind, "sender_id": sender, "text": text, "timestamp": at, "input_channel": "rest"})


def later():
    return utcnow() + timedelta(minutes=10)


def test_a_pqr_without_its_image_gets_one_drawn_from_its_own_messages(stores, monkeypatch):
    store, events = stores
    t = time.time()
    first = file(store, "web:ana:1", "ana")
    say(events, "web:ana", "user", "me llegó cara la factura", t)
    say(events, "web:ana", "bot", f"Listo, tu reclamo es el {first.numero}", t + 1)
    second = file(store, "web:ana:2", "ana")
    say(events, "web:ana", "user", "otro reclamo: el alcantarillado", t + 2)
    say(events, "web:ana", "bot", f"Listo, tu reclamo es el {second.numero}", t + 3)
    say(events, "web:ana", "user", "gracias", t + 4)
    store.add_evidencia(first.numero, Evidencia("imagen_chat", "conversacion.png", "iVBO", None, "image/png"))

    drawn = []
    real = backfill.chat_image_evidencias

    def spy(messages, canal, conversation_id):
        drawn.append([(m.sender, m.text) for m in messages])
        return real(messages, canal, conversation_id)

    monkeypatch.setattr(backfill, "chat_image_evidencias", spy)
    assert backfill.backfill_chat_images(store, events, later()) == 1
    assert drawn == [
        [(CLIENTE, "otro reclamo: el alcantarillado"), (ASISTENTE, f"Listo, tu reclamo es el {second.numero}")]
    ]
    [image] = [e for e in store.get_pqr(second.numero).evidencias if e.tipo == "imagen_chat"]
    assert Image.open(io.BytesIO(base64.b64decode(image.contenido))).format == "PNG"
    assert backfill.backfill_chat_images(store, events, later()) == 0  # done once


def test_young_pqrs_wait_for_their_after_turn_job_and_pqrs_without_messages_are_left(stores):
    store, events = stores
    young = file(store, "rest:bob:1", "bob")
    assert backfill.backfill_chat_images(store, events, utcnow()) == 0  # its turn's job may still run
    assert backfill.backfill_chat_images(store, events, later()) == 0  # no stored messages (erased)
    assert not [e for e in store.get_pqr(young.numero).evidencias if e.tipo == "imagen_chat"]
