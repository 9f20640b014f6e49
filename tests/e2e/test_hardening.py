"""Issue 8 end to end, all on loopback: a WhatsApp customer files over signed webhooks against a
fake Twilio; then an outsider attacks that conversation from the REST channel, forges an X
delivery through the CRC endpoint, calls the action server without Rasa's token, and replays a
delivery. The assistant was started with a Rasa API token that starts with "-"."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import start_server, stop_server
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.server

TOKEN = "e2e-twilio-auth-token"
ACCOUNT = "AC" + "0" * 28 + "e2e8"
BOT_NUMBER = "whatsapp:+14155238886"
CUSTOMER = "whatsapp:+573001118888"
X_SECRET = "e2e-x-consumer-secret"
API_TOKEN = "-e2e-token-starting-with-a-dash"


def sign(url: str, params: dict) -> str:
    data = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(TOKEN.encode(), data.encode(), hashlib.sha1).digest()).decode()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with FakeTwilio() as fake:
        proc, srv = start_server(
            tmp_path_factory.mktemp("hardening"),
            {
                "TWILIO_ACCOUNT_SID": ACCOUNT,
                "TWILIO_AUTH_TOKEN": TOKEN,
                "TWILIO_WHATSAPP_NUMBER": BOT_NUMBER,
                "TWILIO_API_BASE_URL": fake.url,
                "PQRBOT_PUBLIC_URL": "http://127.0.0.1:{rasa_port}",
                "TWITTER_CONSUMER_SECRET": X_SECRET,
                "TWITTER_BEARER_TOKEN": "e2e-x-bearer",
                "TWITTER_API_BASE_URL": fake.url,
                "PQRBOT_RASA_API_TOKEN": API_TOKEN,
                # the action server's own guards are tested here (the embedded default runs the
                # actions inside Rasa: bot/perf/inprocess_actions.py)
                "PQRBOT_ACTIONS": "server",
            },
        )
        try:
            yield proc, srv, fake
        finally:
            stop_server(proc)


def whatsapp_params(body: str, sid: str = None) -> dict:
    sid = sid or "SM" + uuid.uuid4().hex
    return {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": ACCOUNT,
        "From": CUSTOMER,
        "To": BOT_NUMBER,
        "Body": body,
        "NumMedia": "0",
        "ProfileName": "Cliente",
        "WaId": CUSTOMER.split("+")[1],
    }


def send_whatsapp(srv, params: dict) -> int:
    url = srv.base + "/webhooks/whatsapp/webhook"
    req = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(params).encode(),
        headers={"X-Twilio-Signature": sign(url, params), "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status


def wait_for(fake, count, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(fake.to(CUSTOMER)) >= count:
            return fake.to(CUSTOMER)
        time.sleep(0.2)
    raise AssertionError(f"expected {count} messages, got {fake.to(CUSTOMER)}")


def http(method: str, url: str, body: bytes = None, headers: dict = None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def rest(srv, sender: str, message: str, **extra):
    status, body = http(
        "POST",
        srv.base + "/webhooks/rest/webhook",
        json.dumps({"sender": sender, "message": message, **extra}).encode(),
        {"Content-Type": "application/json"},
    )
    return status, json.loads(body or b"null")


def listening_addresses(port: int) -> set:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            local, state = parts[1], parts[3]
            address, hexport = local.rsplit(":", 1)
            if state == "0A" and int(hexport, 16) == port:
                found.add(address)
    return found


def children_cmdlines(pid: int) -> list:
    lines, queue = [], [pid]
    while queue:
        parent = queue.pop()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                if ppid == parent:
                    queue.append(int(entry.name))
                    lines.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except (OSError, ValueError, IndexError):
                continue
    return lines


def test_whatsapp_customer_files_then_outsiders_cannot_read_or_steer_the_conversation(stack):
    proc, srv, fake = stack
    # 1. the WhatsApp customer files a reclamo over signed webhooks
    first = whatsapp_params("hola, me llegó muy cara la factura de la luz")
    assert send_whatsapp(srv, first) == 200
    wait_for(fake, 1)
    for line in ["sí", "Soy Juan Pérez cc 1036654321 contrato 12345678", "no tengo correo", "3001234567", "sí"]:
        before = len(fake.to(CUSTOMER))
        send_whatsapp(srv, whatsapp_params(line))
        wait_for(fake, before + 1)
    [pqr] = [p for p in srv.pqrs() if p["conversation_id"] == CUSTOMER]
    assert pqr["canal"] == "WhatsApp" and any(pqr["numero"] in (m.get("Body") or "") for m in fake.to(CUSTOMER))
    sent_to_customer = len(fake.to(CUSTOMER))

    # 2. REST: naming the WhatsApp conversation reaches a conversation of its own
    status, replies = rest(srv, CUSTOMER, "¿cuál era el número de mi reclamo?")
    assert status == 200
    text = " ".join(r.get("text", "") for r in replies)
    assert pqr["numero"] not in text and "3001234567" not in text and "Juan" not in text
    status, replies = rest(srv, CUSTOMER, "/ /afirmar")
    assert status == 200 and "palabras" in replies[0]["text"]
    # the REST PQR keeps the client's id, and metadata cannot choose its canal
    sender = f"e2e-rest-{uuid.uuid4().hex[:6]}"
    for line in [
        "hola, me llegó muy cara la factura de la luz",
        "sí",
        "Soy Ana López cc 43512876 contrato 55501",
        "ana@example.com",
        "sí",
    ]:
        assert rest(srv, sender, line, metadata={"canal": "WhatsApp"})[0] == 200
    [mine] = srv.pqrs_of(sender)
    assert mine["canal"] == "Chat EPM"
    assert len(fake.to(CUSTOMER)) == sent_to_customer  # nothing reached the WhatsApp customer

    # 3. a 3 MB body is refused at once
    started = time.monotonic()
    status, _ = http(
        "POST",
        srv.base + "/webhooks/rest/webhook",
        b"{" + b" " * 3_000_000 + b"}",
        {"Content-Type": "application/json"},
    )
    assert status == 413 and time.monotonic() - started < 10

    # 4. X: the CRC endpoint signs no delivery
    forged = json.dumps(
        {
            "for_user_id": "1",
            "direct_message_events": [
                {
                    "type": "message_create",
                    "id": "666",
                    "created_timestamp": "1767225600000",
                    "message_create": {"sender_id": "666", "message_data": {"text": "/afirmar"}},
                }
            ],
        }
    )
    x_url = srv.base + "/webhooks/twitter/webhook"
    status, _ = http("GET", x_url + "?" + urllib.parse.urlencode({"crc_token": forged}))
    assert status == 400
    status, answer = http("GET", x_url + "?crc_token=MjE0YjU4OGMtNzY4Yi00YjJmLWI1OTMtYTI2MzY4ODI3YzQ5")
    assert status == 200
    status, _ = http(
        "POST",
        x_url,
        b"MjE0YjU4OGMtNzY4Yi00YjJmLWI1OTMtYTI2MzY4ODI3YzQ5",
        {"x-twitter-webhooks-signature": json.loads(answer)["response_token"]},
    )
    assert status in (400, 403)
    status, _ = http("POST", x_url, forged.encode(), {"x-twitter-webhooks-signature": "sha256=bm9wZQ=="})
    assert status == 403

    # 5. the action server listens on loopback only and refuses calls without Rasa's token
    actions_port = int(srv.env["PQRBOT_ACTIONS_PORT"])
    addresses = listening_addresses(actions_port)
    assert addresses and addresses <= {"0100007F", "00000000000000000000000001000000"}, addresses
    call = json.dumps(
        {
            "next_action": "action_numero_pqr",
            "sender_id": CUSTOMER,
            "version": "3.6.2",
            "tracker": {"sender_id": CUSTOMER, "slots": {}, "events": [], "latest_message": {}},
            "domain": {},
        }
    ).encode()
    status, body = http("POST", f"http://127.0.0.1:{actions_port}/webhook", call, {"Content-Type": "application/json"})
    assert status == 403 and pqr["numero"].encode() not in body

    # 6. a replayed delivery is acknowledged and not processed again
    before = len(fake.to(CUSTOMER))
    assert send_whatsapp(srv, first) == 200
    time.sleep(5)
    assert len(fake.to(CUSTOMER)) == before

    # 7. the Rasa API token (starting with "-") works, and no secret is on any command line
    status, _ = http("GET", srv.base + "/status?" + urllib.parse.urlencode({"token": API_TOKEN}))
    assert status == 200
    assert http("GET", srv.base + "/status")[0] == 401
    cmdlines = children_cmdlines(proc.pid)
    assert any("bot.rasa_server" in c for c in cmdlines) and any("bot.action_server" in c for c in cmdlines)
    assert not any(API_TOKEN in c or "--auth-token" in c or TOKEN in c for c in cmdlines)
    # 8. every body is capped, not only the channels' (Sanic's limit in the Rasa process)
    status, _ = http("POST", srv.base + "/webhooks/webchat/session", b"x" * 3_000_000)
    assert status == 413
    # 9. the customer's name, document, phone and address never reach the logs
    logs = srv.log.read_text(errors="replace")
    for secret in ("Juan Pérez", "1036654321", "3001234567", "Ana López", "43512876", "ana@example.com"):
        assert secret not in logs, secret
    data = Path(srv.env["PQRBOT_DATA_DIR"])
    for path in [
        data / "run" / "endpoints.yml",
        data / "run" / "credentials.yml",
        data / "pqrbot.db",
        data / "tracker.db",
    ]:
        assert path.stat().st_mode & 0o777 == 0o600, path


def test_a_dead_child_is_restarted_and_the_assistant_goes_on(stack):
    import signal

    proc, srv, _fake = stack
    actions_port = int(srv.env["PQRBOT_ACTIONS_PORT"])
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if (
                entry.name.isdigit()
                and b"bot.action_server" in (entry / "cmdline").read_bytes()
                and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == proc.pid
            ):
                pids.append(int(entry.name))
        except OSError:
            continue
    assert len(pids) == 1, pids
    os.kill(pids[0], signal.SIGKILL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        log = srv.log.read_text(errors="replace")
        if "restarting action server" in log and listening_addresses(actions_port):
            break
        time.sleep(1)
    log = srv.log.read_text(errors="replace")
    assert "action server exited with code" in log and "restarting action server" in log
    assert proc.poll() is None, "the supervisor and the other children go on"
    time.sleep(3)
    status, replies = rest(srv, f"after-restart-{uuid.uuid4().hex[:6]}", "¿cuál era el número de mi reclamo?")
    # answered by a custom action (action_numero_pqr): the restarted action server serves it
    assert status == 200 and "Todavía no tienes" in " ".join(r.get("text", "") for r in replies)
