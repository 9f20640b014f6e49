"""The worker's backfill draws the chat image of PQRs filed without one, from the stored messages
of their own part of the conversation, and leaves the others alone."""

from __future__ import annotations

import base64
import io
import os
import threading
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


def test_a_pqr_is_drawn_once_its_answer_is_stored_or_after_the_settling_time(stores):
    store, events = stores
    t = time.time()
    soon = utcnow() + timedelta(seconds=5)
    answered = file(store, "web:eva:1", "eva")
    say(events, "web:eva", "user", "me cobraron doble", t)
    assert backfill.backfill_chat_images(store, events, soon) == 0  # its answer is not stored yet
    say(events, "web:eva", "bot", f"Listo, tu reclamo es el {answered.numero}", t + 1)
    assert backfill.backfill_chat_images(store, events, soon) == 1  # drawn at once, with the answer

    unanswered = file(store, "web:leo:1", "leo")  # filed from the outbox: its number comes later
    say(events, "web:leo", "user", "la factura llegó alta", t)
    erased = file(store, "rest:bob:1", "bob")  # no stored messages (erased under Ley 1581)
    assert backfill.backfill_chat_images(store, events, soon) == 0
    assert backfill.backfill_chat_images(store, events, later()) == 1  # drawn with what there is
    assert [e.tipo for e in store.get_pqr(unanswered.numero).evidencias][-1] == "imagen_chat"
    assert not [e for e in store.get_pqr(erased.numero).evidencias if e.tipo == "imagen_chat"]


def test_a_pqr_without_stored_messages_is_logged_once_and_keeps_no_place_of_the_round(stores, caplog):
    store, events = stores
    erased = [file(store, f"rest:gone{i}:1", f"gone{i}") for i in range(3)]  # erased under Ley 1581
    t = time.time()
    kept = file(store, "web:ana:1", "ana")
    say(events, "web:ana", "bot", f"Listo, tu reclamo es el {kept.numero}", t)
    without_messages = set()
    with caplog.at_level("WARNING"):
        assert backfill.backfill_chat_images(store, events, later(), limit=3, without_messages=without_messages) == 0
        assert without_messages == {p.numero for p in erased}
        # the next round: not logged again, and the round's places go to the PQR that can be drawn
        assert backfill.backfill_chat_images(store, events, later(), limit=3, without_messages=without_messages) == 1
    assert sum("no stored messages" in r.getMessage() for r in caplog.records) == 3


def test_the_images_thread_gives_way_to_customer_turns():
    """The worker draws in a thread of the lowest CPU priority; the rest of the process keeps its own."""
    seen = {}

    def lowered():
        seen["ok"] = backfill.lower_this_threads_priority()
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    thread = threading.Thread(target=lowered)
    thread.start()
    thread.join()
    assert seen == {"ok": True, "nice": max(before, backfill.BACKGROUND_NICE)}
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
