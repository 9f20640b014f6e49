"""An agent works a WhatsApp conversation in the console, in a real headless browser.

The whole stack runs (`pqrbot run`: Rasa with the event broker, action server, worker, console).
A WhatsApp customer writes over Twilio-signed webhooks and asks for a person; the agent logs in
on the page, sees the conversation appear live, takes it (the assistant goes quiet), replies
(the fake Twilio API receives the text), files the PQR from the form and hands back; the
assistant answers the customer's next message. Debian's chromium drives the page (Playwright).
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from tests.e2e.conftest import PQRBOT, ROOT, start_server, stop_server
from tests.e2e.test_whatsapp_followup import ACCOUNT, BOT_NUMBER, TOKEN, send
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.server

CHROMIUM = "/usr/bin/chromium"
AGENT, PASSWORD = "ana.ruiz@epm.test", "clave-larga-de-ana-1"
CUSTOMER = "whatsapp:+573001110077"


def bodies(fake, number=CUSTOMER):
    return [m.get("Body") or "" for m in fake.to(number)]


def wait_for_body(fake, words: str, timeout: float = 60.0, number=CUSTOMER) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for body in bodies(fake, number):
            if words.lower() in body.lower():
                return body
        time.sleep(0.2)
    raise AssertionError(f"no message to {number} with {words!r}: {bodies(fake, number)}")


def wait_count(fake, count: int, timeout: float = 60.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(bodies(fake)) >= count:
            return bodies(fake)
        time.sleep(0.2)
    raise AssertionError(f"expected {count} messages, got {bodies(fake)}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    pytest.importorskip("playwright.sync_api")
    with FakeTwilio() as fake:
        proc, srv = start_server(
            tmp_path_factory.mktemp("console"),
            {
                "TWILIO_ACCOUNT_SID": ACCOUNT,
                "TWILIO_AUTH_TOKEN": TOKEN,
                "TWILIO_WHATSAPP_NUMBER": BOT_NUMBER,
                "TWILIO_API_BASE_URL": fake.url,
                "PQRBOT_PUBLIC_URL": "http://127.0.0.1:{rasa_port}",
                "PQRBOT_ATTENTION_HOURS": "always",
                "PQRBOT_HANDOFF_EXPECTED_WAIT": "5m",
            },
        )
        try:
            made = subprocess.run(
                PQRBOT + ["users", "add", AGENT, "--name", "Ana Ruiz", "--role", "agente", "--password-stdin"],
                input=PASSWORD + "\n",
                cwd=ROOT,
                env=srv.env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert made.returncode == 0, made.stderr
            yield srv, fake
        finally:
            stop_server(proc)


@pytest.fixture(scope="module")
def page(stack):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        pg = browser.new_page(viewport={"width": 1280, "height": 860})
        pg.set_default_timeout(60_000)
        yield pg
        browser.close()


def test_agent_takes_over_replies_files_and_hands_back(stack, page):
    srv, fake = stack
    page.goto(srv.console + "/")
    page.fill("#login-email", AGENT)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#app:not(.hidden)")

    # The customer starts a reclamo, authorises the data, then asks for a person.
    send(srv, CUSTOMER, "hola, me llegó muy cara la factura de la luz")
    wait_for_body(fake, "Ley 1581")
    send(srv, CUSTOMER, "sí")
    wait_count(fake, 2)
    send(srv, CUSTOMER, "quiero hablar con un asesor")
    told = wait_for_body(fake, "persona del equipo")
    assert "5 minutos" in told

    # It appears in the inbox without reloading, as waiting, with the badge up.
    row = page.wait_for_selector(f'li[data-id="{CUSTOMER}"][data-state="waiting"]')
    assert page.inner_text("#waiting-badge") == "1"
    row.click()
    page.wait_for_function(  # the turn is stored right after Rasa answers; the page follows live
        "() => (document.querySelector('#transcript')?.innerText || '').includes('quiero hablar con un asesor')"
    )

    page.click("#takeover")
    wait_for_body(fake, "te atiendo yo")
    page.wait_for_selector("#conv-state.state-agent")

    page.fill("#reply-text", "Hola, soy Ana. ¿Me confirmas tu cédula y el contrato?")
    page.click("#send")
    wait_for_body(fake, "¿Me confirmas tu cédula y el contrato?")

    # While a person holds it, the assistant stays quiet; the message shows up live.
    before = len(bodies(fake))
    send(srv, CUSTOMER, "claro, cc 1036654321 y el contrato 12345678")
    page.wait_for_function("() => (document.querySelector('#transcript')?.innerText || '').includes('cc 1036654321')")
    time.sleep(3)
    assert len(bodies(fake)) == before, bodies(fake)[before:]

    # File the PQR from the form.
    form = page.locator("#pqr-form")
    form.locator('[name="nombre"]').fill("Juan Pérez")
    form.locator('[name="tipo_documento"]').select_option("CC")
    form.locator('[name="numero_documento"]').fill("1036654321")
    form.locator('[name="contrato"]').fill("12345678")
    form.locator('[name="motivo"]').fill("La factura de la luz llegó mucho más alta que de costumbre")
    form.locator('[name="medio"]').select_option("correo")
    form.locator('[name="notif_valor"]').fill("juan@example.com")
    page.click("#file-pqr")
    page.wait_for_function("() => (document.querySelector('#pqr-list')?.innerText || '').includes('PQR-')")
    [pqr] = srv.pqrs_of(CUSTOMER)
    assert pqr["radicado_por"] == AGENT and pqr["contrato"] == "12345678" and pqr["canal"] == "WhatsApp"

    # Hand back: the customer is told, and the assistant answers the next message.
    page.click("#handback")
    wait_for_body(fake, "asistente virtual")
    page.wait_for_selector("#conv-state.state-bot")
    before = len(bodies(fake))
    send(srv, CUSTOMER, "hola")
    replies = wait_count(fake, before + 1)
    assert "asistente" in replies[-1].lower() or "reclamo" in replies[-1].lower(), replies[-1]


class ApiAgent:
    """The JSON API as a script (or the hidden check) drives it: cookie session + CSRF header."""

    def __init__(self, base: str, email: str, password: str) -> None:
        import http.cookiejar
        import urllib.request

        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        status, body = self.call("POST", "/api/session", {"email": email, "password": password})
        assert status == 200, body
        self.csrf = body["csrf_token"]

    def call(self, method: str, path: str, body=None):
        import json
        import urllib.error
        import urllib.request

        headers = {"Content-Type": "application/json"}
        if getattr(self, "csrf", None):
            headers["X-CSRF-Token"] = self.csrf
        req = urllib.request.Request(
            self.base + path,
            method=method,
            headers=headers,
            data=json.dumps(body).encode() if body is not None else None,
        )
        try:
            with self.opener.open(req, timeout=60) as resp:
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")


def test_rest_customer_handed_over_through_the_json_api(stack):
    from urllib.parse import quote

    srv, _ = stack
    made = subprocess.run(
        PQRBOT + ["users", "add", "beto@epm.test", "--name", "Beto Gil", "--role", "agente", "--password-stdin"],
        input="otra-clave-larga\n",
        cwd=ROOT,
        env=srv.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    ana, beto = ApiAgent(srv.console, AGENT, PASSWORD), ApiAgent(srv.console, "beto@epm.test", "otra-clave-larga")
    from bot.conversation_ids import namespaced

    sender, replies = srv.talk(["me llegó muy cara la factura del agua", "quiero hablar con un asesor"])
    assert any("persona del equipo" in r for r in replies[1]), replies
    conversation = namespaced("rest", sender)  # Rasa's id of a REST client
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, body = ana.call("GET", "/api/conversations?state=waiting")
        rows = [c for c in body["conversations"] if c["id"] == conversation]
        if rows and rows[0]["preview"] == "quiero hablar con un asesor":
            break
        time.sleep(0.5)
    assert rows and rows[0]["state"] == "waiting" and rows[0]["channel"] == "Chat EPM", body
    path = "/api/conversations/" + quote(conversation, safe="")
    assert ana.call("POST", path + "/takeover")[0] == 200
    assert beto.call("POST", path + "/takeover")[0] == 409
    assert srv.say(sender, "¿hay alguien?") == []  # paused: the assistant stays quiet
    status, body = ana.call("POST", path + "/messages", {"text": "Hola, soy Ana."})
    assert status == 202, body
    status, body = ana.call("GET", path)
    assert [m["from"] for m in body["messages"]][-1] == "agent" and body["messages"][-1]["text"] == "Hola, soy Ana."
    assert any(m["text"] == "¿hay alguien?" and m["from"] == "customer" for m in body["messages"])
    assert body["messages"][-1]["delivery"] == "web"  # REST cannot push: kept for the web chat page to poll
    assert ana.call("POST", path + "/handback", {"resume": True})[0] == 200
    assert srv.say(sender, "hola") != []  # the assistant answers again
