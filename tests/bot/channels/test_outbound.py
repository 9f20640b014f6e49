"""The outbound service against a local fake of each provider's API: what is sent, retries
with backoff, refusals, and the outbound log as the proof the customer was informed."""

import argparse
import base64
import io
import json
import logging
from datetime import datetime, timedelta, timezone

import pytest

from bot import bootstrap
from bot.config import load_settings
from bot.outbound import cli
from bot.outbound.log import SqlOutboundLog
from bot.outbound.ports import FAILED, SENT, SKIPPED, UNDELIVERABLE

WA = "whatsapp:+573001234567"
NOW = lambda: datetime.now(timezone.utc)  # noqa: E731
TWILIO_PATH = r"/2010-04-01/Accounts/AC0000000000000000000000000000test/Messages.json$"
TWILIO_OK = (201, {"sid": "SM0001", "status": "queued"})


@pytest.fixture
async def rt(provider, make_runtime):
    return make_runtime(provider.url)


def _log(rt):
    return rt.outbound.log


# ----------------------------------------------------------------------------- WhatsApp
async def test_whatsapp_text_goes_to_the_messages_api_and_is_logged(rt, provider):
    provider.on("POST", TWILIO_PATH, TWILIO_OK)
    rt.registry.touch(WA, "whatsapp", "WhatsApp", WA, NOW())

    result = await rt.outbound.send_text(WA, "Tu reclamo quedó radicado con el número PQR-000123.", purpose="filed")

    assert result.status == SENT and result.provider_message_id == "SM0001"
    (call,) = provider.calls_to(TWILIO_PATH)
    assert call.form() == {
        "To": WA,
        "From": "whatsapp:+14155238886",
        "Body": "Tu reclamo quedó radicado con el número PQR-000123.",
    }
    user, _, password = base64.b64decode(call.headers["Authorization"].split()[1]).decode().partition(":")
    assert (user, password) == ("AC0000000000000000000000000000test", "twilio-auth-token")
    record = _log(rt).get(result.message_id)
    assert (record.status, record.attempts, record.provider_message_id) == (SENT, 1, "SM0001")
    assert (record.canal, record.purpose, record.kind, record.address) == ("WhatsApp", "filed", "text", WA)
    assert "PQR-000123" in record.body and record.sent_at is not None


async def test_transient_errors_are_retried_with_exponential_backoff(rt, provider):
    provider.on("POST", TWILIO_PATH, (503, {"code": 20503, "message": "unavailable"}), (500, {}), TWILIO_OK)
    rt.registry.touch(WA, "whatsapp", "WhatsApp", WA, NOW())

    result = await rt.outbound.send_text(WA, "Hola")

    assert result.status == SENT
    assert len(provider.calls_to(TWILIO_PATH)) == 3  # one message reached the customer
    assert rt.sleep.delays == [1.0, 2.0]
    assert _log(rt).get(result.message_id).attempts == 3


async def test_a_provider_that_keeps_failing_ends_failed_and_visible(rt, provider, caplog):
    provider.on("POST", TWILIO_PATH, (500, {"code": 20500, "message": "Internal Server Error"}))
    rt.registry.touch(WA, "whatsapp", "WhatsApp", WA, NOW())

    with caplog.at_level(logging.WARNING):
        result = await rt.outbound.send_text(WA, "Hola")

    assert result.status == FAILED and "20500" in result.error
    assert len(provider.calls_to(TWILIO_PATH)) == 5
    assert rt.sleep.delays == [1.0, 2.0, 4.0, 8.0]
    record = _log(rt).get(result.message_id)
    assert (record.status, record.attempts) == (FAILED, 5) and "20500" in record.last_error
    assert [r.id for r in _log(rt).list(status=FAILED)] == [result.message_id]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and "FAILED" in errors[-1].getMessage()
    assert "3001234567" not in caplog.text  # the phone never in clear


async def test_rate_limit_waits_what_the_provider_asks(rt, provider):
    provider.on(
        "POST", TWILIO_PATH, (429, {"code": 20429, "message": "Too Many Requests"}, {"Retry-After": "7"}), TWILIO_OK
    )
    rt.registry.touch(WA, "whatsapp", "WhatsApp", WA, NOW())
    assert (await rt.outbound.send_text(WA, "Hola")).status == SENT
    assert rt.sleep.delays == [7.0]


async def test_unreachable_provider_is_retried_then_failed(make_runtime):
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    closed_port = sock.getsockname()[1]
    sock.close()
    rt = make_runtime(f"http://127.0.0.1:{closed_port}")
    rt.registry.touch(WA, "whatsapp", "WhatsApp", WA, NOW())
    result = await rt.outbound.send_text(WA, "Hola")
    assert result.status == FAILED and "network error" in result.error
    assert _log(rt).get(result.message_id).attempts == 5


async def test_whatsapp_outside_the_24h_window_is_undeliverable_without_calling_twilio(rt, provider):
    provider.on("POST", TWILIO_PATH, TWILIO_OK)
    rt.registry.touch(WA, "whatsapp", "WhatsApp", WA, NOW() - timedelta(hours=25))

    result = await rt.outbound.send_text(WA, "¿Sigues ahí?")

    assert result.status == UNDELIVERABLE and "63016" in result.error
    assert provider.calls == []
    assert rt.registry.get(WA).private_ok is False
    # ... but the approved template still goes out
    template = await rt.outbound.send_template(
        WA, "closing", {"1": "tu número de contrato"}, purpose="followup_closing"
    )
    assert template.status == SENT
    form = provider.calls_to(TWILIO_PATH)[0].form()
    assert form["ContentSid"] == "HX0000000000000000000000000000close"
    assert json.loads(form["ContentVariables"]) == {"1": "tu número de contrato"}
    assert "Body" not in form


async def test_whatsapp_template_by_content_sid(rt, provider):
    provider.on("POST", TWILIO_PATH, TWILIO_OK)
    rt.registry.touch(WA, "whatsapp", "WhatsApp", WA, NOW())
    assert (await rt.outbound.send_template(WA, "HXabc", {"1": "x"}, purpose="p")).status == SENT
    assert provider.calls_to(TWILIO_PATH)[0].form()["ContentSid"] == "HXabc"
    missing = await rt.outbound.send_template(WA, "unknown", {}, purpose="p")
    assert missing.status == FAILED and "TWILIO_UNKNOWN_CONTENT_SID" in missing.error


async def test_twilio_refusal_of_the_customer_is_undeliverable_without_retry(rt, provider):
    provider.on("POST", TWILIO_PATH, (400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient"}))
    rt.registry.touch(WA, "whatsapp", "WhatsApp", WA, NOW())
    result = await rt.outbound.send_text(WA, "Hola")
    assert result.status == UNDELIVERABLE and len(provider.calls) == 1
    assert rt.registry.get(WA).private_ok is False


async def test_bad_credentials_fail_at_once(rt, provider):
    provider.on("POST", TWILIO_PATH, (401, {"code": 20003, "message": "Authenticate"}))
    rt.registry.touch(WA, "whatsapp", "WhatsApp", WA, NOW())
    result = await rt.outbound.send_text(WA, "Hola")
    assert result.status == FAILED and len(provider.calls) == 1 and rt.sleep.delays == []
    assert rt.registry.get(WA).private_ok is True  # not the customer's doing


# ----------------------------------------------------------------------------- Meta
async def test_messenger_text_and_refusal(rt, provider):
    provider.on("POST", r"/v19.0/PAGE1/messages$", (200, {"recipient_id": "PSID1", "message_id": "m_1"}))
    rt.registry.touch(
        "facebook:PSID1",
        "meta",
        "Facebook",
        "PSID1",
        NOW(),
        extra={"network": "facebook", "recipient": "id", "page_id": "PAGE1"},
    )
    result = await rt.outbound.send_text("facebook:PSID1", "Hola 👋")
    assert result.status == SENT and result.provider_message_id == "m_1"
    call = provider.calls[0]
    assert call.json() == {"recipient": {"id": "PSID1"}, "message": {"text": "Hola 👋"}, "messaging_type": "RESPONSE"}
    assert call.headers["Authorization"] == "Bearer meta-page-token"
    assert "access_token" not in call.query  # the token never travels in a URL

    provider.on(
        "POST",
        r"/messages$",
        (400, {"error": {"message": "This person isn't available right now.", "code": 551, "error_subcode": 1545041}}),
    )
    refused = await rt.outbound.send_text("facebook:PSID1", "¿Sigues ahí?")
    assert refused.status == UNDELIVERABLE and "551" in refused.error
    assert rt.registry.get("facebook:PSID1").private_ok is False


async def test_meta_outside_window_is_undeliverable(rt, provider):
    provider.on(
        "POST",
        r"/messages$",
        (400, {"error": {"message": "outside of allowed window", "code": 10, "error_subcode": 2018278}}),
    )
    rt.registry.touch(
        "instagram:IG1", "meta", "Instagram", "IG1", NOW(), extra={"network": "instagram", "recipient": "id"}
    )
    result = await rt.outbound.send_text("instagram:IG1", "Hola")
    assert result.status == UNDELIVERABLE and len(provider.calls) == 1
    assert provider.calls[0].path == "/v19.0/me/messages"


async def test_private_reply_to_a_comment_learns_the_inbox_id(rt, provider):
    provider.on("POST", r"/v19.0/PAGE1/messages$", (200, {"recipient_id": "PSID77", "message_id": "m_9"}))
    rt.registry.touch(
        "facebook:U1",
        "meta",
        "Facebook",
        "C_123",
        NOW(),
        public_ref="C_123",
        extra={"network": "facebook", "recipient": "comment_id", "page_id": "PAGE1", "public_kind": "fb_comment"},
    )
    result = await rt.outbound.send_text("facebook:U1", "Hola, te escribo por aquí 😊")
    assert result.status == SENT
    assert provider.calls[0].json()["recipient"] == {"comment_id": "C_123"}
    conv = rt.registry.get("facebook:U1")
    assert conv.address == "PSID77" and conv.extra["recipient"] == "id"
    assert rt.registry.resolve("facebook:PSID77") == "facebook:U1"


async def test_public_replies_per_network(rt, provider):
    provider.on("POST", r"/comments$", (200, {"id": "C_reply"}))
    provider.on("POST", r"/replies$", (200, {"id": "IGC_reply"}))
    provider.on("POST", r"/2/tweets$", (201, {"data": {"id": "T_reply", "text": "x"}}))
    rt.registry.touch(
        "facebook:U1", "meta", "Facebook", "C_1", NOW(), public_ref="C_1", extra={"public_kind": "fb_comment"}
    )
    rt.registry.touch(
        "instagram:U2",
        "meta",
        "Instagram",
        "IGC_1",
        NOW(),
        public_ref="IGC_1",
        extra={"public_kind": "ig_comment", "network": "instagram"},
    )
    rt.registry.touch("twitter:U3", "twitter", "Twitter", "U3", NOW(), public_ref="T_1")

    for conv in ("facebook:U1", "instagram:U2", "twitter:U3"):
        assert (
            await rt.outbound.send_public_reply(conv, "Te escribimos por mensaje privado 📩", purpose="closing")
        ).status == SENT

    assert provider.calls[0].path == "/v19.0/C_1/comments" and provider.calls[0].json() == {
        "message": "Te escribimos por mensaje privado 📩"
    }
    assert provider.calls[1].path == "/v19.0/IGC_1/replies"
    assert provider.calls[2].json() == {
        "text": "Te escribimos por mensaje privado 📩",
        "reply": {"in_reply_to_tweet_id": "T_1"},
    }
    assert [r.kind for r in _log(rt).list()] == ["public_reply"] * 3


async def test_public_reply_without_a_public_origin_is_skipped(rt, provider):
    rt.registry.touch("telegram:5", "telegram", "Telegram", "5", NOW())
    result = await rt.outbound.send_public_reply("telegram:5", "Hola", purpose="closing")
    assert result.status == SKIPPED and provider.calls == []


# ----------------------------------------------------------------------------- Telegram and X
TG_PATH = r"/bot123456789:AAtestTOKENtestTOKENtestTOKENtest12/sendMessage$"


def _tg_ok(call):
    return {
        "ok": True,
        "result": {
            "message_id": 321,
            "date": 1767225600,
            "chat": {"id": 555, "type": "private"},
            "text": call.form()["text"],
        },
    }


async def test_telegram_send_and_refusals(rt, provider):
    provider.on("POST", TG_PATH, (200, _tg_ok))
    rt.registry.touch("telegram:555", "telegram", "Telegram", "555", NOW())
    result = await rt.outbound.send_text("telegram:555", "¡Hola! ¿En qué te ayudo?")
    assert result.status == SENT and result.provider_message_id == "321"
    assert provider.calls[0].form() == {"chat_id": "555", "text": "¡Hola! ¿En qué te ayudo?"}

    provider.on(
        "POST",
        TG_PATH,
        (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 3",
                "parameters": {"retry_after": 3},
            },
        ),
        (200, _tg_ok),
    )
    assert (await rt.outbound.send_text("telegram:555", "otra")).status == SENT
    assert rt.sleep.delays == [3.0]

    provider.on(
        "POST",
        TG_PATH,
        (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}),
    )
    blocked = await rt.outbound.send_text("telegram:555", "¿Sigues ahí?")
    assert blocked.status == UNDELIVERABLE and rt.registry.get("telegram:555").private_ok is False


async def test_twitter_dm_and_refusal(rt, provider):
    provider.on(
        "POST",
        r"/2/dm_conversations/with/U9/messages$",
        (201, {"data": {"dm_conversation_id": "1-9", "dm_event_id": "E1"}}),
    )
    rt.registry.touch("twitter:U9", "twitter", "Twitter", "U9", NOW())
    result = await rt.outbound.send_text("twitter:U9", "Hola, ¿me compartes tu número de contrato?")
    assert result.status == SENT and result.provider_message_id == "E1"
    assert provider.calls[0].json() == {"text": "Hola, ¿me compartes tu número de contrato?"}
    assert provider.calls[0].headers["Authorization"] == "Bearer twitter-user-token"

    provider.on(
        "POST",
        r"/messages$",
        (403, {"title": "Forbidden", "detail": "You are not permitted to send a DM to this user"}),
    )
    refused = await rt.outbound.send_text("twitter:U9", "Hola")
    assert refused.status == UNDELIVERABLE and rt.registry.get("twitter:U9").private_ok is False


# ----------------------------------------------------------------------------- bookkeeping
async def test_unknown_conversation_and_channel_without_delivery(rt, provider):
    unknown = await rt.outbound.send_text("whatsapp:+570000000000", "Hola")
    assert unknown.status == FAILED and unknown.error == "unknown conversation"
    rt.registry.touch("rest-123", "rest", "Chat EPM", "rest-123", NOW())
    skipped = await rt.outbound.send_text("rest-123", "Hola")
    assert skipped.status == SKIPPED
    assert {r.status for r in _log(rt).list()} == {FAILED, SKIPPED}
    assert provider.calls == []


async def test_cli_lists_failed_messages_as_json(tmp_path, provider):
    from bot.outbound.registry import SqlConversationRegistry
    from bot.schema import upgrade_all
    from crm_adapter.db import make_engine

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    upgrade_all(engine)
    registry = SqlConversationRegistry(engine)
    registry.touch(WA, "whatsapp", "WhatsApp", WA, NOW())
    log = SqlOutboundLog(engine)
    failed = log.create(
        conversation_id=WA,
        input_channel="whatsapp",
        canal="WhatsApp",
        address=WA,
        kind="text",
        purpose="reply",
        body="Tu cédula 1036123456 quedó registrada",
    )
    log.update(failed, status=FAILED, attempts=5, last_error="HTTP 500: Twilio 20500")
    sent = log.create(
        conversation_id=WA,
        input_channel="whatsapp",
        canal="WhatsApp",
        address=WA,
        kind="text",
        purpose="reply",
        body="ok",
    )
    log.update(sent, status=SENT, attempts=1, provider_message_id="SM1")

    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    bootstrap.override(settings_=load_settings({"PQRBOT_DATABASE_URL": url}))
    try:
        args = parser.parse_args(["outbound", "--json", "--status", "failed"])
        out = io.StringIO()
        assert args.func(args, out=out) == 0
        rows = json.loads(out.getvalue())
        table = io.StringIO()
        args2 = parser.parse_args(["outbound"])
        args2.func(args2, out=table)
    finally:
        bootstrap.reset()
    assert [(r["id"], r["status"], r["attempts"], r["last_error"]) for r in rows] == [
        (failed, "failed", 5, "HTTP 500: Twilio 20500")
    ]
    assert rows[0]["conversation_id"] == "whatsapp:+**********67"
    assert "1036123456" not in out.getvalue()
    assert table.getvalue().count("\n") == 2 and "failed" in table.getvalue()


# ----------------------------------------------------------------------------- in-memory twins
class _FlakySender:
    channel = "whatsapp"

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = 0

    async def send_text(self, conv, text):
        from bot.outbound.senders.base import ProviderAck

        self.calls += 1
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if isinstance(outcome, BaseException):
            raise outcome
        return ProviderAck(provider_message_id=f"id-{self.calls}")


async def test_service_logic_with_in_memory_twins():
    from bot.outbound.log import InMemoryOutboundLog
    from bot.outbound.registry import InMemoryConversationRegistry
    from bot.outbound.senders.base import SendError
    from bot.outbound.service import OutboundService
    from tests.bot.channels.conftest import SleepRecorder

    registry, log, sleep = InMemoryConversationRegistry(), InMemoryOutboundLog(), SleepRecorder()
    registry.touch(WA, "whatsapp", "WhatsApp", WA, NOW())
    sender = _FlakySender(SendError("HTTP 503", transient=True), "ok", KeyError("bug"))
    service = OutboundService(registry, log, {"whatsapp": sender}, sleep=sleep, jitter=0, max_attempts=3)

    first = await service.send_text(WA, "uno")
    assert first.status == SENT and first.provider_message_id == "id-2" and sleep.delays == [1.0]
    bug = await service.send_text(WA, "dos")  # a bug in a sender: reported, not retried, not raised
    assert bug.status == FAILED and "KeyError" in bug.error and sender.calls == 3
    assert [(r.body, r.status, r.attempts) for r in log.list()] == [("dos", FAILED, 1), ("uno", SENT, 2)]


async def test_recording_outbound_for_other_tests():
    from tests.fakes.outbound import RecordingOutbound

    outbound = RecordingOutbound(status=UNDELIVERABLE, error="blocked")
    result = await outbound.send_template("c1", "HX1", {"1": "x"}, purpose="followup_closing")
    assert result.status == UNDELIVERABLE and outbound.calls == [
        ("template", "c1", ("HX1", {"1": "x"}), "followup_closing")
    ]
