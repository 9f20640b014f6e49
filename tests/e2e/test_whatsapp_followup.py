"""A WhatsApp customer who goes silent gets exactly one closing message; one who answers, none.

The whole stack runs: Twilio-signed webhooks into `pqrbot run` (Rasa, action server, worker), the
assistant's replies and the closing message out to a local fake of Twilio's Messages API."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
import urllib.request
import uuid

import pytest

from tests.e2e.conftest import start_server, stop_server
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.server

TOKEN = "e2e-twilio-auth-token"
ACCOUNT = "AC" + "0" * 28 + "e2e0"
BOT_NUMBER = "whatsapp:+14155238886"
CLOSING_WORDS = "cerramos esta solicitud"  # the closing: not handled without the data


def sign(url: str, params: dict) -> str:
    data = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(TOKEN.encode(), data.encode(), hashlib.sha1).digest()).decode()


@pytest.fixture(scope="module")
def whatsapp(tmp_path_factory):
    with FakeTwilio() as fake:
        proc, srv = start_server(
            tmp_path_factory.mktemp("wa"),
            {
                "TWILIO_ACCOUNT_SID": ACCOUNT,
                "TWILIO_AUTH_TOKEN": TOKEN,
                "TWILIO_WHATSAPP_NUMBER": BOT_NUMBER,
                "TWILIO_API_BASE_URL": fake.url,
                "PQRBOT_PUBLIC_URL": "http://127.0.0.1:{rasa_port}",
                "PQRBOT_FOLLOWUP_AFTER": "6s",
            },
        )
        yield srv, fake
        stop_server(proc)


def send(srv, number: str, body: str) -> int:
    url = srv.base + "/webhooks/whatsapp/webhook"
    sid = "SM" + uuid.uuid4().hex
    params = {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": ACCOUNT,
        "From": number,
        "To": BOT_NUMBER,
        "Body": body,
        "NumMedia": "0",
        "ProfileName": "Cliente",
        "WaId": number.split("+")[1],
    }
    req = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(params).encode(),
        headers={"X-Twilio-Signature": sign(url, params), "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status


def wait_replies(fake, number, count, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(fake.to(number)) >= count:
            return fake.to(number)
        time.sleep(0.2)
    raise AssertionError(f"expected {count} messages to {number}, got {fake.to(number)}")


def closings(fake, number):
    return [m for m in fake.to(number) if CLOSING_WORDS in (m.get("Body") or "").lower()]


def test_silent_customer_gets_exactly_one_closing_and_a_customer_who_answers_none(whatsapp):
    srv, fake = whatsapp
    silent, talker = "whatsapp:+573001110001", "whatsapp:+573001110002"
    assert send(srv, silent, "hola, me llegó muy cara la factura de la luz") == 200
    assert send(srv, talker, "hola, me llegó muy cara la factura de la luz") == 200
    wait_replies(fake, silent, 1)
    wait_replies(fake, talker, 1)
    # The one who answers gives everything and files before the delay runs out.
    for line in ["sí", "Soy Juan Pérez cc 1036654321 contrato 12345678", "no tengo correo", "3001234567", "sí"]:
        before = len(fake.to(talker))
        send(srv, talker, line)
        wait_replies(fake, talker, before + 1)
    assert any("PQR-" in (m.get("Body") or "") for m in fake.to(talker))
    time.sleep(14)  # delay 6 s + worker polling, with margin
    assert len(closings(fake, silent)) == 1, fake.to(silent)
    assert closings(fake, talker) == []
    time.sleep(4)
    assert len(closings(fake, silent)) == 1  # exactly once
    [pqr] = [p for p in srv.pqrs() if p["conversation_id"] == talker]
    assert pqr["canal"] == "WhatsApp"


def test_forged_webhook_is_refused(whatsapp):
    srv, fake = whatsapp
    url = srv.base + "/webhooks/whatsapp/webhook"
    params = {
        "MessageSid": "SMforged",
        "From": "whatsapp:+573009999999",
        "To": BOT_NUMBER,
        "Body": "hola",
        "AccountSid": ACCOUNT,
        "NumMedia": "0",
    }
    req = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(params).encode(),
        headers={"X-Twilio-Signature": "bm90LXZhbGlk", "Content-Type": "application/x-www-form-urlencoded"},
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=30)
    assert err.value.code == 403
    time.sleep(2)
    assert fake.to("whatsapp:+573009999999") == []


def test_after_the_closing_a_new_message_starts_afresh(whatsapp):
    srv, fake = whatsapp
    number = "whatsapp:+573001110003"
    send(srv, number, "me cobraron doble el agua")
    wait_replies(fake, number, 1)
    send(srv, number, "si")
    wait_replies(fake, number, 2)  # asked for the name
    deadline = time.monotonic() + 30
    while not closings(fake, number) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert len(closings(fake, number)) == 1
    before = len(fake.to(number))
    send(srv, number, "hola, sigo con el problema de la factura")
    replies = wait_replies(fake, number, before + 1)
    assert "Ley 1581" in replies[-1]["Body"], "a new intake asks for consent again"
