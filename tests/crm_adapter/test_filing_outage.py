"""Issue 8, fault test: the CRM database (PostgreSQL) becomes unreachable in the middle of filing.

PostgreSQL is reached through a local TCP proxy that the test cuts and restores (or stalls). The
customer is told the reclamo is received; when the database is back the worker's drainer files
it and the number reaches the customer through the outbound service (a fake Twilio on
loopback): exactly one PQR, exactly one number message, even when the action is retried.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from urllib.parse import quote

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine, text

from actions.deps import Deps
from actions.filing import ActionCerrarSolicitud
from bot.config import load_settings
from bot.outbox import FILED, NOTIFIED, PENDING, Outbox, OutboxDrainer
from crm_adapter.db import make_engine
from crm_adapter.sql import SqlStore
from tests.actions.test_actions import full_slots, tracker
from tests.conftest import demo_contratos
from tests.fakes.hooks import RecordingHooks
from tests.fakes.twilio import FakeTwilio

PG_URL = os.environ.get("PQRBOT_TEST_POSTGRES_URL")
pytestmark = [pytest.mark.postgres, pytest.mark.skipif(not PG_URL, reason="PQRBOT_TEST_POSTGRES_URL not set")]
WA = "whatsapp:+573001234567"


class TcpProxy:
    """127.0.0.1:<port> -> target. ``cut()`` drops every connection and refuses new ones;
    ``stall()`` accepts but forwards nothing; ``restore()`` forwards again (same port)."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = "up"
        self._lock = threading.Lock()
        self._conns: list = []
        self._listener = None
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._listen()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._conns.append(client)
            if self.mode == "stall":
                continue  # held open, nothing forwarded
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns.append(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _drop_all(self) -> None:
        with self._lock:
            conns, self._conns = self._conns, []
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    def _close_listener(self) -> None:
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            except OSError:
                pass
            self._listener.close()
            self._listener = None

    def cut(self) -> None:
        self.mode = "down"
        self._close_listener()
        self._drop_all()

    def stall(self) -> None:
        self.cut()
        self.mode = "stall"
        self._listen()

    def restore(self) -> None:
        self._close_listener()
        self._drop_all()
        self.mode = "up"
        self._listen()

    def close(self) -> None:
        self.cut()


@pytest.fixture
def outage(tmp_path):
    from sqlalchemy.engine import make_url

    from bot.schema import upgrade_all

    real = make_url(PG_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, future=True)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
    proxied = real.set(host="127.0.0.1", port=proxy.port)
    url = proxied.render_as_string(hide_password=False)
    url += ("&" if "?" in url else "?") + "options=" + quote(f"-csearch_path={schema}") + "&connect_timeout=3"
    engine = make_engine(url)
    upgrade_all(engine)
    store = SqlStore(engine)
    store.upsert_contratos(demo_contratos())
    try:
        yield proxy, store, url
    finally:
        proxy.close()
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def world(tmp_path, store, url, fake, timeout="20"):
    from bot.outbound import build_outbound, build_registry

    settings = load_settings(
        {
            "PQRBOT_DATA_DIR": str(tmp_path),
            "PQRBOT_DATABASE_URL": url,
            "PQRBOT_FILING_TIMEOUT": timeout,
            "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
            "TWILIO_AUTH_TOKEN": "tok",
            "TWILIO_WHATSAPP_NUMBER": "+14155238886",
            "TWILIO_API_BASE_URL": fake.url,
        }
    )
    registry = build_registry(settings, store.engine)
    outbound = build_outbound(settings, store.engine, registry=registry, max_attempts=1, jitter=0)
    deps = Deps(store=store, hooks=RecordingHooks(), settings=settings)
    return settings, registry, outbound, deps


async def test_crm_down_in_the_middle_of_filing_then_back_exactly_one_pqr_whose_number_reached_the_customer(
    outage, tmp_path
):
    from datetime import datetime, timezone

    proxy, store, url = outage
    with FakeTwilio() as fake:
        settings, registry, outbound, deps = world(tmp_path, store, url, fake)
        registry.touch(WA, "whatsapp", "WhatsApp", WA, datetime.now(timezone.utc))
        t = tracker(full_slots(), "sí, está bien", channel="whatsapp", active=False, sender=WA)

        proxy.cut()  # the CRM database becomes unreachable as the customer confirms
        d = CollectingDispatcher()
        events = await ActionCerrarSolicitud(deps).run(d, t, {})
        said = d.messages[0]["text"]
        assert "Recibí tu reclamo" in said and "por este mismo canal" in said
        assert all(e["value"] is None for e in events if e["event"] == "slot")

        box = Outbox(settings.outbox_path)
        drainer = OutboxDrainer(box, store, outbound)
        assert await drainer.drain_once() == 0  # still down: kept, nothing sent
        assert [e.status for e in box.open_entries()] == [PENDING]
        assert fake.messages == []

        proxy.restore()
        await drainer.drain_once()
        await drainer.drain_once()
        pqrs = [p for p in store.list_pqrs() if p.conversation_id == WA]
        assert len(pqrs) == 1
        numero = pqrs[0].numero
        numbers = [m for m in fake.messages if numero in m.get("Body", "")]
        assert len(numbers) == 1 and numbers[0]["To"] == WA
        assert box.get(t.sender_id + ":" + full_slots()["intake_id"])["status"] == NOTIFIED
        assert any(e.tipo == "constancia" and numero in (e.contenido or "") for e in store.list_pqrs()[0].evidencias)
        # the same confirmation turn again (a retry): the same intake, the same key, nothing new
        d = CollectingDispatcher()
        await ActionCerrarSolicitud(deps).run(d, t, {})
        assert numero in d.messages[0]["text"]
        await drainer.drain_once()
        assert len(store.list_pqrs()) == 1 and len([m for m in fake.messages if numero in m.get("Body", "")]) == 1
        box.dispose()


async def test_a_retry_that_files_directly_settles_the_queued_entry(outage, tmp_path):
    proxy, store, url = outage
    with FakeTwilio() as fake:
        settings, _registry, outbound, deps = world(tmp_path, store, url, fake)
        t = tracker(full_slots(), "sí", channel="whatsapp", active=False, sender=WA)
        proxy.cut()
        await ActionCerrarSolicitud(deps).run(CollectingDispatcher(), t, {})
        proxy.restore()
        d = CollectingDispatcher()
        await ActionCerrarSolicitud(deps).run(d, t, {})  # filed directly: the number is said now
        [pqr] = store.list_pqrs()
        assert pqr.numero in d.messages[0]["text"]
        box = Outbox(settings.outbox_path)
        await OutboxDrainer(box, store, outbound).drain_once()
        assert fake.messages == []  # not told a second time
        assert box.get(t.sender_id + ":abc")["status"] == NOTIFIED
        box.dispose()


async def test_a_slow_crm_does_not_keep_the_customer_waiting_and_files_once(outage, tmp_path):
    proxy, store, url = outage
    with FakeTwilio() as fake:
        settings, registry, outbound, deps = world(tmp_path, store, url, fake, timeout="2")
        from datetime import datetime, timezone

        registry.touch(WA, "whatsapp", "WhatsApp", WA, datetime.now(timezone.utc))
        store.engine.dispose()  # no pooled connection: the next one goes through the stalled proxy
        proxy.stall()
        d = CollectingDispatcher()
        t = tracker(full_slots(), "sí", channel="whatsapp", active=False, sender=WA)
        await ActionCerrarSolicitud(deps).run(d, t, {})
        assert "Recibí tu reclamo" in d.messages[0]["text"]
        proxy.restore()
        box = Outbox(settings.outbox_path)
        drainer = OutboxDrainer(box, store, outbound)
        for _ in range(3):
            await drainer.drain_once()
        [pqr] = [p for p in store.list_pqrs() if p.conversation_id == WA]
        assert len([m for m in fake.messages if pqr.numero in m.get("Body", "")]) == 1
        assert box.count(PENDING) == 0 and box.count(FILED) == 0
        box.dispose()


def test_the_worker_process_files_and_sends_the_number_when_the_database_is_back(outage, tmp_path):
    """The real worker process (`pqrbot worker`) drains the outbox across the outage."""
    import asyncio
    import subprocess
    import sys
    import time
    from datetime import datetime, timezone
    from pathlib import Path

    proxy, store, url = outage
    root = Path(__file__).resolve().parents[2]
    with FakeTwilio() as fake:
        settings, registry, _outbound, deps = world(tmp_path, store, url, fake)
        registry.touch(WA, "whatsapp", "WhatsApp", WA, datetime.now(timezone.utc))
        env = dict(
            settings.env, PYTHONPATH=str(root), PQRBOT_FOLLOWUP_POLL_INTERVAL="1", SQLALCHEMY_SILENCE_UBER_WARNING="1"
        )
        log = (tmp_path / "worker.log").open("w")
        worker = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "worker"], cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            time.sleep(3)
            proxy.cut()
            d = CollectingDispatcher()
            t = tracker(full_slots(), "sí", channel="whatsapp", active=False, sender=WA)
            asyncio.run(ActionCerrarSolicitud(deps).run(d, t, {}))
            assert "Recibí tu reclamo" in d.messages[0]["text"]
            time.sleep(4)  # the worker tries while the database is down
            assert fake.messages == [] and worker.poll() is None
            proxy.restore()
            deadline = time.monotonic() + 60
            while not fake.messages and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(3)  # would a second message follow?
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            log.close()
        [pqr] = [p for p in store.list_pqrs() if p.conversation_id == WA]
        numbers = [m for m in fake.messages if pqr.numero in m.get("Body", "")]
        assert len(numbers) == 1 and numbers[0]["To"] == WA, (tmp_path / "worker.log").read_text()[-3000:]
