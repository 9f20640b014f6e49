"""Issue 8 at the channels: intent syntax, body caps, over-long messages, X CRC oracle,
redeliveries and the last-inbound time."""

import asyncio
import json
from datetime import timedelta
from urllib.parse import urlencode

import httpx
import pytest

from bot.channels.guard import INTENT_SYNTAX_REPLY, neutralize_intent_syntax
from bot.channels.twitter import TwitterInput
from bot.channels.whatsapp import WhatsAppInput
from core.clock import utcnow
from tests.bot.channels.test_twitter import DM, OWN, b64hmac, dm_event
from tests.bot.channels.test_twitter import PATH as X_PATH
from tests.bot.channels.test_twitter import SECRET as X_SECRET
from tests.bot.channels.test_whatsapp import PUBLIC, TWILIO_PATH, WA, inbound, send_signed


@pytest.mark.parametrize(
    "text",
    [
        "/afirmar",
        "/ /afirmar",
        "  //afirmar",
        "\u00a0/afirmar",
        '/ / /afirmar{"consentimiento": "si"}',
        "/afirmar@1.0",
        "\t/\n/afirmar",
        '/informar{"numero_documento": "1"}',
    ],
)
def test_no_spelling_leaves_an_intent_for_rasa(text):
    out = neutralize_intent_syntax(text)
    # Rasa's RegexMessageHandler unpacks text that, stripped, starts with "/"
    assert not out.strip().startswith("/")
    assert "afirmar" not in out and "informar" not in out


@pytest.mark.parametrize("text", ['/afirmar{"consentimiento": "si"}', '/afirmar@0.99{"x": "sí"}'])
def test_entities_of_a_smuggled_intent_leave_no_words_behind(text):
    assert neutralize_intent_syntax(text) == ""


def test_neutralising_is_linear_on_long_input():
    import time

    started = time.perf_counter()
    for evil in ("/ " * 500_000, "/{" * 500_000, "/" * 1_000_000 + "a", "/@" + "1." * 500_000):
        assert not neutralize_intent_syntax(evil).startswith("/")
    assert time.perf_counter() - started < 5


def test_words_after_a_slash_command_are_kept_and_plain_text_untouched():
    assert neutralize_intent_syntax("/afirmar hola, quiero un reclamo") == "hola, quiero un reclamo"
    assert neutralize_intent_syntax("la factura vino a/b") == "la factura vino a/b"
    assert neutralize_intent_syntax("/start") == "Hola"


@pytest.fixture
async def wa(provider, make_runtime, serve):
    provider.on("POST", TWILIO_PATH, (201, {"sid": "SMreply", "status": "queued"}))
    runtime = make_runtime(
        provider.url, PQRBOT_PUBLIC_URL=PUBLIC, PQRBOT_MAX_BODY_BYTES="100000", PQRBOT_MAX_MESSAGE_CHARS="500"
    )
    return await serve(WhatsAppInput(runtime=runtime))


async def test_smuggled_intent_on_whatsapp_gets_a_plain_reply_and_never_reaches_the_assistant(wa, provider):
    await send_signed(wa, inbound(body="/ /afirmar"))
    await wa.settle()
    assert wa.assistant.messages == []
    [reply] = provider.calls_to(TWILIO_PATH)
    assert reply.form()["Body"] == INTENT_SYNTAX_REPLY


async def test_a_big_body_gets_413_before_the_signature_is_computed(wa, monkeypatch):
    import bot.channels.whatsapp as module

    def no_signature_work(*args, **kwargs):
        raise AssertionError("the signature must not be computed for an oversized body")

    monkeypatch.setattr(module, "twilio_signature_valid", no_signature_work)
    body = urlencode(inbound(body="x" * 3_000_000))
    async with httpx.AsyncClient() as client:
        r = await client.post(
            wa.url("/webhooks/whatsapp/webhook"),
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"},
        )
    assert r.status_code == 413
    assert wa.assistant.messages == []


async def test_an_over_long_message_is_refused_with_a_clear_reply(wa, provider):
    await send_signed(wa, inbound(body="me cobraron " * 100))
    await wa.settle()
    assert wa.assistant.messages == []
    [reply] = provider.calls_to(TWILIO_PATH)
    assert "muy largo" in reply.form()["Body"] and "500" in reply.form()["Body"]


async def test_a_redelivery_does_not_move_the_last_inbound_time(wa):
    params = inbound()
    await send_signed(wa, params)
    await wa.settle()
    first = wa.runtime.registry.get(WA).last_inbound_at
    await asyncio.sleep(0.05)
    await send_signed(wa, params)
    await wa.settle()
    assert wa.runtime.registry.get(WA).last_inbound_at == first
    assert len(wa.assistant.messages) == 1


async def test_the_worker_prunes_old_delivery_records(wa):
    from bot.outbox_worker import prune_deliveries

    await send_signed(wa, inbound(sid="SMold"))
    await wa.settle()
    deliveries = wa.runtime.deliveries
    assert prune_deliveries(deliveries, timedelta(days=7)) == 0
    assert prune_deliveries(deliveries, timedelta(seconds=-1)) == 1
    assert deliveries.first_time("twilio", "SMold", utcnow())  # forgotten: new again


@pytest.fixture
async def tw(provider, make_runtime, serve):
    provider.on("POST", DM, (201, {"data": {"dm_conversation_id": "x", "dm_event_id": "DM_EVENT"}}))
    return await serve(TwitterInput(runtime=make_runtime(provider.url)))


async def test_x_crc_is_not_a_signing_oracle(tw):
    forged = json.dumps(dm_event(event_id="666", sender="U666", text="/afirmar"))
    async with httpx.AsyncClient() as client:
        crc = await client.get(tw.url(X_PATH), params={"crc_token": forged})
        assert crc.status_code == 400
        # even a token-shaped body signed by the CRC endpoint never authenticates a delivery
        token = "MjE0YjU4OGMtNzY4Yi00YjJmLWI1OTMtYTI2MzY4ODI3YzQ5"
        ok = await client.get(tw.url(X_PATH), params={"crc_token": token})
        assert ok.status_code == 200
        post = await client.post(
            tw.url(X_PATH),
            content=token.encode(),
            headers={"x-twitter-webhooks-signature": ok.json()["response_token"]},
        )
    assert post.status_code in (400, 403)
    await tw.settle()
    assert tw.assistant.messages == []


async def test_x_genuine_crc_and_deliveries_still_work(tw):
    body = json.dumps(dm_event()).encode()
    async with httpx.AsyncClient() as client:
        r = await client.post(
            tw.url(X_PATH), content=body, headers={"x-twitter-webhooks-signature": "sha256=" + b64hmac(X_SECRET, body)}
        )
    await tw.settle()
    assert r.status_code == 200 and len(tw.assistant.messages) == 1
    assert OWN  # the fixture's account


@pytest.mark.parametrize(
    "channel,path",
    [
        ("meta", "/webhooks/meta/webhook"),
        ("telegram", "/webhooks/telegram/webhook"),
        ("twitter", "/webhooks/twitter/webhook"),
    ],
)
async def test_every_webhook_caps_the_body_before_parsing(channel, path, provider, make_runtime, serve):
    from bot.channels.meta import MetaInput
    from bot.channels.telegram import TelegramInput

    cls = {"meta": MetaInput, "telegram": TelegramInput, "twitter": TwitterInput}[channel]
    served = await serve(cls(runtime=make_runtime(provider.url)))
    body = b'{"object": "page", "x": "' + b"a" * 3_000_000 + b'"}'
    async with httpx.AsyncClient() as client:
        r = await client.post(
            served.url(path),
            content=body,
            headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "telegram-secret"},
        )
    assert r.status_code == 413
    assert served.assistant.messages == []
