"""`pqrbot` as operations staff use it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import bootstrap, cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PQRBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PQRBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'ops.db'}")
    bootstrap.reset()

    def _run(*args):
        code = cli.main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    yield _run
    bootstrap.reset()


def write(tmp_path, name, data) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_seed_the_demo_file_and_list_empty_pqrs(run):
    code, out, _ = run("crm", "seed", str(ROOT / "demo" / "billing.json"))
    assert code == 0 and "6 contrato(s) and 1 contacto(s)" in out
    code, out, _ = run("crm", "pqrs", "--json")
    assert code == 0 and json.loads(out) == []


def test_seed_accepts_a_plain_list_and_upserts(run, tmp_path):
    rec = {
        "contrato": "1",
        "direccion": "Calle 1 # 2-3",
        "municipio": "Bello",
        "uso": "residencial",
        "titular": {"tipo_documento": "CC", "numero": "123456", "nombre": "A B"},
        "servicios": ["energia"],
        "alcantarillado_pagos": [{"fecha": "2026-01-31", "valor": 1000}],
    }
    assert run("crm", "seed", write(tmp_path, "a.json", [rec]))[0] == 0
    rec["uso"] = "comercial"
    assert run("crm", "seed", write(tmp_path, "b.json", [rec]))[0] == 0
    assert bootstrap.services().store.get_contrato("1").uso == "comercial"


@pytest.mark.parametrize(
    "content,expected",
    [
        ("{not json", "not valid JSON at line 1"),
        (
            [
                {
                    "contrato": "9",
                    "direccion": "x",
                    "municipio": "y",
                    "uso": "hotel",
                    "titular": {"tipo_documento": "CC", "numero": "1", "nombre": "n"},
                }
            ],
            "contratos[0] (contrato '9'): field 'uso' is 'hotel'",
        ),
        (
            [
                {
                    "contrato": "9",
                    "direccion": "x",
                    "municipio": "y",
                    "uso": "residencial",
                    "titular": {"tipo_documento": "CC", "numero": "1"},
                }
            ],
            "contratos[0] (contrato '9').titular: field 'nombre' is missing",
        ),
        (
            [
                {
                    "contrato": "9",
                    "direccion": "x",
                    "municipio": "y",
                    "uso": "residencial",
                    "titular": {"tipo_documento": "CC", "numero": "1", "nombre": "n"},
                    "alcantarillado_pagos": [{"fecha": "31/01/2026", "valor": 5}],
                }
            ],
            "alcantarillado_pagos[0]: field 'fecha' must be a date YYYY-MM-DD",
        ),
        (
            {"contratos": [], "contactos": [{"tipo_documento": "CC", "numero": "1", "nombre": "n", "email": "nope"}]},
            "contactos[0] (numero '1'): field 'email' is not an e-mail address",
        ),
        ("42", "expected a JSON list of contracts"),
    ],
)
def test_a_bad_file_names_record_and_field_and_loads_nothing(run, tmp_path, content, expected):
    good = {
        "contrato": "ok-1",
        "direccion": "Calle 1",
        "municipio": "Bello",
        "uso": "residencial",
        "titular": {"tipo_documento": "CC", "numero": "1", "nombre": "n"},
    }
    if isinstance(content, list):
        content = [good] + content
        expected = expected.replace("contratos[0]", "contratos[1]")
    code, _, err = run("crm", "seed", write(tmp_path, "bad.json", content))
    assert code == 2
    assert "nothing was loaded" in err and expected in err
    assert bootstrap.services().store.get_contrato("ok-1") is None


def test_missing_file(run, tmp_path):
    code, _, err = run("crm", "seed", str(tmp_path / "nope.json"))
    assert code == 2 and "cannot read the file" in err


def test_pqrs_since_and_orientaciones(run):
    from crm_adapter.models import MedioNotificacion, Orientacion, SolicitudPQR

    store = bootstrap.services().store
    store.create_pqr(
        SolicitudPQR(
            "Telegram",
            "c1",
            "c1:a",
            "CC",
            "123456",
            "Ana",
            "Inconformidad.",
            MedioNotificacion("correo", "a@b.co"),
            direccion="Calle 1",
        )
    )
    store.record_orientacion(Orientacion("c2", "WhatsApp", "persona_juridica", "NIT 900", "77701"))
    code, out, _ = run("crm", "pqrs", "--json", "--since", "2000-01-01")
    [p] = json.loads(out)
    assert set(p) >= {
        "numero",
        "tipo",
        "canal",
        "estado",
        "contacto",
        "contrato",
        "direccion",
        "causa_inicial",
        "motivo_detalle",
        "medio_notificacion",
        "relacion_inmueble",
        "tareas",
        "evidencias",
        "creado_en",
        "conversation_id",
    }
    assert json.loads(run("crm", "pqrs", "--json", "--since", "2999-01-01T00:00:00Z")[1]) == []
    [o] = json.loads(run("crm", "orientaciones", "--json")[1])
    assert o["regla"] == "persona_juridica" and o["canal"] == "WhatsApp"
    code, out, _ = run("crm", "pqrs")
    assert p["numero"] in out  # the human table


def test_bad_since_is_explained(run):
    with pytest.raises(SystemExit) as exc:
        run("crm", "pqrs", "--json", "--since", "ayer")
    assert "ISO 8601" in str(exc.value)


def test_db_upgrade_is_idempotent(run):
    code, out, _ = run("db", "upgrade")
    assert code == 0 and "up to date" in out  # main() already upgraded before the command ran


def test_consents_are_listed(run):
    from crm_adapter.models import Consentimiento

    bootstrap.services().store.record_consentimiento(Consentimiento("c9", "Telegram", False, "no", "2026-01"))
    [c] = json.loads(run("crm", "consentimientos", "--json")[1])
    assert (c["conversation_id"], c["aceptado"], c["policy_version"], c["canal"]) == (
        "c9",
        False,
        "2026-01",
        "Telegram",
    )
    assert c["creado_en"]


def test_consents_of_the_public_channel_show_the_id_the_client_used(run):
    from crm_adapter.models import Consentimiento

    bootstrap.services().store.record_consentimiento(Consentimiento("rest:ana-7", "Chat EPM", True, "sí", "2026-01"))
    bootstrap.services().store.record_consentimiento(Consentimiento("telegram:9", "Telegram", True, "sí", "2026-01"))
    [c] = json.loads(run("crm", "consentimientos", "--json", "--conversation", "ana-7")[1])
    assert c["conversation_id"] == "ana-7" and c["canal"] == "Chat EPM"
