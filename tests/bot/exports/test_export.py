"""The daily export: the workbook, the e-mail through a local SMTP server, and the worker job that
sends yesterday's export exactly once per day."""

from __future__ import annotations

import asyncio
import email
import email.policy
import io
import ssl
import subprocess
import threading
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.config import load_settings
from bot.exports import schema as s
from bot.exports.job import DailyExportJob, ExportRunStore, due_day, parse_export_at
from bot.exports.mail import ExportConfigError, SmtpTarget, send_export, summary
from bot.exports.workbook import COLUMNS, export_day
from crm_adapter.sql import SqlStore
from tests.conftest import demo_contratos
from tests.pqrs import file_pqr, migrated_store

BOG = ZoneInfo("America/Bogota")
DAY = date(2026, 11, 27)


@pytest.fixture
def sql_store(db_url):
    store = migrated_store(db_url)
    store.upsert_contratos(demo_contratos())
    yield store
    store.dispose()


def _day_with_pqrs(store):
    file_pqr(store, datetime(2026, 11, 27, 0, 5, tzinfo=BOG), canal="WhatsApp")
    file_pqr(
        store,
        datetime(2026, 11, 27, 23, 50, tzinfo=BOG),
        canal="Chat EPM",
        contrato="55502",
        medio=("sms", "3001234567"),
    )
    file_pqr(store, datetime(2026, 11, 27, 15, 0, tzinfo=BOG), canal="Telegram")
    file_pqr(store, datetime(2026, 11, 26, 23, 59, tzinfo=BOG))  # the day before
    file_pqr(store, datetime(2026, 11, 28, 0, 1, tzinfo=BOG))  # the day after (05:01 UTC)


def test_the_workbook_has_a_row_per_pqr_of_the_day_in_bogota(sql_store):
    _day_with_pqrs(sql_store)
    pqrs, xlsx = export_day(sql_store, DAY)
    assert len(pqrs) == 3
    wb = load_workbook(io.BytesIO(xlsx))
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header == [h for h, _ in COLUMNS]
    assert "Número" in header and "Fecha límite de respuesta" in header and "Municipio" in header
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3
    assert sorted(r[0] for r in rows) == sorted(p.numero for p in pqrs)
    by_canal = {r[2]: r for r in rows}
    assert set(by_canal) == {"WhatsApp", "Chat EPM", "Telegram"}
    assert by_canal["Chat EPM"][7] == "Rionegro"  # municipio from billing's contract 55502
    assert by_canal["Chat EPM"][1] == datetime(2026, 11, 27, 23, 50)  # local time, not UTC
    assert by_canal["WhatsApp"][4] == "Sin identificación 1017234567"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:M{len(rows) + 1}"
    assert ws.column_dimensions["I"].width >= 50  # motivo detalle is readable
    assert rows[0][12] is not None  # fecha límite


def test_a_day_without_pqrs_gives_an_empty_sheet_and_says_so(sql_store):
    pqrs, xlsx = export_day(sql_store, date(2026, 1, 1))
    ws = load_workbook(io.BytesIO(xlsx)).active
    assert pqrs == [] and ws.max_row == 1
    assert "no se registraron PQR" in summary(date(2026, 1, 1), [])


def test_smtp_urls():
    t = SmtpTarget.parse("smtp+starttls://ops%40epm.com.co:p%40ss%3Aw@mail.example.com")
    assert (t.scheme, t.host, t.port, t.username, t.password) == (
        "smtp+starttls",
        "mail.example.com",
        587,
        "ops@epm.com.co",
        "p@ss:w",
    )
    assert SmtpTarget.parse("smtps://mail.example.com").port == 465
    assert SmtpTarget.parse("smtp://127.0.0.1:2525").port == 2525
    with pytest.raises(ExportConfigError, match="scheme"):
        SmtpTarget.parse("http://mail.example.com")
    with pytest.raises(ExportConfigError):
        SmtpTarget.parse(None)


# --------------------------------------------------------------- a local SMTP server
class Inbox:
    def __init__(self):
        self.messages = []
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (
                envelope.mail_from,
                list(envelope.rcpt_tos),
                email.message_from_bytes(envelope.original_content, policy=email.policy.default),
            )
        )
        return "250 OK"


def _authenticator(inbox):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == b"ops@epm.com.co"
            and auth_data.password == b"p@ss:w"
        )
        inbox.logins.append(ok)
        return AuthResult(success=ok)

    return check


@pytest.fixture
def cert(tmp_path):
    key, crt = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(crt),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return crt, key


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _controller(inbox, **kw):
    from aiosmtpd.controller import Controller

    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), **kw)
    controller.start()
    return controller


def _settings(tmp_path, url, **extra):
    env = {
        "PQRBOT_DATA_DIR": str(tmp_path),
        "PQRBOT_SMTP_URL": url,
        "PQRBOT_EXPORT_RECIPIENTS": "gestor1@epm.com.co, gestor2@epm.com.co",
        "PQRBOT_EXPORT_FROM": "pqrbot@epm.com.co",
    }
    env.update(extra)
    return load_settings(env)


def test_plain_smtp_delivers_the_workbook_with_a_summary(tmp_path, sql_store):
    _day_with_pqrs(sql_store)
    inbox = Inbox()
    controller = _controller(inbox)
    try:
        port = controller.port
        pqrs, xlsx = export_day(sql_store, DAY)
        sent_to = send_export(_settings(tmp_path, f"smtp://127.0.0.1:{port}"), DAY, pqrs, xlsx)
    finally:
        controller.stop()
    assert sent_to == ["gestor1@epm.com.co", "gestor2@epm.com.co"]
    [(sender, rcpts, message)] = inbox.messages
    assert sender == "pqrbot@epm.com.co" and rcpts == sent_to
    assert "2026-11-27" in message["Subject"]
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "3 PQR" in body and "WhatsApp: 1" in body and "Chat EPM: 1" in body and "Telegram: 1" in body
    [attachment] = [p for p in message.walk() if p.get_filename()]
    assert attachment.get_filename() == "pqr-digitales-2026-11-27.xlsx"
    rows = list(load_workbook(io.BytesIO(attachment.get_payload(decode=True))).active.iter_rows(min_row=2))
    assert len(rows) == 3


def test_starttls_with_the_url_credentials(tmp_path, cert, sql_store):
    crt, key = cert
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(str(crt), str(key))
    inbox = Inbox()
    controller = _controller(
        inbox, tls_context=server_tls, require_starttls=True, authenticator=_authenticator(inbox), auth_require_tls=True
    )
    client_tls = ssl.create_default_context(cafile=str(crt))
    try:
        port = controller.port
        url = f"smtp+starttls://ops%40epm.com.co:p%40ss%3Aw@127.0.0.1:{port}"
        send_export(_settings(tmp_path, url), DAY, [], b"xlsx", ssl_context=client_tls)
    finally:
        controller.stop()
    assert inbox.logins == [True]  # logged in with the URL-decoded user and password, over TLS
    assert len(inbox.messages) == 1
    body = inbox.messages[0][2].get_body(("plain",)).get_content()
    assert "no se registraron PQR" in body


# --------------------------------------------------------------- the worker's daily job
def test_due_day_is_yesterday_from_export_at_in_bogota():
    six = parse_export_at("06:00")
    assert due_day(datetime(2026, 11, 28, 10, 59, tzinfo=timezone.utc), six) is None  # 05:59 Bogotá
    assert due_day(datetime(2026, 11, 28, 11, 0, tzinfo=timezone.utc), six) == DAY
    with pytest.raises(ValueError):
        parse_export_at("6 am")


class RecordingSender:
    def __init__(self, fail_times=0):
        self.calls = []
        self.fail_times = fail_times
        self._lock = threading.Lock()

    def __call__(self, settings, fecha, pqrs, xlsx):
        with self._lock:
            self.calls.append((fecha, len(pqrs)))
            if len(self.calls) <= self.fail_times:
                raise ConnectionRefusedError("SMTP server down")
        import time

        time.sleep(0.02)  # a send takes a moment: concurrent workers overlap
        return ["gestor@epm.com.co"]


def _job(db_url, sender, clock, worker_id):
    store = SqlStore.from_url(db_url, migrate=False)
    settings = load_settings({"PQRBOT_DATABASE_URL": db_url, "PQRBOT_EXPORT_AT": "06:00"})
    return DailyExportJob(
        settings,
        store,
        ExportRunStore(store.engine),
        worker_id=worker_id,
        clock=clock,
        sender=sender,
        backoff_base=60.0,
        max_attempts=3,
    )


def test_two_workers_send_the_day_exactly_once_even_after_restarts(db_url, sql_store):
    _day_with_pqrs(sql_store)
    now = [datetime(2026, 11, 28, 11, 0, 5, tzinfo=timezone.utc)]  # 06:00:05 Bogotá
    sender = RecordingSender()
    jobs = [_job(db_url, sender, lambda: now[0], f"w{i}") for i in range(2)]
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(i):
        barrier.wait()
        for _ in range(5):
            results[i] = jobs[i].tick() or results[i]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sender.calls == [(DAY, 3)]
    assert sorted(results, key=str) == sorted([s.SENT, None], key=str)
    # a restarted worker later that day, and the next ticks, send nothing more
    now[0] += timedelta(hours=5)
    assert _job(db_url, sender, lambda: now[0], "w-restarted").tick() is None
    assert sender.calls == [(DAY, 3)]
    [run_row] = ExportRunStore(sql_store.engine).list()
    assert (run_row.fecha, run_row.status, run_row.pqr_count, run_row.attempts) == (DAY, s.SENT, 3, 1)
    # the next day at 06:00 the next export goes out
    now[0] = datetime(2026, 11, 29, 11, 0, 1, tzinfo=timezone.utc)
    assert jobs[1].tick() == s.SENT
    assert sender.calls == [(DAY, 3), (date(2026, 11, 28), 1)]
    for job in jobs:
        job.crm.dispose()


def test_a_failed_send_is_retried_with_backoff_and_listed(db_url, sql_store):
    now = [datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)]
    sender = RecordingSender(fail_times=2)
    job = _job(db_url, sender, lambda: now[0], "w0")
    runs = ExportRunStore(sql_store.engine)
    assert job.tick() == s.RETRYING
    row = runs.get(DAY)
    assert row.status == s.RETRYING and "SMTP server down" in row.last_error
    assert row.next_attempt_at == now[0] + timedelta(minutes=1)
    assert job.tick() is None  # not before the backoff
    now[0] += timedelta(minutes=1)
    assert job.tick() == s.RETRYING
    assert runs.get(DAY).next_attempt_at == now[0] + timedelta(minutes=2)  # doubled
    now[0] += timedelta(minutes=2)
    assert job.tick() == s.SENT
    row = runs.get(DAY)
    assert (row.status, row.attempts, row.last_error) == (s.SENT, 3, None)
    job.crm.dispose()


def test_giving_up_after_max_attempts_is_visible(db_url, sql_store):
    now = [datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)]
    job = _job(db_url, RecordingSender(fail_times=99), lambda: now[0], "w0")
    statuses = []
    for _ in range(3):
        statuses.append(job.tick())
        now[0] += timedelta(hours=1)
    assert statuses == [s.RETRYING, s.RETRYING, s.FAILED]
    [row] = ExportRunStore(sql_store.engine).list(status=s.FAILED)
    assert row.attempts == 3 and "ConnectionRefusedError" in row.last_error
    job.crm.dispose()


def test_a_worker_that_died_mid_send_loses_its_lease(db_url, sql_store):
    now = [datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)]
    runs = ExportRunStore(sql_store.engine)
    runs.ensure(DAY, now[0])
    assert runs.claim(DAY, "dead", now[0], lease_seconds=600)
    sender = RecordingSender()
    job = _job(db_url, sender, lambda: now[0], "w1")
    assert job.tick() is None  # still leased
    now[0] += timedelta(minutes=11)
    assert job.tick() == s.SENT and len(sender.calls) == 1
    job.crm.dispose()


def test_the_job_runs_as_a_loop_and_stops(db_url, sql_store):
    now = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
    sender = RecordingSender()
    job = _job(db_url, sender, lambda: now, "w0")

    async def main():
        task = asyncio.ensure_future(job.run(lambda: len(sender.calls) >= 1, interval=0.1))
        await asyncio.wait_for(task, timeout=20)

    asyncio.run(main())
    assert sender.calls == [(DAY, 0)]
    job.crm.dispose()


def test_smtps_is_tls_from_the_first_byte(tmp_path, cert, sql_store):
    crt, key = cert
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(str(crt), str(key))
    inbox = Inbox()
    # aiosmtpd does not count implicit TLS as TLS for AUTH; the socket is TLS from the start anyway
    controller = _controller(inbox, ssl_context=server_tls, authenticator=_authenticator(inbox), auth_require_tls=False)
    try:
        url = f"smtps://ops%40epm.com.co:p%40ss%3Aw@127.0.0.1:{controller.port}"
        send_export(_settings(tmp_path, url), DAY, [], b"xlsx", ssl_context=ssl.create_default_context(cafile=str(crt)))
    finally:
        controller.stop()
    assert inbox.logins == [True] and len(inbox.messages) == 1
