"""``PQRBOT_PROFILE=production`` end to end: PostgreSQL (CRM, tracker, inbound queue), Redis locks,
two Rasa Sanic workers, the ingress process and HAProxy as the one front door.

Runs when PQRBOT_TEST_POSTGRES_URL and PQRBOT_TEST_REDIS_URL are set and Debian's haproxy is
installed (``make test`` installs it)."""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.conftest import _free_port, start_server, stop_server
from tests.e2e.test_whatsapp_followup import ACCOUNT, BOT_NUMBER, sign
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.server
PG = os.environ.get("PQRBOT_TEST_POSTGRES_URL")
REDIS = os.environ.get("PQRBOT_TEST_REDIS_URL")


def processes(pattern: str) -> int:
    n = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if pattern in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode():
                n += 1
        except OSError:
            pass
    return n


def post_whatsapp(front: str, public: str, number: str, body: str) -> int:
    path = "/webhooks/whatsapp/webhook"
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
        front + path,
        data=urllib.parse.urlencode(params).encode(),
        headers={
            "X-Twilio-Signature": sign(public + path, params),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status


@pytest.mark.skipif(not (PG and REDIS), reason="needs PQRBOT_TEST_POSTGRES_URL and PQRBOT_TEST_REDIS_URL")
@pytest.mark.skipif(
    not shutil.which("haproxy") and not Path("/usr/sbin/haproxy").exists(),
    reason="Debian's haproxy is not installed (make test installs it)",
)
def test_production_profile_two_rasa_workers_behind_haproxy_keep_each_conversation_in_order(tmp_path):
    balancer = _free_port()
    front = f"http://127.0.0.1:{balancer}"
    with FakeTwilio() as fake:
        proc, srv = start_server(
            tmp_path,
            {
                "PQRBOT_PROFILE": "production",
                "PQRBOT_DATABASE_URL": PG,
                "PQRBOT_LOCK_STORE_URL": REDIS,
                "PQRBOT_RASA_WORKERS": "2",
                "PQRBOT_BALANCER_PORT": str(balancer),
                "PQRBOT_INGRESS_PORT": str(_free_port()),
                "TWILIO_ACCOUNT_SID": ACCOUNT,
                "TWILIO_AUTH_TOKEN": "e2e-twilio-auth-token",
                "TWILIO_WHATSAPP_NUMBER": BOT_NUMBER,
                "TWILIO_API_BASE_URL": fake.url,
                "PQRBOT_PUBLIC_URL": front,
            },
        )
        try:
            assert processes("bot.rasa_server") >= 3, "the Rasa server and its two Sanic workers"
            # Through the front door: the REST channel goes to Rasa ...
            srv.base = front
            sender = f"prod-{uuid.uuid4().hex[:8]}"
            _, replies = srv.talk(
                [
                    "me llego muy cara la factura del gas",
                    "si",
                    "Sofia Vergara cc 52111222",
                    "contrato 12345678",
                    "sofia.v@gmail.com",
                    "si",
                ],
                sender=sender,
            )
            [p] = srv.pqrs_of(sender)
            assert p["numero"] in replies[-1][0]
            # ... and provider webhooks to the ingress, answered at once; one customer's burst is
            # handled in the order sent even with two workers taking turns.
            number = f"whatsapp:+5730{uuid.uuid4().int % 10**8:08d}"
            lines = ["hola, me llegó muy cara la factura del agua", "sí", "Ana María Gómez", "cc 43512876"]
            for line in lines:
                t0 = time.monotonic()
                assert post_whatsapp(front, front, number, line) == 200
                assert time.monotonic() - t0 < 5
            engine = create_engine(PG, future=True)
            deadline = time.monotonic() + 120
            texts = []
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    texts = [
                        json.loads(d)["text"]
                        for (d,) in conn.execute(
                            text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
                            {"s": number},
                        )
                    ]
                    pending = conn.execute(
                        text("SELECT count(*) FROM inbound_queue WHERE conversation_id = :s AND state <> 'done'"),
                        {"s": number},
                    ).scalar()
                if len(texts) == len(lines) and pending == 0:
                    break
                time.sleep(1)
            engine.dispose()
            assert texts == lines
            assert len(fake.to(number)) >= len(lines), "every message answered on WhatsApp"
            # operations endpoints through the balancer
            with urllib.request.urlopen(front + "/metrics", timeout=10) as resp:
                metrics = resp.read().decode()
            assert "pqrbot_inbound_queue" in metrics and "pqrbot_messages_in_total" in metrics
            with urllib.request.urlopen(front + "/readyz", timeout=10) as resp:
                assert resp.status == 200
        finally:
            stop_server(proc)
