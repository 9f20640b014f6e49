"""Starts the real assistant (``pqrbot run``) once for the e2e tests, on free ports, with its own
SQLite database and billing data loaded with ``pqrbot crm seed``."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from bot.model import MODEL_PATH

ROOT = Path(__file__).resolve().parents[2]
PQRBOT = [sys.executable, "-m", "bot.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, base: str, env: dict, log: Path, console: str = None):
        self.base = base
        self.env = env
        self.log = log
        self.console = console  # the agent console (bot/console), on its own free port

    def say(self, sender: str, text: str) -> list:
        body = json.dumps({"sender": sender, "message": text}).encode()
        req = urllib.request.Request(
            self.base + "/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=60) as resp:
            return [m.get("text", "") for m in json.loads(resp.read())]

    def talk(self, lines: list, sender: str = None) -> tuple:
        sender = sender or f"e2e-{uuid.uuid4().hex[:8]}"
        replies = [self.say(sender, line) for line in lines]
        return sender, replies

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(PQRBOT + list(args), cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120)

    def pqrs(self) -> list:
        out = self.cli("crm", "pqrs", "--json")
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    def pqrs_of(self, sender: str) -> list:
        return [p for p in self.pqrs() if p["conversation_id"] == sender]


def start_server(data: Path, extra_env: dict = None):
    """`pqrbot run` on free ports with its own database; returns (process, Server)."""
    if not MODEL_PATH.exists():
        pytest.skip("no trained model: run `make train` (make test does it first)")
    rasa_port, actions_port, console_port = _free_port(), _free_port(), _free_port()
    env = dict(
        os.environ,
        PQRBOT_DATA_DIR=str(data),
        PQRBOT_DATABASE_URL=f"sqlite:///{data / 'pqrbot.db'}",
        PQRBOT_RASA_PORT=str(rasa_port),
        PQRBOT_ACTIONS_PORT=str(actions_port),
        PQRBOT_CONSOLE_PORT=str(console_port),
        PQRBOT_INGRESS_PORT=str(_free_port()),
        PQRBOT_BALANCER_PORT=str(_free_port()),
        RASA_TELEMETRY_ENABLED="false",
        PQRBOT_FOLLOWUP_AFTER="1h",
        # the corpus talks from one address faster than a customer: no rate limits here
        PQRBOT_RATE_LIMIT_IP="0",
        PQRBOT_RATE_LIMIT_SENDER="0",
    )
    for name in list(env):  # only the channels a test asks for
        if name.startswith(("TWILIO_", "META_", "TELEGRAM_", "TWITTER_")) or name == "PQRBOT_PUBLIC_URL":
            del env[name]
    env.update({k: v.replace("{rasa_port}", str(rasa_port)) for k, v in (extra_env or {}).items()})
    seed = subprocess.run(
        PQRBOT + ["crm", "seed", str(ROOT / "demo" / "billing.json")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert seed.returncode == 0, seed.stderr
    log = data / "server.log"
    proc = subprocess.Popen(
        PQRBOT + ["run", "--skip-train"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline and proc.poll() is None:
        if "pqrbot: ready" in log.read_text(errors="replace"):
            return proc, Server(f"http://127.0.0.1:{rasa_port}", env, log, f"http://127.0.0.1:{console_port}")
        time.sleep(1)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    pytest.fail("the assistant did not start:\n" + log.read_text(errors="replace")[-4000:])


def stop_server(proc) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("pqrbot run did not stop within 40 s of SIGTERM") from None
    assert proc.returncode == 0, "pqrbot run should exit cleanly on SIGTERM"


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    proc, srv = start_server(tmp_path_factory.mktemp("e2e"))
    yield srv
    stop_server(proc)
