"""Customers filing reclamos against the real server, outcome read from `pqrbot crm pqrs --json`."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.server


def joined(replies):
    return "\n".join(t for turn in replies for t in turn)


def test_customer_files_a_reclamo_end_to_end(server):
    sender, replies = server.talk(
        [
            "hola buenas tardes",
            "me llego muy cara la factura, me cobraron 350 mil y somos 2 personas",
            "si autorizo",
            "Carlos Andrés Restrepo",
            "cc 1017234567",
            "contrato 12345678",
            "carlos.restrepo@gmail.com",
            "si",
        ]
    )
    pqrs = server.pqrs_of(sender)
    assert len(pqrs) == 1, joined(replies)
    p = pqrs[0]
    assert p["tipo"] == "reclamo" and p["estado"] == "abierto" and p["canal"] == "Chat EPM"
    assert p["causa_inicial"] == "Inconformidad con consumo o producción facturado"
    assert p["contacto"] == {
        "tipo_documento": "Sin identificación",
        "numero": "1017234567",
        "nombre": "Carlos Andrés Restrepo",
    }
    assert p["contrato"] == "12345678"
    assert p["medio_notificacion"] == {"tipo": "correo", "valor": "carlos.restrepo@gmail.com"}
    assert p["tareas"] == []
    assert "350.000" in p["motivo_detalle"]
    assert any(e["tipo"] == "transcripcion" and "me llego muy cara" in e["contenido"] for e in p["evidencias"])
    last = "\n".join(replies[-1])
    assert p["numero"] in last and "correo carlos.restrepo@gmail.com" in last
    assert p["motivo_detalle"][:40] in last


def test_everything_in_one_message_with_existing_contact_and_typos(server):
    sender, replies = server.talk(
        [
            "buenas, soy juan perez cc 1036654321 contrato 12345678, el resibo de la luz vino altisimo",
            "sii",
            "no tengo correo",
            "mi cel es 300 123 4567",
            "listo",
        ]
    )
    pqrs = server.pqrs_of(sender)
    assert len(pqrs) == 1, joined(replies)
    p = pqrs[0]
    assert p["contacto"]["tipo_documento"] == "CC" and p["contacto"]["nombre"] == "Juan Pérez"
    assert p["medio_notificacion"] == {"tipo": "sms", "valor": "+573001234567"}


def test_refusing_consent_files_nothing(server):
    sender, replies = server.talk(["quiero poner un reclamo por la factura del agua", "no"])
    assert server.pqrs_of(sender) == []
    assert "no tomaré ningún dato" in joined(replies)


def test_interruptions_and_corrections(server):
    sender, replies = server.talk(
        [
            "me cobraron doble el gas este mes",
            "si",
            "quiero hablar con un asesor",
            "Maria Fernanda Gomez",
            "123",
            "1036999888",
            "cuanto se demora la respuesta?",
            "calle 80 # 20-15 apto 302, Itagüí",
            "maria.gomez@hotmail.com",
            "perdon, la cedula es 1036999889",
            "si",
        ]
    )
    text = joined(replies)
    assert "44 44 115" in text  # the agent request got the line number
    pqrs = server.pqrs_of(sender)
    assert len(pqrs) == 1, text
    assert pqrs[0]["contacto"]["numero"] == "1036999889"
    assert pqrs[0]["direccion"].lower().startswith("calle 80")


def test_cancel_files_nothing_and_a_retry_never_duplicates(server):
    sender, replies = server.talk(["me llego muy alta la factura", "si", "Pedro Gil", "cancelar"])
    assert server.pqrs_of(sender) == []
    assert "cancelé" in joined(replies)


def test_nonsense_gets_a_short_answer(server):
    _, replies = server.talk(["asdfghjkl"])
    assert replies[0], "the assistant must answer something"


def test_malformed_requests_get_400(server):
    import urllib.error
    import urllib.request

    for body in (b"not json", b"[]", json.dumps({"message": "hola"}).encode(), json.dumps({"sender": "x"}).encode()):
        req = urllib.request.Request(
            server.base + "/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=30)
        assert err.value.code == 400
        assert "error" in json.loads(err.value.read())


def test_web_chat_page_is_served(server):
    import urllib.request

    with urllib.request.urlopen(server.base + "/webhooks/webchat/", timeout=30) as resp:
        page = resp.read().decode()
    assert "Chat EPM" in page and "webhook" in page


def _seed(server, tmp_path, contratos):
    path = tmp_path / "more.json"
    path.write_text(json.dumps(contratos), encoding="utf-8")
    out = server.cli("crm", "seed", str(path))
    assert out.returncode == 0, out.stderr


def test_billing_loaded_while_running_is_used_and_sewer_payments_redirect(server, tmp_path):
    _seed(
        server,
        tmp_path,
        [
            {
                "contrato": "990001",
                "direccion": "Calle 33 # 70-12",
                "municipio": "Medellín",
                "uso": "residencial",
                "titular": {"tipo_documento": "CC", "numero": "32111222", "nombre": "Gloria Mesa"},
                "servicios": ["acueducto", "alcantarillado"],
                "alcantarillado_pagos": [{"fecha": "2026-09-01", "valor": 21000}],
            }
        ],
    )
    sender, replies = server.talk(
        [
            "me cobran alcantarillado y en mi casa no tenemos alcantarillado",
            "si",
            "Gloria Mesa, cedula 32111222",
            "contrato 990001",
        ]
    )
    assert server.pqrs_of(sender) == []
    text = joined(replies)
    assert "canal escrito" in text
    orientaciones = json.loads(server.cli("crm", "orientaciones", "--json").stdout)
    mine = [o for o in orientaciones if o["conversation_id"] == sender]
    assert [o["regla"] for o in mine] == ["alcantarillado_no_prestado"]
    assert mine[0]["canal"] == "Chat EPM" and mine[0]["contrato"] == "990001"


def test_sewer_claim_without_payments_is_filed_as_such(server):
    sender, replies = server.talk(
        [
            "tengo pozo septico y me estan cobrando alcantarillado",
            "si",
            "Rosa Gomez",
            "70111222",
            "55502",
            "rosa.gomez@gmail.com",
            "si",
        ]
    )
    [p] = server.pqrs_of(sender)
    assert "alcantarillado no prestado" in p["motivo_detalle"]


def test_commercial_premises(server):
    company, r1 = server.talk(["la factura del local llego carisima", "si", "Marta Ruiz cc 43000111", "contrato 77701"])
    assert server.pqrs_of(company) == []
    assert "acreditar la relación" in joined(r1)
    person, r2 = server.talk(
        [
            "la factura del local llego carisima",
            "si",
            "Marta Ruiz cc 43000111",
            "contrato 77702",
            "soy la arrendataria",
            "marta@gmail.com",
            "si",
        ]
    )
    [p] = server.pqrs_of(person)
    assert p["relacion_inmueble"] == "arrendatario" and "arrendatario" in p["motivo_detalle"]


def _processes_with_data_dir(data_dir) -> list:
    import os

    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            environ = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
        except OSError:
            continue
        if f"PQRBOT_DATA_DIR={data_dir}".encode() in environ:
            found.append(int(pid))
    return found


def test_no_orphans_when_the_supervisor_is_killed(tmp_path):
    """Even a SIGKILL of `pqrbot run` leaves no Rasa, action server or worker behind."""
    import os
    import signal
    import time

    from tests.e2e.conftest import start_server

    proc, srv = start_server(tmp_path)
    children = [pid for pid in _processes_with_data_dir(tmp_path) if pid != proc.pid]
    assert len(children) >= 3, "Rasa, the action server and the worker run under the supervisor"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while _processes_with_data_dir(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = _processes_with_data_dir(tmp_path)
    described = []
    for pid in left:  # do not leave them running after a failure
        try:
            described.append(open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode()[:160])
        except OSError:
            pass
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"children of a killed supervisor must stop: {described}"
