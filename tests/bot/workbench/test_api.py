"""The workbench API behind the console's roles: inbox, labelling, flags, intents."""

import pytest
import yaml
from starlette.testclient import TestClient

from bot.workbench import capture
from tests.bot.workbench.conftest import build_app, user_event

ENTRENADOR = {"X-Test-Role": "entrenador"}
ADMIN = {"X-Test-Role": "admin"}
AGENTE = {"X-Test-Role": "agente"}


@pytest.fixture
def client(wb):
    return TestClient(build_app(wb))


@pytest.fixture
def item_id(wb):
    return capture.record_event(
        user_event(
            "ñapa pa la nevera cc 1036654321",
            "nlu_fallback",
            0.45,
            ranking=[{"name": "nlu_fallback", "confidence": 0.45}, {"name": "informar", "confidence": 0.3}],
        ),
        workbench=wb,
    )


ROUTES = [
    ("GET", "/api/nlu/inbox"),
    ("POST", "/api/nlu/inbox/1"),
    ("GET", "/api/nlu/intents"),
    ("GET", "/api/nlu/evaluation"),
    ("POST", "/api/nlu/evaluation"),
    ("GET", "/api/nlu/train"),
    ("POST", "/api/nlu/train"),
    ("POST", "/api/nlu/activate"),
    ("POST", "/api/nlu/rollback"),
]


@pytest.mark.parametrize("method,path", ROUTES)
def test_agents_get_403_and_anonymous_401(client, method, path):
    assert client.request(method, path, headers=AGENTE, json={}).status_code == 403
    assert client.request(method, path, json={}).status_code == 401


@pytest.mark.parametrize("headers", [ENTRENADOR, ADMIN])
def test_trainers_and_admins_read_the_inbox(client, item_id, headers):
    response = client.get("/api/nlu/inbox", headers=headers)
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert set(item) >= {"id", "text", "predicted_intent", "confidence", "count", "channel", "conversation_id", "at"}
    assert item["id"] == item_id and item["count"] == 1 and item["channel"] == "rest"
    assert item["conversation_id"] == "conv-1" and item["predicted_intent"] == "nlu_fallback"
    assert "1036654321" not in item["text"] and item["text"].startswith("ñapa pa la nevera cc ")
    assert item["at"].startswith("2025-11-30T05:20:00")


def test_identical_messages_are_grouped_with_a_count(client, wb):
    for sender in ("a", "b", "c"):
        capture.record_event(user_event("Y el  subsidio?", "saludo", 0.2, sender=sender), workbench=wb)
    capture.record_event(user_event("y el subsidio?", "saludo", 0.2, sender="d"), workbench=wb)
    [item] = client.get("/api/nlu/inbox", headers=ENTRENADOR).json()["items"]
    assert item["count"] == 4 and item["conversation_id"] == "d"


def test_labelling_writes_the_example_and_the_item_leaves(client, wb, item_id, audit_log):
    response = client.post(
        f"/api/nlu/inbox/{item_id}",
        headers=ENTRENADOR,
        json={"intent": "informar", "text": "ñapa pa la nevera cc 71234567"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["written"] is True
    reviewed = yaml.safe_load((wb.root / "nlu/data/reviewed.yml").read_text())
    assert reviewed["nlu"] == [{"intent": "informar", "examples": "- ñapa pa la nevera cc 71234567\n"}]
    assert client.get("/api/nlu/inbox", headers=ENTRENADOR).json()["items"] == []
    assert audit_log[-1][:3] == ("entrenador@example.com", "nlu.label", f"nlu_inbox:{item_id}")
    again = client.post(f"/api/nlu/inbox/{item_id}", headers=ENTRENADOR, json={"intent": "informar"})
    assert again.status_code == 409


def test_discard_drops_the_item_without_writing(client, wb, item_id):
    response = client.post(f"/api/nlu/inbox/{item_id}", headers=ADMIN, json={"discard": True})
    assert response.status_code == 200
    assert client.get("/api/nlu/inbox", headers=ADMIN).json()["items"] == []
    assert not (wb.root / "nlu/data/reviewed.yml").exists()


@pytest.mark.parametrize(
    "body,status",
    [({}, 400), ({"intent": "no_existe"}, 400), ({"intent": 3}, 400), ({"intent": "saludo", "text": ""}, 400)],
)
def test_bad_labels_get_a_clear_answer(client, item_id, body, status):
    response = client.post(f"/api/nlu/inbox/{item_id}", headers=ENTRENADOR, json=body)
    assert response.status_code == status
    assert response.json()["error"]


def test_unknown_item_is_404(client):
    assert client.post("/api/nlu/inbox/999", headers=ENTRENADOR, json={"discard": True}).status_code == 404


def test_new_intent_is_created_on_request(client, wb, item_id):
    response = client.post(
        f"/api/nlu/inbox/{item_id}",
        headers=ENTRENADOR,
        json={"intent": "pedir_subsidio", "text": "como pido el subsidio", "create_intent": True},
    )
    assert response.status_code == 200 and response.json()["new_intent"] is True
    intents = [row["name"] for row in client.get("/api/nlu/intents", headers=ENTRENADOR).json()["intents"]]
    assert "pedir_subsidio" in intents


@pytest.mark.parametrize("headers", [AGENTE, ENTRENADOR, ADMIN])
def test_staff_flag_a_message_masked(client, headers):
    response = client.post(
        "/api/nlu/flags",
        headers=headers,
        json={
            "conversation_id": "conv-9",
            "text": "mi correo es ana@gmail.com y nada",
            "channel": "whatsapp",
            "note": "no entendió el correo",
        },
    )
    assert response.status_code == 201
    [item] = client.get("/api/nlu/inbox", headers=ENTRENADOR).json()["items"]
    assert item["reason"] == "flagged" and item["flagged_by"] == headers["X-Test-Role"] + "@example.com"
    assert "ana@gmail.com" not in item["text"] and item["channel"] == "whatsapp"


def test_flags_need_a_session_and_a_text(client):
    assert client.post("/api/nlu/flags", json={"conversation_id": "c", "text": "x"}).status_code == 401
    assert client.post("/api/nlu/flags", headers=AGENTE, json={"conversation_id": "c"}).status_code == 400


def test_intents_count_examples(client, wb):
    from bot.workbench import dataset

    rows = {r["name"]: r for r in client.get("/api/nlu/intents", headers=ENTRENADOR).json()["intents"]}
    assert set(rows) == set(dataset.domain_intents(wb.root))
    assert rows["saludo"]["examples"] == dataset.example_counts(wb.root)["saludo"] > 0


def test_conversation_link_shows_the_masked_transcript(client, monkeypatch):
    import sys
    import types
    from datetime import datetime, timezone

    headers = {"X-Test-Role": "entrenador"}

    class Event:
        def __init__(self, kind, text, intent=None, confidence=None):
            self.kind, self.text, self.intent, self.confidence = kind, text, intent, confidence
            self.at = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)

    class FakeEventStore:
        def __init__(self, engine):
            pass

        def for_conversation(self, conversation_id, kinds=None):
            assert set(kinds) == {"user", "bot"}
            if conversation_id != "whatsapp:+573001112233":
                return []
            return [
                Event("user", "mi cedula es 1036654321 y eso?", "nlu_fallback", 0.45),
                Event("bot", "Perdón, no te entendí. ¿Me lo dices de otra forma?"),
            ]

    monkeypatch.setitem(sys.modules, "bot.events.store", types.SimpleNamespace(EventStore=FakeEventStore))
    response = client.get("/api/nlu/conversations/whatsapp:+573001112233", headers=headers)
    assert response.status_code == 200
    customer, bot = response.json()["messages"]
    assert customer["from"] == "customer" and "1036654321" not in customer["text"]
    assert customer["intent"] == "nlu_fallback" and bot["from"] == "bot"
    assert client.get("/api/nlu/conversations/otra", headers=headers).status_code == 404
    assert client.get("/api/nlu/conversations/otra", headers={"X-Test-Role": "agente"}).status_code == 403
