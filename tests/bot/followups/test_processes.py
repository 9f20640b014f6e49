"""Real worker processes (``python -m bot.cli worker``, as the supervisor starts it) with the
real outbound service, sending to a local fake of Twilio's API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.conversation_hooks import ConversationRef
from bot.followups.hooks import FollowupHooks
from bot.followups.schema import CANCELLED, SENT, TEXT
from bot.followups.store import FollowupStore
from bot.schema import upgrade_all
from core.clock import utcnow
from crm_adapter.db import make_engine
from tests.fakes.twilio import FakeTwilio

outbound_pkg = pytest.importorskip("bot.outbound.service", reason="the outbound service has not landed")
from bot.outbound import build_log, build_registry  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
POLL = "0.2"


def prepare(url: str):
    """Schema of every component; then the registry and follow-up store."""
    engine = make_engine(url)
    upgrade_all(engine)
    return engine, build_registry(None, engine), FollowupStore(engine)


def whatsapp(n: int) -> ConversationRef:
    return ConversationRef(f"whatsapp:+5730011100{n:02d}", "whatsapp", "WhatsApp")


def customer_writes(registry, ref: ConversationRef) -> None:
    registry.touch(ref.conversation_id, ref.input_channel, ref.canal, ref.conversation_id, utcnow())


class Worker:
    def __init__(self, url: str, twilio: FakeTwilio, tmp: Path, name: str) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PQRBOT_", "TWILIO_", "META_", "TELEGRAM_", "TWITTER_"))
        }
        env.update(
            PQRBOT_DATABASE_URL=url,
            PQRBOT_DATA_DIR=str(tmp),
            TWILIO_ACCOUNT_SID="AC" + "0" * 32,
            TWILIO_AUTH_TOKEN="test-token",
            TWILIO_WHATSAPP_NUMBER="+14155238886",
            TWILIO_API_BASE_URL=twilio.url,
            PYTHONPATH=str(ROOT),
            RASA_TELEMETRY_ENABLED="false",
        )
        self.log = tmp / f"{name}.log"
        self._log = open(self.log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "worker", "--poll-interval", POLL],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "followup worker" in self.log.read_text() and "started" in self.log.read_text():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"worker did not start:\n{self.log.read_text()}")

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(10)
        finally:
            self._log.close()

    def cleanup(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._log.close()


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(url, twilio, name):
        w = Worker(url, twilio, tmp_path, name)
        started.append(w)
        return w

    yield start
    for w in started:
        w.cleanup()


def test_follow_up_survives_a_killed_worker_and_goes_out_once(db_url, workers):
    engine, registry, store = prepare(db_url)
    silent, answered = whatsapp(1), whatsapp(2)
    hooks = FollowupHooks(store, delay_seconds=2, raise_errors=True)
    with FakeTwilio() as twilio:
        first = workers(db_url, twilio, "first")
        first.wait_ready()
        for ref in (silent, answered):
            customer_writes(registry, ref)
            hooks.data_requested(ref, "numero_documento")
        first.kill9()  # kill -9 between scheduling and due time
        assert twilio.messages == []

        customer_writes(registry, answered)  # this customer answers
        hooks.customer_replied(answered)

        second = workers(db_url, twilio, "second")
        assert twilio.wait_for(1, timeout=20), second.log.read_text()
        time.sleep(1.0)  # five more polls: nothing else goes out
        assert second.terminate() == 0  # graceful stop on SIGTERM
    [msg] = twilio.messages
    assert msg["To"] == silent.conversation_id
    assert msg["From"] == "whatsapp:+14155238886"
    assert "número de documento" in msg["Body"] and "cerramos esta solicitud" in msg["Body"]
    assert twilio.to(answered.conversation_id) == []

    [fu] = store.list(conversation_id=silent.conversation_id)
    assert (fu.status, fu.delivery) == (SENT, TEXT)
    assert fu.provider_message_id and fu.provider_message_id.startswith("SM")
    assert store.list(conversation_id=answered.conversation_id)[0].status == CANCELLED
    assert store.is_closed_for_lack_of_info(silent.conversation_id)
    # proof that the customer was informed: the outbound log row, with its delivery status
    [record] = build_log(None, engine).list(conversation_id=silent.conversation_id)
    assert (record.status, record.purpose) == ("sent", "followup_closing")
    assert record.id == fu.outbound_message_id
    engine.dispose()


def test_two_worker_processes_send_each_closing_once(db_url, workers):
    engine, registry, store = prepare(db_url)
    refs = [whatsapp(n) for n in range(8)]
    with FakeTwilio() as twilio:
        pair = [workers(db_url, twilio, "a"), workers(db_url, twilio, "b")]
        for w in pair:
            w.wait_ready()
        hooks = FollowupHooks(store, delay_seconds=1, raise_errors=True)
        for ref in refs:
            customer_writes(registry, ref)
            hooks.data_requested(ref, "nombre")
        assert twilio.wait_for(len(refs), timeout=20)
        time.sleep(1.0)
        codes = [w.terminate() for w in pair]
        assert codes == [0, 0], "\n".join(w.log.read_text() for w in pair)
    assert sorted(m["To"] for m in twilio.messages) == sorted(r.conversation_id for r in refs)
    assert {f.status for f in store.list()} == {SENT}
    engine.dispose()
