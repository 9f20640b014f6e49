"""Shared fixtures. Tests never reach the network: any connection to a non-loopback address fails."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from bot.config import load_settings
from crm_adapter.memory import InMemoryStore
from crm_adapter.models import Contacto, Contrato, Pago, Titular

_real_connect = socket.socket.connect


def _guarded_connect(self, address):  # pragma: no cover - only fires on a bug
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")):
        raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


def demo_contratos():
    return [
        Contrato(
            "12345678",
            "Calle 10 # 43-25",
            "Medellín",
            "residencial",
            Titular("CC", "1036654321", "Juan Pérez"),
            ["energia", "acueducto", "alcantarillado"],
        ),
        Contrato(
            "55501",
            "Carrera 45 # 12-30",
            "Bello",
            "residencial",
            Titular("CC", "43512876", "Ana López"),
            ["acueducto", "alcantarillado"],
            [Pago(date(2026, 3, 10), 18500.0)],
        ),
        Contrato(
            "55502",
            "Vereda La Palma Km 3",
            "Rionegro",
            "residencial",
            Titular("CC", "70111222", "Rosa Gómez"),
            ["energia", "alcantarillado"],
            [],
        ),
        Contrato(
            "77701",
            "Calle 50 # 40-20 Local 2",
            "Envigado",
            "comercial",
            Titular("NIT", "900123456-8", "Panadería El Trigal S.A.S."),
            ["energia", "acueducto"],
        ),
        Contrato(
            "77702",
            "Carrera 70 # 1-50",
            "Medellín",
            "comercial",
            Titular("CC", "71234567", "Pedro Ramírez"),
            ["energia"],
        ),
    ]


@pytest.fixture
def store():
    s = InMemoryStore()
    s.upsert_contratos(demo_contratos())
    s.upsert_contactos([Contacto("CC", "1036654321", "Juan Pérez", "juan@example.com")])
    return s


@pytest.fixture
def settings(tmp_path: Path):
    return load_settings({"PQRBOT_DATA_DIR": str(tmp_path), "PQRBOT_FOLLOWUP_AFTER": "5s"})


# ----------------------------------------------------------------------------- PostgreSQL
POSTGRES_URL = os.environ.get("PQRBOT_TEST_POSTGRES_URL")


@pytest.fixture
def postgres_url():
    """A PostgreSQL URL whose search_path is a fresh schema of this test (dropped afterwards);
    the test is skipped when PQRBOT_TEST_POSTGRES_URL is not set."""
    if not POSTGRES_URL:
        pytest.skip("PQRBOT_TEST_POSTGRES_URL not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, future=True)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# A database URL per test: a SQLite file, and PostgreSQL (a schema of its own) when configured.
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not POSTGRES_URL, reason="PQRBOT_TEST_POSTGRES_URL not set"),
        ],
    ),
]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pqrbot.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def pg_url(postgres_url):
    return postgres_url


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'pqrbot.db'}"
