"""Issue 8 in the runtime: supervisor restarts, secrets off the command line, generated files
0600, tracker store URL, action server token and quiet errors, --since on SQLite."""

from __future__ import annotations

import logging
import socket
import sys

import httpx
import pytest
import yaml

from bot.config import load_settings
from bot.supervisor import (
    ChildSpec,
    Supervisor,
    child_environment,
    child_specs,
    tracker_store_config,
    write_runtime_files,
)


# ------------------------------------------------------------------ supervisor
class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_dead_child_is_restarted_with_backoff_and_the_others_go_on(capsys):
    clock = Clock()
    sup = Supervisor({}, backoff_max=8, clock=clock)
    dying = sup.start(ChildSpec("flaky", [sys.executable, "-c", "import sys; sys.exit(3)"]))
    steady = sup.start(ChildSpec("steady", [sys.executable, "-c", "import time; time.sleep(30)"]))
    try:
        dying.wait(timeout=20)
        delays = []
        for _ in range(4):
            sup.check()  # notices the exit, schedules the restart
            child = sup.children[0]
            delays.append(child.restart_at - clock.now)
            clock.now = child.restart_at
            sup.check()  # restarts it
            assert child.proc is not dying and child.restart_at is None
            child.proc.wait(timeout=20)
            dying = child.proc
        assert delays == [1, 2, 4, 8]
        assert steady.poll() is None  # never stopped because of the other child
        out = capsys.readouterr().out
        assert "flaky exited with code 3; restarting it in 1 s" in out and "restarting flaky" in out
    finally:
        sup.stop()
    assert steady.poll() is not None


def test_no_secret_on_any_command_line(tmp_path):
    settings = load_settings({"PQRBOT_DATA_DIR": str(tmp_path), "PQRBOT_RASA_API_TOKEN": "-starts-with-dash"})
    env = child_environment(settings)
    settings = load_settings(env)
    endpoints, credentials = write_runtime_files(settings)
    specs = child_specs(settings, tmp_path / "model.tar.gz", endpoints, credentials)
    secrets_ = [env["PQRBOT_RASA_API_TOKEN"], env["PQRBOT_ACTION_SERVER_TOKEN"], env["PQRBOT_WEBCHAT_SECRET"]]
    for spec in specs:
        assert not any(s in " ".join(spec.cmd) for s in secrets_)
        assert "--auth-token" not in spec.cmd
    assert env["PQRBOT_ACTION_SERVER_TOKEN"] not in endpoints.read_text()


def test_rasa_parses_a_token_that_starts_with_a_dash():
    from rasa.__main__ import create_argument_parser

    from bot.rasa_server import rasa_argv

    argv = rasa_argv(["--enable-api", "--port", "5999"], "-Xy_token")
    args = create_argument_parser().parse_args(argv[1:])
    assert args.auth_token == "-Xy_token" and args.port == 5999


def test_the_token_can_come_from_a_0600_file(tmp_path):
    token = tmp_path / "token"
    token.write_text("-from-file\n")
    token.chmod(0o600)
    assert load_settings({"PQRBOT_RASA_API_TOKEN_FILE": str(token)}).rasa_api_token == "-from-file"
    token.chmod(0o644)
    with pytest.raises(SystemExit, match="chmod 600"):
        load_settings({"PQRBOT_RASA_API_TOKEN_FILE": str(token)})


def test_generated_files_and_sqlite_files_are_0600(tmp_path):
    from sqlalchemy import text

    from crm_adapter.db import make_engine

    settings = load_settings(
        {"PQRBOT_DATA_DIR": str(tmp_path), "PQRBOT_DATABASE_URL": "postgresql://bot:s3cret@db:5432/pqr"}
    )
    endpoints, credentials = write_runtime_files(settings)
    assert "s3cret" in endpoints.read_text()
    for path in (endpoints, credentials):
        assert path.stat().st_mode & 0o777 == 0o600
    sqlite = load_settings({"PQRBOT_DATA_DIR": str(tmp_path / "s")})
    write_runtime_files(sqlite)
    assert (tmp_path / "s" / "tracker.db").stat().st_mode & 0o777 == 0o600
    engine = make_engine(f"sqlite:///{tmp_path / 'crm.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x int)"))
    engine.dispose()
    assert (tmp_path / "crm.db").stat().st_mode & 0o777 == 0o600


def test_tracker_store_keeps_the_query_and_refuses_other_databases(tmp_path):
    pg = load_settings({"PQRBOT_DATABASE_URL": "postgresql://bot:pw@db:5432/pqr?sslmode=verify-full"})
    assert tracker_store_config(pg)["query"] == {"sslmode": "verify-full"}
    socket_url = load_settings({"PQRBOT_DATABASE_URL": "postgresql://bot@/pqr?host=/run/postgresql"})
    config = tracker_store_config(socket_url)
    assert "url" not in config and config["query"] == {"host": "/run/postgresql"}
    with pytest.raises(SystemExit, match="PostgreSQL.*SQLite"):
        tracker_store_config(load_settings({"PQRBOT_DATABASE_URL": "mysql://u:p@db/pqr"}))


def test_rasa_builds_the_tracker_store_url_with_the_query():
    from rasa.core.tracker_store import SQLTrackerStore

    url = SQLTrackerStore.get_db_url(
        dialect="postgresql",
        host=None,
        port=None,
        db="pqr",
        username="bot",
        password=None,
        query={"host": "/run/postgresql", "sslmode": "disable"},
    )
    assert url.query == {"host": "/run/postgresql", "sslmode": "disable"} and url.host is None


def test_endpoints_send_the_action_server_token_by_reference(tmp_path):
    settings = load_settings(
        {"PQRBOT_DATA_DIR": str(tmp_path), "PQRBOT_ACTION_SERVER_TOKEN": "tok-123", "PQRBOT_ACTIONS": "server"}
    )
    endpoints, _ = write_runtime_files(settings)
    data = yaml.safe_load(endpoints.read_text())
    assert data["action_endpoint"]["token"] == "${PQRBOT_ACTION_SERVER_TOKEN}"
    assert data["action_endpoint"]["url"].startswith("http://127.0.0.1:")
    names = [s.name for s in child_specs(settings, tmp_path / "m.tar.gz", *write_runtime_files(settings))]
    assert names[0] == "action server"


def test_the_embedded_default_runs_the_actions_inside_rasa(tmp_path):
    settings = load_settings({"PQRBOT_DATA_DIR": str(tmp_path), "PQRBOT_ACTION_SERVER_TOKEN": "tok-123"})
    endpoints, credentials = write_runtime_files(settings)
    data = yaml.safe_load(endpoints.read_text())
    assert data["action_endpoint"] == {"url": "in-process:actions"}  # no token to send, no port open
    names = [s.name for s in child_specs(settings, tmp_path / "m.tar.gz", endpoints, credentials)]
    assert "action server" not in names and "Rasa server" in names


def test_the_action_server_listens_on_loopback_by_default():
    settings = load_settings({})
    assert settings.actions_host == "127.0.0.1"
    from bot.action_server import main

    assert main_refuses_public_without_token(main)


def main_refuses_public_without_token(main) -> bool:
    from bot import bootstrap

    bootstrap.override(settings_=load_settings({"PQRBOT_ACTIONS_HOST": "0.0.0.0"}))
    try:
        return main([]) == 2
    finally:
        bootstrap.reset()


# ------------------------------------------------------------------ action server
@pytest.fixture
async def start_action_server():
    from sanic import Sanic

    from bot.action_server import create_app

    test_mode = Sanic.test_mode
    Sanic.test_mode = True
    servers = []

    async def start() -> str:
        app = create_app("tok-123")
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.before_start()
        await server.after_start()
        servers.append(server)
        return f"http://127.0.0.1:{port}"

    yield start
    for server in servers:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()
    Sanic.test_mode = test_mode


@pytest.fixture
async def action_server(start_action_server):
    return await start_action_server()


def call(name: str, sender: str = "whatsapp:+573001234567") -> dict:
    return {
        "next_action": name,
        "sender_id": sender,
        "version": "3.6.2",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {"nombre": "Ana María Restrepo", "direccion": "Calle 10 # 43-25"},
            "latest_message": {},
            "events": [],
            "paused": False,
            "latest_event_time": None,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
    }


async def test_calls_without_rasas_token_are_refused(action_server):
    async with httpx.AsyncClient() as client:
        assert (await client.get(action_server + "/health")).status_code == 200
        none = await client.post(action_server + "/webhook", json=call("action_numero_pqr"))
        wrong = await client.post(action_server + "/webhook?token=nope", json=call("action_numero_pqr"))
        listing = await client.get(action_server + "/actions")
    assert none.status_code == 403 and wrong.status_code == 403 and listing.status_code == 403


async def test_a_failing_action_never_echoes_or_logs_the_tracker(start_action_server, caplog, monkeypatch):
    from actions.control import ActionNumeroPqr

    async def boom(self, dispatcher, tracker, domain):
        raise RuntimeError(f"failed with {tracker.slots}")

    monkeypatch.setattr(ActionNumeroPqr, "run", boom)
    action_server = await start_action_server()  # rasa-sdk binds the run methods at start
    caplog.set_level(logging.DEBUG)
    async with httpx.AsyncClient() as client:
        r = await client.post(action_server + "/webhook?token=tok-123", json=call("action_numero_pqr"))
    assert r.status_code == 500
    assert r.json() == {"error": "internal error", "action_name": "action_numero_pqr"}
    for secret in ("Ana María", "Calle 10", "3001234567"):
        assert secret not in r.text and secret not in caplog.text
    assert "action_numero_pqr failed: RuntimeError" in caplog.text


# ------------------------------------------------------------------ --since
def test_since_with_an_offset_means_that_instant_on_sqlite(tmp_path):
    from datetime import timedelta, timezone

    from bot.cli import _parse_since
    from crm_adapter.models import MedioNotificacion, SolicitudPQR
    from crm_adapter.sql import SqlStore

    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'p.db'}")
    store.create_pqr(
        SolicitudPQR(
            canal="WhatsApp",
            conversation_id="c",
            idempotency_key="k",
            tipo_documento="CC",
            numero_documento="1036654321",
            nombre="Juan",
            motivo_detalle="x",
            medio_notificacion=MedioNotificacion("correo", "j@x.co"),
        )
    )
    created = store.list_pqrs()[0].creado_en
    bogota = timezone(timedelta(hours=-5))
    just_after = (created + timedelta(minutes=1)).astimezone(bogota).isoformat()
    just_before = (created - timedelta(minutes=1)).astimezone(bogota).isoformat()
    assert store.list_pqrs(since=_parse_since(just_after)) == []
    assert len(store.list_pqrs(since=_parse_since(just_before))) == 1
    store.dispose()


def test_pqrbot_run_refuses_a_database_it_does_not_support(tmp_path, capsys):
    from bot.supervisor import run

    settings = load_settings({"PQRBOT_DATA_DIR": str(tmp_path), "PQRBOT_DATABASE_URL": "mysql://u:p@db/pqr"})
    assert run(settings, skip_train=True) == 2
    assert "must be a PostgreSQL" in capsys.readouterr().err
