"""Two real worker processes (``python -m bot.cli worker``, as ``pqrbot run`` starts it) at export
time: the day's export reaches the local SMTP server exactly once, and a restart sends nothing more."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.exports import schema as s
from bot.exports.job import ExportRunStore
from tests.bot.exports.test_export import Inbox, _controller
from tests.pqrs import file_pqr, migrated_store

ROOT = Path(__file__).resolve().parents[3]
BOG = ZoneInfo("America/Bogota")


def _start(url: str, tmp: Path, smtp_port: int) -> subprocess.Popen:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PQRBOT_", "TWILIO_", "META_", "TELEGRAM_", "TWITTER_"))
    }
    env.update(
        PQRBOT_DATABASE_URL=url,
        PQRBOT_DATA_DIR=str(tmp),
        PYTHONPATH=str(ROOT),
        RASA_TELEMETRY_ENABLED="false",
        PQRBOT_EXPORT_AT="00:00",
        PQRBOT_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        PQRBOT_EXPORT_FROM="pqrbot@epm.com.co",
        PQRBOT_EXPORT_RECIPIENTS="gestor@epm.com.co",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "worker", "--poll-interval", "0.5"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp / "worker.log").open("a"),
    )


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_two_worker_processes_send_yesterdays_export_once(db_url, tmp_path):
    store = migrated_store(db_url)
    yesterday = datetime.now(BOG).date() - timedelta(days=1)
    pqr = file_pqr(store, datetime.combine(yesterday, datetime.min.time(), tzinfo=BOG) + timedelta(hours=15))
    inbox = Inbox()
    controller = _controller(inbox)
    workers = [_start(db_url, tmp_path, controller.port) for _ in range(2)]
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not inbox.messages:
            time.sleep(0.5)
        time.sleep(3)  # both workers ticked by now; a duplicate would have arrived
        for w in workers:
            _stop(w)
        restarted = _start(db_url, tmp_path, controller.port)
        time.sleep(8)
        _stop(restarted)
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
        controller.stop()
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert len(inbox.messages) == 1, log[-3000:]
    message = inbox.messages[0][2]
    assert yesterday.isoformat() in message["Subject"] and "(1 PQR)" in message["Subject"]
    [run] = ExportRunStore(store.engine).list()
    assert (run.fecha, run.status, run.pqr_count, run.attempts) == (yesterday, s.SENT, 1, 1)
    assert pqr.numero
    store.dispose()
