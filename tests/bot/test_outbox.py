"""The filing outbox: kept durably, drained by the worker exactly once, number sent once."""

from __future__ import annotations

import threading

from bot.outbound import ports
from bot.outbox import (
    NOT_NOTIFIED,
    NOTIFIED,
    NUMERO_MARK,
    Outbox,
    OutboxDrainer,
    dump_solicitud,
    file_or_queue,
    load_solicitud,
)
from bot.outbox_worker import run_housekeeping
from crm_adapter.models import Evidencia, MedioNotificacion, SolicitudPQR
from tests.fakes.outbound import FakeOutbound


def solicitud(key="whatsapp:+573001234567:abc", conversation="whatsapp:+573001234567"):
    return SolicitudPQR(
        canal="WhatsApp",
        conversation_id=conversation,
        idempotency_key=key,
        tipo_documento="CC",
        numero_documento="1036654321",
        nombre="Juan Pérez",
        motivo_detalle="Inconformidad.",
        medio_notificacion=MedioNotificacion("correo", "juan@example.com"),
        contrato="12345678",
        evidencias=[Evidencia("transcripcion", "conversacion.txt", "Cliente: hola", content_type="text/plain")],
    )


def test_a_solicitud_survives_the_round_trip():
    s = solicitud()
    assert load_solicitud(dump_solicitud(s)) == s


async def test_what_follows_a_filing_runs_in_its_thread_and_cannot_undo_it(tmp_path, store):
    """The filing action attaches the constancia in the filing's thread (no commit on the event
    loop's thread); if that fails, the PQR stays filed and the customer gets its number."""
    seen = []

    def then(pqr):
        seen.append((pqr.numero, threading.current_thread() is threading.main_thread()))
        raise RuntimeError("evidence table unavailable")

    result = await file_or_queue(
        store.create_pqr,
        solicitud(),
        conversation_id="whatsapp:+573001234567",
        confirmation_template=f"número {NUMERO_MARK}",
        outbox_path=tmp_path / "outbox.db",
        timeout=10,
        then=then,
    )
    assert result.pqr is not None and not result.queued
    assert seen == [(result.pqr.numero, False)]
    assert [p.numero for p in store.list_pqrs()] == [result.pqr.numero]


def test_the_same_intake_is_queued_once(tmp_path):
    box = Outbox(tmp_path / "outbox.db")
    assert box.put("whatsapp:+573001234567", solicitud(), f"número {NUMERO_MARK}")
    assert not box.put("whatsapp:+573001234567", solicitud(), f"número {NUMERO_MARK}")
    assert box.count() == 1


async def test_the_worker_files_the_queued_reclamo_once_and_sends_the_number_once(tmp_path, store, settings):
    box = Outbox(settings.outbox_path)
    box.put("whatsapp:+573001234567", solicitud(), f"Radiqué tu reclamo con el número *{NUMERO_MARK}*.")
    outbound = FakeOutbound()
    rounds = iter(range(3))
    await run_housekeeping(settings, outbound, lambda: next(rounds, None) is None, interval=0.01, store=store)
    [pqr] = store.list_pqrs()
    [sent] = outbound.sent
    assert sent.conversation_id == "whatsapp:+573001234567" and pqr.numero in sent.body
    assert box.get("whatsapp:+573001234567:abc")["status"] == NOTIFIED
    assert await OutboxDrainer(box, store, outbound).drain_once() == 0  # nothing left


async def test_an_outbox_that_cannot_be_opened_at_first_is_retried_not_fatal(tmp_path, store, settings, monkeypatch):
    """Two workers opening one fresh outbox file at once, a full disk...: the next round retries."""
    import bot.outbox

    Outbox(settings.outbox_path).put("whatsapp:+573001234567", solicitud(), f"número *{NUMERO_MARK}*")
    opened = []

    class FlakyOutbox(Outbox):
        def __init__(self, path):
            opened.append(path)
            if len(opened) == 1:
                raise OSError("database is locked")
            super().__init__(path)

    monkeypatch.setattr(bot.outbox, "Outbox", FlakyOutbox)
    outbound = FakeOutbound()
    rounds = iter(range(3))
    await run_housekeeping(settings, outbound, lambda: next(rounds, None) is None, interval=0.01, store=store)
    assert len(opened) == 2
    [pqr] = store.list_pqrs()
    [sent] = outbound.sent
    assert pqr.numero in sent.body


async def test_rest_conversations_get_the_number_on_request_not_by_a_later_message(tmp_path, store):
    box = Outbox(tmp_path / "outbox.db")
    box.put("rest:ana", solicitud("rest:ana:abc", "ana"), f"número {NUMERO_MARK}")
    outbound = FakeOutbound()
    await OutboxDrainer(box, store, outbound).drain_once()
    assert outbound.attempts == [] and len(store.list_pqrs()) == 1
    assert box.get("rest:ana:abc")["status"] == NOT_NOTIFIED


async def test_a_failed_send_is_retried_and_not_duplicated(tmp_path, store):
    box = Outbox(tmp_path / "outbox.db")
    box.put("whatsapp:+573001234567", solicitud(), f"número {NUMERO_MARK}")
    outbound = FakeOutbound()
    outbound.results[ports.KIND_TEXT if hasattr(ports, "KIND_TEXT") else "text"] = ports.FAILED
    drainer = OutboxDrainer(box, store, outbound)
    await drainer.drain_once()
    assert outbound.sent == [] and len(store.list_pqrs()) == 1
    outbound.results.clear()
    await drainer.drain_once()
    await drainer.drain_once()
    assert len(outbound.sent) == 1 and len(store.list_pqrs()) == 1


def test_operations_list_the_outbox_masked(tmp_path, monkeypatch, capsys):
    import json

    from bot import bootstrap, cli
    from bot.config import load_settings

    settings = load_settings({"PQRBOT_DATA_DIR": str(tmp_path)})
    Outbox(settings.outbox_path).put("whatsapp:+573001234567", solicitud(), NUMERO_MARK)
    bootstrap.override(settings_=settings)
    try:
        assert cli.main(["outbox", "--json", "--open"]) == 0
    finally:
        bootstrap.reset()
    [row] = json.loads(capsys.readouterr().out)
    assert row["status"] == "pending" and row["canal"] == "WhatsApp"
    assert "3001234567" not in json.dumps(row) and "Juan" not in json.dumps(row)
