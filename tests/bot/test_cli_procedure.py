"""`pqrbot crm evidencias|pqrs --vencen-antes|exporte|exportes` and `pqrbot datos` as staff use them."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import insert, select

from bot import bootstrap, cli
from bot.datarights import schema as d
from bot.events.schema import conversation_events
from bot.outbound import schema as o
from crm_adapter import schema as t
from crm_adapter.models import Evidencia
from tests.conftest import demo_contratos
from tests.pqrs import file_pqr

BOG = ZoneInfo("America/Bogota")


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PQRBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PQRBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'ops.db'}")
    for name in ("PQRBOT_SMTP_URL", "PQRBOT_EXPORT_RECIPIENTS", "PQRBOT_EXPORT_FROM"):
        monkeypatch.delenv(name, raising=False)
    bootstrap.reset()

    def _run(*args):
        code = cli.main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    yield _run
    bootstrap.reset()


@pytest.fixture
def store(run):
    s = bootstrap.services().store
    s.upsert_contratos(demo_contratos())
    return s


def _with_image(store, when):
    import base64

    from bot.evidence.chat_image import CLIENTE, ChatMessage, render_chat

    pqr = file_pqr(store, when)
    [png] = render_chat([ChatMessage(CLIENTE, "hola 👋", when)], canal="WhatsApp")
    store.add_evidencia(
        pqr.numero, Evidencia("imagen_chat", "conversacion.png", base64.b64encode(png).decode(), None, "image/png")
    )
    store.add_evidencia(pqr.numero, Evidencia("adjunto", "factura.jpg", None, "https://media/1", "image/jpeg"))
    return pqr


def test_evidencias_writes_the_image_transcript_and_media_references(run, store, tmp_path):
    pqr = _with_image(store, datetime(2026, 11, 27, 10, tzinfo=BOG))
    out = tmp_path / "ev"
    code, stdout, _ = run("crm", "evidencias", pqr.numero, "--out", str(out))
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["conversacion.png", "conversacion.txt", "medios.txt"]
    assert Image.open(out / "conversacion.png").format == "PNG"
    assert (out / "conversacion.txt").read_text(encoding="utf-8") == "hola"
    assert "https://media/1" in (out / "medios.txt").read_text()
    assert str(out / "conversacion.png") in stdout


def test_evidencias_of_an_unknown_number_fails_clearly(run, store, tmp_path):
    code, _, err = run("crm", "evidencias", "PQR-9999999", "--out", str(tmp_path / "x"))
    assert code != 0 and "no PQR with number 'PQR-9999999'" in err


def test_pqrs_json_has_the_deadline_and_the_image(run, store):
    _with_image(store, datetime(2026, 11, 30, 10, tzinfo=BOG))
    code, out, _ = run("crm", "pqrs", "--json")
    assert code == 0
    [p] = json.loads(out)
    assert p["fecha_limite_respuesta"] == "2026-12-22"
    assert any(e["content_type"] == "image/png" for e in p["evidencias"])


def test_vencen_antes_lists_the_pqrs_due_before_a_day(run, store):
    early = file_pqr(store, datetime(2026, 11, 30, 10, tzinfo=BOG))  # due 2026-12-22
    late = file_pqr(store, datetime(2026, 12, 11, 10, tzinfo=BOG))  # due 2027-01-05
    code, out, _ = run("crm", "pqrs", "--json", "--vencen-antes", "2026-12-23")
    assert code == 0 and [p["numero"] for p in json.loads(out)] == [early.numero]
    code, out, _ = run("crm", "pqrs", "--json", "--vencen-antes", "2026-12-22")
    assert json.loads(out) == []  # strictly before
    code, out, _ = run("crm", "pqrs", "--json", "--vencen-antes", "2027-02-01")
    assert {p["numero"] for p in json.loads(out)} == {early.numero, late.numero}
    with pytest.raises(SystemExit, match="YYYY-MM-DD"):
        run("crm", "pqrs", "--vencen-antes", "mañana")


def test_exporte_writes_the_day_and_enviar_without_smtp_says_what_is_missing(run, store, tmp_path):
    file_pqr(store, datetime(2026, 11, 27, 9, tzinfo=BOG))
    file_pqr(store, datetime(2026, 11, 28, 9, tzinfo=BOG))
    out = tmp_path / "exporte.xlsx"
    code, stdout, _ = run("crm", "exporte", "--fecha", "2026-11-27", "--out", str(out))
    assert code == 0 and "1 PQR" in stdout
    assert load_workbook(out).active.max_row == 2
    code, _, err = run("crm", "exporte", "--fecha", "2026-11-27", "--out", str(out), "--enviar")
    assert code == 2 and "PQRBOT_EXPORT_RECIPIENTS" in err
    code, _, err = run("crm", "exporte", "--fecha", "27/11/2026", "--out", str(out))
    assert code == 2 and "YYYY-MM-DD" in err


def test_exportes_lists_the_runs(run, store):
    from bot.exports.job import ExportRunStore

    ExportRunStore(store.engine).ensure(datetime(2026, 11, 27).date(), datetime.now(timezone.utc))
    code, out, _ = run("crm", "exportes", "--json")
    assert code == 0 and [(r["fecha"], r["status"]) for r in json.loads(out)] == [("2026-11-27", "pending")]


def _outbound(store, conversation_id, body):
    now = datetime.now(timezone.utc)
    with store.engine.begin() as conn:
        conn.execute(
            insert(o.outbound_messages).values(
                conversation_id=conversation_id,
                canal="WhatsApp",
                address="whatsapp:+573001234567",
                kind="text",
                purpose="reply",
                body=body,
                status="sent",
                attempts=1,
                created_at=now,
                updated_at=now,
            )
        )


def test_datos_consultar_and_suprimir_keep_the_pqr_and_consents(run, store):
    from crm_adapter.models import Consentimiento

    pqr = file_pqr(
        store,
        datetime(2026, 11, 27, 9, tzinfo=BOG),
        documento="43512876",
        nombre="Ana López",
        medio=("correo", "ana@gmail.com"),
        conversation_id="whatsapp:+573001234567",
    )
    with store.engine.begin() as conn:
        conn.execute(
            t.contactos.update()
            .where(t.contactos.c.numero == "43512876")
            .values(email="ana@gmail.com", celular="3001234567")
        )
    store.record_consentimiento(Consentimiento("whatsapp:+573001234567", "WhatsApp", True, "sí", "2026-01"))
    _outbound(store, "whatsapp:+573001234567", "Tu reclamo quedó radicado")
    with store.engine.begin() as conn:  # the console's copy of the conversation
        conn.execute(
            conversation_events.insert().values(
                conversation_id="whatsapp:+573001234567",
                kind="user",
                at=datetime(2026, 11, 27, 14, tzinfo=BOG),
                text="soy Ana López, cc 43512876",
            )
        )

    code, out, _ = run("datos", "consultar", "--documento", "43.512.876", "--json")
    held = json.loads(out)
    assert code == 0
    assert held["contactos"][0]["email"] == "ana@gmail.com"
    assert [p["numero"] for p in held["pqrs"]] == [pqr.numero]
    assert held["conversaciones"] == ["whatsapp:+573001234567"]
    assert len(held["consentimientos"]) == 1 and len(held["mensajes_salientes"]) == 1

    code, out, _ = run("datos", "suprimir", "--documento", "43512876", "--actor", "ops@epm.com.co")
    assert code == 0 and "registro público" in out
    code, out, _ = run("datos", "consultar", "--documento", "43512876", "--json")
    held = json.loads(out)
    assert held["contactos"][0]["email"] is None and held["contactos"][0]["celular"] is None
    assert [p["numero"] for p in held["pqrs"]] == [pqr.numero]  # the PQR stays
    assert held["pqrs"][0]["medio_notificacion"]["valor"] == "ana@gmail.com"  # needed to notify
    assert len(held["consentimientos"]) == 1  # proof of the authorisation stays
    assert held["mensajes_salientes"][0]["body"] == "[suprimido]"
    assert held["mensajes_salientes"][0]["address"] == "[suprimido]"
    with store.engine.connect() as conn:
        assert conn.execute(select(conversation_events)).all() == []  # the console's transcript goes too
    with store.engine.connect() as conn:
        audit = conn.execute(select(d.audit).order_by(d.audit.c.id)).all()
    assert [(a.action, a.target) for a in audit] == [
        ("datos.consultar", "documento:43512876"),
        ("datos.suprimir", "documento:43512876"),
        ("datos.consultar", "documento:43512876"),
    ]
    assert audit[1].actor == "ops@epm.com.co"


def test_datos_of_a_contact_without_pqrs_deletes_it(run, store):
    from crm_adapter.models import Contacto

    store.upsert_contactos([Contacto("CC", "70111222", "Rosa Gómez", "rosa@x.co")])
    code, _, _ = run("datos", "suprimir", "--documento", "70111222")
    assert code == 0 and store.find_contacto("70111222") is None


def test_datos_rejects_a_missing_document(run, store):
    code, _, err = run("datos", "consultar", "--documento=..")
    assert code == 2 and "not an identification number" in err


def test_datos_actualizar_rectifies_the_contact_and_is_audited(run, store):
    file_pqr(store, datetime(2026, 11, 27, 9, tzinfo=BOG), documento="43512876", nombre="Ana Lopez")
    code, _, err = run("datos", "actualizar", "--documento", "43512876", "--email", "no-es-correo")
    assert code == 2 and "--email" in err
    code, _, _ = run(
        "datos",
        "actualizar",
        "--documento",
        "43512876",
        "--email",
        "Ana.Lopez@Gmail.com",
        "--nombre",
        "Ana López",
        "--actor",
        "ops@epm.com.co",
    )
    assert code == 0
    contacto = store.find_contacto("43512876")
    assert contacto.nombre == "Ana López" and contacto.email.lower() == "ana.lopez@gmail.com"
    code, _, err = run("datos", "actualizar", "--documento", "999999", "--nombre", "X")
    assert code == 2 and "no contact" in err
    with store.engine.connect() as conn:
        actions = conn.execute(select(d.audit.c.action, d.audit.c.actor)).all()
    assert [tuple(a) for a in actions] == [("datos.actualizar", "ops@epm.com.co")]
