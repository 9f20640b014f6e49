"""The same contract for the SQL store (SQLite, and PostgreSQL when PQRBOT_TEST_POSTGRES_URL is
set) and its in-memory twin."""

from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from crm_adapter.memory import InMemoryStore
from crm_adapter.models import (
    CAUSA_INICIAL,
    SIN_IDENTIFICACION,
    Consentimiento,
    Contacto,
    Evidencia,
    MedioNotificacion,
    Orientacion,
    SolicitudPQR,
)
from crm_adapter.sql import SqlStore
from tests.conftest import demo_contratos

POSTGRES_URL = os.environ.get("PQRBOT_TEST_POSTGRES_URL")


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def any_store(request, tmp_path):
    if request.param == "memory":
        yield InMemoryStore()
    elif request.param == "sqlite":
        s = SqlStore.from_url(f"sqlite:///{tmp_path / 'crm.db'}")
        yield s
        s.dispose()
    else:
        s = SqlStore.from_url(request.getfixturevalue("postgres_url"))
        yield s
        s.dispose()


def solicitud(key="conv-1:a", numero="1017234567", **kw):
    base = dict(
        canal="WhatsApp",
        conversation_id=key.split(":")[0],
        idempotency_key=key,
        tipo_documento="CC",
        numero_documento=numero,
        nombre="Carlos Restrepo",
        motivo_detalle="Inconformidad con el valor facturado.",
        medio_notificacion=MedioNotificacion("correo", "c@x.co"),
        contrato="12345678",
        direccion="Calle 10 # 43-25, Medellín",
        email="c@x.co",
        evidencias=[Evidencia("transcripcion", "conversacion.txt", "Cliente: hola")],
    )
    base.update(kw)
    return SolicitudPQR(**base)


def test_billing_lookup_by_number_and_address(any_store):
    any_store.upsert_contratos(demo_contratos())
    c = any_store.get_contrato("55501")
    assert c.uso == "residencial" and c.titular.numero == "43512876"
    assert [p.valor for p in c.alcantarillado_pagos] == [18500.0]
    assert [x.contrato for x in any_store.find_contratos_by_direccion("cra 45 no 12 30")] == ["55501"]
    assert any_store.get_contrato("nope") is None


def test_upsert_replaces_a_contract_and_its_payments(any_store):
    any_store.upsert_contratos(demo_contratos())
    from dataclasses import replace

    changed = replace(any_store.get_contrato("55501"), uso="comercial", alcantarillado_pagos=[])
    any_store.upsert_contratos([changed])
    again = any_store.get_contrato("55501")
    assert again.uso == "comercial" and again.alcantarillado_pagos == []


def test_pqr_with_new_contact_gets_sin_identificacion(any_store):
    pqr = any_store.create_pqr(solicitud())
    assert pqr.tipo == "reclamo" and pqr.estado == "abierto" and pqr.tareas == []
    assert pqr.causa_inicial == CAUSA_INICIAL
    assert pqr.contacto.tipo_documento == SIN_IDENTIFICACION
    assert pqr.contacto.numero == "1017234567" and pqr.contacto.nombre == "Carlos Restrepo"
    assert pqr.evidencias[0].contenido == "Cliente: hola"
    assert pqr.to_json()["medio_notificacion"] == {"tipo": "correo", "valor": "c@x.co"}


def test_pqr_uses_the_existing_contact(any_store):
    any_store.upsert_contactos([Contacto("CC", "1036654321", "Juan Pérez", "juan@example.com")])
    pqr = any_store.create_pqr(solicitud(numero="1036654321", nombre="juan perez"))
    assert pqr.contacto.tipo_documento == "CC" and pqr.contacto.nombre == "Juan Pérez"


def test_retry_returns_the_same_pqr_and_numbers_are_unique(any_store):
    first = any_store.create_pqr(solicitud("conv-1:a"))
    again = any_store.create_pqr(solicitud("conv-1:a"))
    other = any_store.create_pqr(solicitud("conv-2:b"))
    assert first.numero == again.numero != other.numero
    assert len(any_store.list_pqrs()) == 2


def test_list_since(any_store):
    any_store.create_pqr(solicitud("conv-1:a"))
    later = datetime.now(timezone.utc) + timedelta(seconds=5)
    assert any_store.list_pqrs(since=later) == []
    assert len(any_store.list_pqrs(since=later - timedelta(minutes=1))) == 1


def test_consent_and_orientaciones_are_recorded(any_store):
    any_store.record_consentimiento(Consentimiento("conv-1", "Chat EPM", True, "si", "2026-01"))
    any_store.record_orientacion(Orientacion("conv-1", "WhatsApp", "persona_juridica", "NIT 900", "77701"))
    assert any_store.list_consentimientos("conv-1")[0].aceptado is True
    o = any_store.list_orientaciones()[0]
    assert (o.regla, o.contrato) == ("persona_juridica", "77701") and o.creado_en is not None


def test_concurrent_retries_create_one_pqr(tmp_path):
    url = f"sqlite:///{tmp_path / 'race.db'}"
    stores = [SqlStore.from_url(url) for _ in range(4)]
    results = []

    def worker(s):
        results.append(s.create_pqr(solicitud("conv-9:z")).numero)

    threads = [threading.Thread(target=worker, args=(s,)) for s in stores]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(set(results)) == 1
    assert len(stores[0].list_pqrs()) == 1


def test_numbers_are_never_reused_after_a_delete(tmp_path):
    s = SqlStore.from_url(f"sqlite:///{tmp_path / 'n.db'}")
    first = s.create_pqr(solicitud("c:1"))
    with s.engine.begin() as conn:
        conn.execute(text("DELETE FROM crm_evidencias"))
        conn.execute(text("DELETE FROM crm_pqrs"))
    second = s.create_pqr(solicitud("c:2"))
    assert second.numero != first.numero


def test_address_units_and_bis_match(any_store):
    from dataclasses import replace

    base = demo_contratos()[0]
    any_store.upsert_contratos(
        [
            replace(base, contrato="A1", direccion="Calle 39 Sur # 27-14 Apto 1104"),
            replace(base, contrato="A2", direccion="Calle 44 Bis # 66-18"),
        ]
    )
    assert [c.contrato for c in any_store.find_contratos_by_direccion("calle 39 sur #27-14 apartamento 1104")] == ["A1"]
    assert [c.contrato for c in any_store.find_contratos_by_direccion("calle 44bis # 66-18")] == ["A2"]


def test_pqrs_without_an_evidence_type(any_store):
    first = any_store.create_pqr(solicitud("conv-1:a"))
    second = any_store.create_pqr(solicitud("conv-2:b", conversation_id="conv-2"))
    any_store.add_evidencia(second.numero, Evidencia("imagen_chat", "conversacion.png", "iVBO", None, "image/png"))
    around = datetime.now(timezone.utc)
    since, until = around - timedelta(hours=1), around + timedelta(hours=1)
    assert any_store.pqrs_without_evidencia("imagen_chat", since, until) == [first.numero]
    assert any_store.pqrs_without_evidencia("transcripcion", since, until) == []
    assert any_store.pqrs_without_evidencia("imagen_chat", until, until + timedelta(hours=1)) == []


def test_evidence_if_missing_is_attached_once(any_store):
    pqr = any_store.create_pqr(solicitud("conv-1:a"))
    image = [Evidencia("imagen_chat", "conversacion.png", "iVBO", None, "image/png")]
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(any_store.add_evidencias_if_missing(pqr.numero, image)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [False, False, False, True]
    assert [e.tipo for e in any_store.get_pqr(pqr.numero).evidencias].count("imagen_chat") == 1
    with pytest.raises(KeyError):
        any_store.add_evidencias_if_missing("PQR-9999999", image)
