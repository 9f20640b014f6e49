"""Seed 2.7 end to end: a customer files and asks for the deadline; the day's export has the PQR;
the chat image is among the evidence; the deadline question in the middle of an intake."""

from __future__ import annotations

import json
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image

from crm_adapter.deadline import fecha_en_texto

pytestmark = pytest.mark.server


def joined(replies):
    return "\n".join(t for turn in replies for t in turn)


def test_a_customer_files_asks_the_deadline_and_the_export_of_the_day_has_the_pqr(server, tmp_path):
    sender, replies = server.talk(
        [
            "hola, me llegó carísima la factura del agua 😡",
            "si autorizo",
            "Marta Lucía Gómez",
            "cc 43111222",
            "contrato 12345678",
            "marta.gomez@gmail.com",
            "si",
            "¿en cuánto me responden?",
        ]
    )
    [pqr] = server.pqrs_of(sender)
    fecha = datetime.fromisoformat(pqr["fecha_limite_respuesta"]).date()
    confirmation = "\n".join(replies[-2])
    assert pqr["numero"] in confirmation and "15 días hábiles" in confirmation
    assert fecha_en_texto(fecha) in confirmation
    answer = "\n".join(replies[-1])
    assert "15 días hábiles" in answer and fecha_en_texto(fecha) in answer and pqr["numero"] in answer, joined(replies)
    deadline = time.monotonic() + 15  # the chat image is attached right after the answer
    while not [e for e in pqr["evidencias"] if e["content_type"] == "image/png"] and time.monotonic() < deadline:
        time.sleep(0.2)
        [pqr] = server.pqrs_of(sender)
    assert [e["nombre"] for e in pqr["evidencias"] if e["content_type"] == "image/png"] == ["conversacion.png"]

    out = tmp_path / "ev"
    result = server.cli("crm", "evidencias", pqr["numero"], "--out", str(out))
    assert result.returncode == 0, result.stderr
    image = Image.open(out / "conversacion.png")
    assert image.format == "PNG" and image.width >= 300 and image.height > 300

    today = datetime.now(ZoneInfo("America/Bogota")).date().isoformat()
    xlsx = tmp_path / "exporte.xlsx"
    result = server.cli("crm", "exporte", "--fecha", today, "--out", str(xlsx))
    assert result.returncode == 0, result.stderr
    rows = list(load_workbook(xlsx).active.iter_rows(min_row=2, values_only=True))
    [row] = [r for r in rows if r[0] == pqr["numero"]]
    assert row[2] == "Chat EPM" and row[5] == "12345678" and row[12].date() == fecha

    result = server.cli("crm", "pqrs", "--json", "--vencen-antes", fecha.isoformat())
    assert pqr["numero"] not in [p["numero"] for p in json.loads(result.stdout)]


def test_the_deadline_asked_in_the_middle_of_the_intake_and_the_form_resumes(server):
    _, replies = server.talk(
        [
            "buenas, me cobraron 400 mil en la factura y no es justo",
            "si",
            "cuánto se demoran en responder?",
            "Pedro Ramírez",
        ]
    )
    middle = "\n".join(replies[2])
    assert "15 días hábiles" in middle, joined(replies)
    assert "nombre" in middle.lower()  # the form asks its question again
    assert "documento" in "\n".join(replies[3]).lower(), joined(replies)


def test_a_customer_asks_what_data_is_held_and_staff_see_the_request(server):
    sender, replies = server.talk(["hola, ¿qué datos personales tienen de mí? cc 43999888"])
    text = "\n".join(replies[0])
    assert "HD-" in text and "43999888" not in text, text
    result = server.cli("datos", "solicitudes", "--json")
    assert result.returncode == 0, result.stderr
    [request] = [r for r in json.loads(result.stdout) if r["conversation_id"] == sender]
    assert (request["tipo"], request["numero_documento"], request["estado"]) == ("consulta", "43999888", "recibida")
    result = server.cli("datos", "consultar", "--documento", "43999888", "--json")
    assert result.returncode == 0 and sender in json.loads(result.stdout)["conversaciones"]
