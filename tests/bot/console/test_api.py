"""The console's JSON API as an agent (and an intruder) would use it."""

from __future__ import annotations

import threading
from urllib.parse import quote

from starlette.testclient import TestClient

from tests.bot.console.conftest import PASSWORD, login


def url(cid: str, tail: str = "") -> str:
    return f"/api/conversations/{quote(cid, safe='')}" + (f"/{tail}" if tail else "")


def test_without_a_session_every_api_call_is_401(app, conversations):
    client = TestClient(app)
    for method, path in (
        ("GET", "/api/conversations"),
        ("GET", url(conversations[0])),
        ("POST", url(conversations[0], "takeover")),
        ("GET", "/api/audit"),
        ("GET", "/api/stream"),
        ("GET", "/api/session"),
    ):
        assert client.request(method, path).status_code == 401, path


def test_login_sets_an_httponly_samesite_cookie_and_bad_password_is_401(app):
    client = TestClient(app)
    assert client.post("/api/session", json={"email": "ana@epm.test", "password": "no-es-esta"}).status_code == 401
    assert client.post("/api/session", json={"email": "nadie@epm.test", "password": PASSWORD}).status_code == 401
    r = client.post("/api/session", json={"email": "ANA@epm.test", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["user"] == {"email": "ana@epm.test", "name": "Ana Ruiz", "role": "agente"} and body["csrf_token"]
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert client.get("/api/session").json()["user"]["email"] == "ana@epm.test"


def test_cookie_is_secure_under_https(app):
    client = TestClient(app, base_url="https://consola.epm.test")
    r = client.post("/api/session", json={"email": "ana@epm.test", "password": PASSWORD})
    assert "secure" in r.headers["set-cookie"].lower()


def test_state_changing_calls_need_the_csrf_token(app, conversations):
    client = login(app, "ana@epm.test")
    token = client.headers.pop("X-CSRF-Token")
    assert client.post(url(conversations[1], "takeover")).status_code == 403
    assert client.post(url(conversations[1], "takeover"), headers={"X-CSRF-Token": "otro"}).status_code == 403
    assert client.post(url(conversations[1], "takeover"), headers={"X-CSRF-Token": token}).status_code == 200


def test_login_attempts_are_throttled(app):
    client = TestClient(app)
    for _ in range(5):
        r = client.post("/api/session", json={"email": "beto@epm.test", "password": "mala-clave-x"})
        assert r.status_code == 401
    r = client.post("/api/session", json={"email": "beto@epm.test", "password": PASSWORD})
    assert r.status_code == 429 and r.headers["retry-after"]


def test_roles_are_enforced_on_the_server(app, conversations):
    trainer = login(app, "eva@epm.test")
    assert trainer.get("/api/conversations").status_code == 403
    assert trainer.post(url(conversations[1], "takeover")).status_code == 403
    agent = login(app, "ana@epm.test")
    assert agent.get("/api/audit").status_code == 403
    assert agent.post("/api/quick-replies", json={"title": "x", "text": "y"}).status_code == 403
    admin = login(app, "admin@epm.test")
    assert admin.get("/api/conversations").status_code == 200
    assert admin.get("/api/audit").status_code == 200


def test_inbox_lists_conversations_with_state_and_preview(app, conversations):
    client = login(app, "ana@epm.test")
    rows = client.get("/api/conversations").json()["conversations"]
    by_id = {r["id"]: r for r in rows}
    wa = by_id[conversations[1]]
    assert wa["state"] == "waiting" and wa["channel"] == "WhatsApp" and wa["waiting_since"]
    assert wa["preview"] == "quiero hablar con un asesor" and wa["assigned_to"] is None
    assert by_id[conversations[0]]["state"] == "bot" and by_id[conversations[0]]["channel"] == "Chat EPM"
    waiting = client.get("/api/conversations?state=waiting").json()["conversations"]
    assert [r["id"] for r in waiting] == [conversations[1]]
    assert client.get("/api/conversations?state=nada").status_code == 400
    whatsapp = client.get("/api/conversations?channel=WhatsApp").json()["conversations"]
    assert [r["id"] for r in whatsapp] == [conversations[1]]


def test_conversation_detail_has_messages_intake_pqrs_and_window(app, conversations):
    client = login(app, "ana@epm.test")
    d = client.get(url(conversations[0])).json()
    assert [m["from"] for m in d["messages"]] == ["customer", "bot"]
    assert d["messages"][0]["text"] == "me llegó muy cara la factura" and d["messages"][0]["at"]
    assert d["intake"]["nombre"] == "Ana Pérez" and d["pqrs"] == []
    wa = client.get(url(conversations[1])).json()
    assert wa["window"]["open"] and wa["window"]["template"]
    assert wa["window"]["text"] == ("WhatsApp: quedan 3 h de la ventana de 24 h; después solo la plantilla aprobada.")
    assert client.get(url("no-existe")).status_code == 404


def test_takeover_race_two_agents_one_wins(app, conversations):
    ana, beto = login(app, "ana@epm.test"), login(app, "beto@epm.test")
    results = {}
    barrier = threading.Barrier(2)

    def take(name, client):
        barrier.wait()
        results[name] = client.post(url(conversations[1], "takeover"))

    threads = [threading.Thread(target=take, args=(n, c)) for n, c in (("ana", ana), ("beto", beto))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    codes = sorted(r.status_code for r in results.values())
    assert codes == [200, 409]
    loser = next(r for r in results.values() if r.status_code == 409)
    assert loser.json()["assigned_to"] in ("ana@epm.test", "beto@epm.test")


def test_takeover_pauses_rasa_and_tells_the_customer(app, console, conversations):
    client = login(app, "ana@epm.test")
    assert client.post(url(conversations[1], "takeover")).status_code == 200
    assert ("pause", conversations[1]) in console.rasa.calls
    texts = [c[2] for c in console.service.outbound.calls if c[1] == conversations[1]]
    assert texts and "Ana" in texts[0] and "te atiendo yo" in texts[0]
    assert console.handoffs.is_held(conversations[1])
    assert client.post(url(conversations[1], "takeover")).status_code == 200  # already theirs


def test_reply_goes_through_outbound_and_needs_holding_it(app, console, conversations):
    ana, beto = login(app, "ana@epm.test"), login(app, "beto@epm.test")
    assert ana.post(url(conversations[1], "messages"), json={"text": "hola"}).status_code == 409
    ana.post(url(conversations[1], "takeover"))
    assert beto.post(url(conversations[1], "messages"), json={"text": "yo también"}).status_code == 409
    assert ana.post(url(conversations[1], "messages"), json={"text": ""}).status_code == 400
    r = ana.post(url(conversations[1], "messages"), json={"text": "Hola, reviso tu factura."})
    assert r.status_code == 202 and r.json()["delivery"] == "sent"
    assert ("text", conversations[1], "Hola, reviso tu factura.", "agent") in console.service.outbound.calls
    d = ana.get(url(conversations[1])).json()
    assert d["messages"][-1]["from"] == "agent" and d["messages"][-1]["text"] == "Hola, reviso tu factura."


def test_outside_the_whatsapp_window_the_template_is_offered(app, console, conversations):
    from datetime import datetime, timedelta, timezone

    old = datetime.now(timezone.utc) - timedelta(hours=30)
    console.registry.touch("whatsapp:+573009998877", "whatsapp", "WhatsApp", "whatsapp:+573009998877", old)
    client = login(app, "ana@epm.test")
    assert client.post(url("whatsapp:+573009998877", "takeover")).status_code == 200
    r = client.post(url("whatsapp:+573009998877", "messages"), json={"text": "¿Sigues ahí?"})
    assert r.status_code == 409 and r.json()["template_available"] is True
    assert "plantilla aprobada" in r.json()["error"]
    r = client.post(url("whatsapp:+573009998877", "messages"), json={"text": "¿Sigues ahí?", "template": True})
    assert r.status_code == 202
    assert console.service.outbound.calls[-1][0] == "template"


def test_web_chat_replies_are_kept_for_the_page(app, console, conversations):
    client = login(app, "ana@epm.test")
    client.post(url(conversations[0], "takeover"))
    r = client.post(url(conversations[0], "messages"), json={"text": "Hola Ana"})
    assert r.status_code == 202 and r.json()["delivery"] == "web"
    assert [m.text for m in console.handoffs.messages_after(conversations[0], 0)][-1] == "Hola Ana"
    assert console.service.outbound.calls == []  # REST has no proactive delivery: nothing to send


def test_hand_back_resumes_the_assistant_or_closes(app, console, conversations):
    ana, beto = login(app, "ana@epm.test"), login(app, "beto@epm.test")
    ana.post(url(conversations[1], "takeover"))
    assert beto.post(url(conversations[1], "handback"), json={"resume": True}).status_code == 409
    assert ana.post(url(conversations[1], "handback"), json={}).status_code == 400
    r = ana.post(url(conversations[1], "handback"), json={"resume": True})
    assert r.status_code == 200 and r.json()["state"] == "bot"
    assert ("resume", conversations[1], False) in console.rasa.calls
    assert not console.handoffs.is_held(conversations[1])
    ana.post(url(conversations[1], "takeover"))
    r = ana.post(url(conversations[1], "handback"), json={"resume": False})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert ("resume", conversations[1], True) in console.rasa.calls


def test_transfer_to_another_agent(app, conversations):
    ana, beto = login(app, "ana@epm.test"), login(app, "beto@epm.test")
    ana.post(url(conversations[1], "takeover"))
    assert ana.post(url(conversations[1], "transfer"), json={"to": "eva@epm.test"}).status_code == 400
    r = ana.post(url(conversations[1], "transfer"), json={"to": "beto@epm.test"})
    assert r.status_code == 200 and r.json()["assigned_to"] == "beto@epm.test"
    assert beto.post(url(conversations[1], "messages"), json={"text": "Hola, soy Beto"}).status_code == 202
    assert ana.post(url(conversations[1], "messages"), json={"text": "hola"}).status_code == 409


def test_notes_are_private_and_not_sent(app, console, conversations):
    client = login(app, "ana@epm.test")
    assert client.post(url(conversations[0], "notes"), json={"text": "Cliente molesto, revisar"}).status_code == 201
    assert console.service.outbound.calls == []
    assert client.get(url(conversations[0])).json()["messages"][-1]["from"] == "note"


def test_filing_from_the_console_uses_the_validators_rules_and_records_the_agent(app, console, conversations):
    client = login(app, "ana@epm.test")
    form = {
        "nombre": "Ana Pérez",
        "tipo_documento": "CC",
        "numero_documento": "12.3",
        "contrato": "12345678",
        "motivo": "La factura llegó al doble",
        "medio": "correo",
        "notif_valor": "ana@correo",
        "consentimiento_confirmado": True,
    }
    assert client.post(url(conversations[0], "pqr"), json=form).status_code == 409  # not holding it
    client.post(url(conversations[0], "takeover"))
    r = client.post(url(conversations[0], "pqr"), json=form)
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"numero_documento", "notif_valor"}
    # Persona jurídica: commercial contract of a company is not filed here.
    r = client.post(
        url(conversations[0], "pqr"),
        json=dict(form, numero_documento="43512876", notif_valor="ana@correo.com", contrato="77701"),
    )
    assert r.status_code == 422 and r.json()["blocked_by"]["regla"] == "persona_juridica"
    r = client.post(
        url(conversations[0], "pqr"), json=dict(form, numero_documento="43512876", notif_valor="ana@correo.com")
    )
    assert r.status_code == 201, r.text
    pqr = r.json()["pqr"]
    assert pqr["radicado_por"] == "ana@epm.test" and pqr["contrato"] == "12345678"
    assert pqr["medio_notificacion"] == {"tipo": "correo", "valor": "ana@correo.com"}
    assert any(e["tipo"] == "transcripcion" and "me llegó muy cara" in e["contenido"] for e in pqr["evidencias"])
    assert pqr["numero"] in r.json()["confirmation_text"]
    assert [p["numero"] for p in client.get(url(conversations[0])).json()["pqrs"]] == [pqr["numero"]]
    assert console.store.list_consentimientos(conversations[0])[0].aceptado


def test_audit_log_records_what_staff_did(app, conversations):
    ana = login(app, "ana@epm.test")
    ana.get(url(conversations[1]))
    ana.post(url(conversations[1], "takeover"))
    ana.post(url(conversations[1], "messages"), json={"text": "Hola"})
    ana.post(url(conversations[1], "handback"), json={"resume": True})
    admin = login(app, "admin@epm.test")
    actions = [e["action"] for e in admin.get("/api/audit?actor=ana@epm.test").json()["entries"]]
    assert actions[::-1] == ["login", "open_conversation", "takeover", "reply", "handback"]


def test_quick_replies_are_edited_by_admins(app):
    admin = login(app, "admin@epm.test")
    r = admin.post("/api/quick-replies", json={"title": "Factura", "text": "Envíame una foto de la factura."})
    assert r.status_code == 201
    agent = login(app, "ana@epm.test")
    titles = [q["title"] for q in agent.get("/api/quick-replies").json()["quick_replies"]]
    assert "Factura" in titles
    new_id = r.json()["id"]
    assert agent.put(f"/api/quick-replies/{new_id}", json={"title": "x", "text": "y"}).status_code == 403
    assert admin.put(f"/api/quick-replies/{new_id}", json={"title": "Factura", "text": "  "}).status_code == 400
    changed = admin.put(f"/api/quick-replies/{new_id}", json={"title": "Foto", "text": "Una foto, porfa."})
    assert changed.status_code == 200
    assert admin.delete("/api/quick-replies/99999").status_code == 404
    by_id = {q["id"]: q for q in agent.get("/api/quick-replies").json()["quick_replies"]}
    assert by_id[new_id]["text"] == "Una foto, porfa." and by_id[new_id]["updated_by"] == "admin@epm.test"
    assert admin.delete(f"/api/quick-replies/{new_id}").status_code == 200
    assert new_id not in {q["id"] for q in agent.get("/api/quick-replies").json()["quick_replies"]}


def test_dashboard_counts_conversations_hand_overs_and_pqrs_by_agents(app, conversations):
    client = login(app, "ana@epm.test")
    client.post(url(conversations[1], "takeover"))
    client.post(url(conversations[1], "messages"), json={"text": "Hola"})
    r = client.post(
        url(conversations[1], "pqr"),
        json={
            "nombre": "Ana Pérez",
            "numero_documento": "43512876",
            "contrato": "12345678",
            "medio": "correo",
            "motivo": "La factura llegó al doble",
            "notif_valor": "ana@correo.com",
            "consentimiento_confirmado": True,
        },
    )
    assert r.status_code == 201
    d = client.get("/api/dashboard?days=7").json()
    t = d["totals"]
    assert len(d["days"]) == 7 and t["conversations"] == 2 and t["handed_over"] == 1
    assert t["containment_rate"] == 0.5 and t["pqrs_agents"] == 1 and t["pqrs_assistant"] == 0
    assert t["waiting_p50_seconds"] is not None and t["first_reply_p50_seconds"] is not None
    wa = [row for row in d["rows"] if row["channel"] == "WhatsApp"]  # the customer wrote 21 h ago: 1 or 2 days
    assert sum(r["pqrs_agents"] for r in wa) == 1 and sum(r["handed_over"] for r in wa) == 1


def test_logout_ends_the_session(app):
    client = login(app, "ana@epm.test")
    assert client.delete("/api/session").status_code == 200
    assert client.get("/api/conversations").status_code == 401


def test_disabled_account_loses_its_session(app, console):
    client = login(app, "beto@epm.test")
    console.accounts.disable("beto@epm.test")
    assert client.get("/api/conversations").status_code == 401


def test_search_by_document_phone_and_pqr_number(app, console, conversations):
    from bot.events.store import EventStore

    EventStore(console.engine).add_event(
        {
            "event": "slot",
            "sender_id": conversations[0],
            "name": "numero_documento",
            "value": "43512876",
            "timestamp": 1767225600.0,
        }
    )
    client = login(app, "ana@epm.test")
    assert [r["id"] for r in client.get("/api/conversations?q=43512876").json()["conversations"]] == [conversations[0]]
    by_phone = client.get("/api/conversations?q=3001112233").json()["conversations"]
    assert [r["id"] for r in by_phone] == [conversations[1]]


def test_a_customer_nobody_takes_is_told_once(console, conversations):
    import asyncio
    from datetime import datetime, timedelta, timezone

    later = datetime.now(timezone.utc) + timedelta(minutes=20)
    console.service.clock = lambda: later
    assert asyncio.run(console.service.notify_waiting_timeouts(900)) == 1
    assert asyncio.run(console.service.notify_waiting_timeouts(900)) == 0
    [call] = console.service.outbound.calls
    assert call[1] == conversations[1] and "nadie del equipo" in call[2]


def test_corrected_intake_fields_become_rasa_slots(app, console, conversations):
    client = login(app, "ana@epm.test")
    form = {
        "nombre": "Ana María Pérez",
        "numero_documento": "12",
        "contrato": "12345678",
        "medio": "correo",
        "notif_valor": "ana@correo.com",
    }
    assert client.put(url(conversations[0], "intake"), json=form).status_code == 409
    client.post(url(conversations[0], "takeover"))
    r = client.put(url(conversations[0], "intake"), json=form)
    assert r.status_code == 200
    assert set(r.json()["errors"]) == {"numero_documento"}
    saved = r.json()["saved"]
    assert saved == {"nombre": "Ana María Pérez", "contrato": "12345678", "notif_correo": "ana@correo.com"}
    assert ("set_slots", conversations[0], saved) in console.rasa.calls


def test_a_closed_conversation_the_customer_reopens_is_back_with_the_assistant(app, console, conversations):
    import time

    from bot.events.store import EventStore
    from tests.bot.console.conftest import user_event

    client = login(app, "ana@epm.test")
    client.post(url(conversations[1], "takeover"))
    client.post(url(conversations[1], "handback"), json={"resume": False})
    closed = client.get("/api/conversations?state=closed").json()["conversations"]
    assert [r["id"] for r in closed] == [conversations[1]]
    EventStore(console.engine).add_event(user_event(conversations[1], "hola otra vez", "whatsapp", at=time.time() + 1))
    rows = {r["id"]: r for r in client.get("/api/conversations").json()["conversations"]}
    assert rows[conversations[1]]["state"] == "bot" and rows[conversations[1]]["preview"] == "hola otra vez"


def test_the_guard_covers_the_mounted_workbench_too(app):
    from starlette.testclient import TestClient as Client

    assert Client(app).post("/api/nlu/flags", json={}).status_code == 401
    trainer = login(app, "eva@epm.test")
    token = trainer.headers.pop("X-CSRF-Token")
    assert trainer.post("/api/nlu/flags", json={}).status_code == 403  # no CSRF token
    agent = login(app, "ana@epm.test")
    assert agent.get("/api/nlu/inbox").status_code == 403  # an agent is not a trainer
    trainer.headers["X-CSRF-Token"] = token
    assert trainer.get("/api/nlu/inbox").status_code == 200
