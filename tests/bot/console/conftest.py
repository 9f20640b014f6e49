"""A console on a SQLite file (PostgreSQL too for the race test), with a recording outbound
service and no Rasa server."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from starlette.testclient import TestClient

from bot.config import load_settings
from bot.console.app import create_app
from bot.console.context import build
from bot.events.store import EventStore
from bot.handoff.rasa_api import NoRasa
from bot.schema import upgrade_all
from crm_adapter.db import make_engine
from tests.conftest import demo_contratos
from tests.fakes.outbound import RecordingOutbound

PASSWORD = "clave-muy-segura-1"


@pytest.fixture(autouse=True)
def _fast_hashes(monkeypatch):
    """argon2id with small costs: the tests check the flow, not the cost parameters."""
    from argon2 import PasswordHasher

    from bot.console import accounts

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def console(tmp_path):
    settings = load_settings({"PQRBOT_DATA_DIR": str(tmp_path), "PQRBOT_ATTENTION_HOURS": "always"})
    engine = make_engine(settings.database_url)
    upgrade_all(engine)
    c = build(settings, engine=engine, outbound=RecordingOutbound(), rasa=NoRasa())
    c.store.upsert_contratos(demo_contratos())
    for email, name, role in (
        ("ana@epm.test", "Ana Ruiz", "agente"),
        ("beto@epm.test", "Beto Gil", "agente"),
        ("eva@epm.test", "Eva Mora", "entrenador"),
        ("admin@epm.test", "Alba Díaz", "admin"),
    ):
        c.accounts.add(email, name, role, PASSWORD)
    yield c
    engine.dispose()


def user_event(
    conversation_id: str, text: str, channel: str = "rest", intent: str = "reclamo_factura", at: float = None
) -> dict:
    return {
        "event": "user",
        "sender_id": conversation_id,
        "text": text,
        "timestamp": at or time.time(),
        "input_channel": channel,
        "parse_data": {"intent": {"name": intent, "confidence": 0.93}},
    }


@pytest.fixture
def conversations(console):
    """A web chat customer and a WhatsApp customer who wrote 21 h ago (3 h of window left)."""
    events = EventStore(console.engine)
    events.add_event(user_event("web:ana-1", "me llegó muy cara la factura"))
    events.add_event(
        {
            "event": "bot",
            "sender_id": "web:ana-1",
            "text": "¿Autorizas el tratamiento de tus datos?",
            "timestamp": time.time(),
        }
    )
    events.add_event(
        {"event": "slot", "sender_id": "web:ana-1", "name": "nombre", "value": "Ana Pérez", "timestamp": time.time()}
    )
    earlier = datetime.now(timezone.utc) - timedelta(hours=21)
    console.registry.touch("whatsapp:+573001112233", "whatsapp", "WhatsApp", "whatsapp:+573001112233", earlier)
    events.add_event(
        user_event(
            "whatsapp:+573001112233", "quiero hablar con un asesor", "whatsapp", "pedir_asesor", earlier.timestamp()
        )
    )
    console.handoffs.request_agent(
        "whatsapp:+573001112233", "cliente_pidio_asesor", input_channel="whatsapp", canal="WhatsApp"
    )
    return "web:ana-1", "whatsapp:+573001112233"


@pytest.fixture
def app(console):
    return create_app(console, stream_interval=0.05, sweep_interval=3600)


def login(app, email: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app)
    r = client.post("/api/session", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client
