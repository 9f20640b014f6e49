"""WhatsApp through Twilio: signed webhooks in, Messages API out (local fake of Twilio)."""

import asyncio
import base64
import hashlib
import hmac
import logging
import time
from urllib.parse import urlencode

import httpx
import pytest

from bot.canal import canal_for
from bot.channels.common import MEDIA_RECEIVED_REPLY, VOICE_NOTE_REPLY
from bot.channels.whatsapp import WhatsAppInput, twilio_signature_valid
from tests.bot.channels.conftest import FakeAssistant

TOKEN = "twilio-auth-token"
PUBLIC = "https://pqrbot.example.com"
WA = "whatsapp:+573001234567"
TWILIO_PATH = r"/Accounts/AC0000000000000000000000000000test/Messages.json$"


def sign(token: str, url: str, params: dict) -> str:
    """Twilio's scheme, written independently of the code under test."""
    data = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def inbound(sid="SM11111111111111111111111111111111", body="Hola, quiero poner un reclamo", **extra):
    params = {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": "AC0000000000000000000000000000test",
        "From": WA,
        "To": "whatsapp:+14155238886",
        "Body": body,
        "NumMedia": "0",
        "ProfileName": "Ana",
        "WaId": "573001234567",
    }
    params.update(extra)
    return params


async def post(url, params, signature):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    async with httpx.AsyncClient() as client:
        return await client.post(url, content=urlencode(params), headers=headers)


@pytest.fixture
async def wa(provider, make_runtime, serve):
    provider.on("POST", TWILIO_PATH, (201, {"sid": "SMreply", "status": "queued"}))
    runtime = make_runtime(provider.url, PQRBOT_PUBLIC_URL=PUBLIC)
    return await serve(WhatsAppInput(runtime=runtime))


async def send_signed(served, params, token=TOKEN):
    path = "/webhooks/whatsapp/webhook"
    return await post(served.url(path), params, sign(token, PUBLIC + path, params))


def test_twilio_documented_example_signature():
    # Twilio's "Validating requests" example: auth token 12345
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    assert sign("12345", url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert twilio_signature_valid("12345", url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not twilio_signature_valid("12345", url, {**params, "Digits": "9999"}, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not twilio_signature_valid("54321", url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not twilio_signature_valid("12345", url, params, None)


async def test_message_reaches_the_assistant_and_the_reply_goes_through_twilio(wa, provider):
    response = await send_signed(wa, inbound())
    assert response.status_code == 200 and "<Response>" in response.text
    await wa.settle()

    (message,) = wa.assistant.messages
    assert (message.text, message.sender_id, message.input_channel) == ("Hola, quiero poner un reclamo", WA, "whatsapp")
    assert canal_for(message.input_channel, message.metadata) == "WhatsApp"
    (call,) = provider.calls_to(TWILIO_PATH)
    assert call.form() == {"To": WA, "From": "whatsapp:+14155238886", "Body": "Recibí: Hola, quiero poner un reclamo"}
    conv = wa.runtime.registry.get(WA)
    assert (conv.input_channel, conv.canal, conv.address) == ("whatsapp", "WhatsApp", WA)
    (record,) = wa.runtime.outbound.log.list()
    assert (record.status, record.provider_message_id) == ("sent", "SMreply")


@pytest.mark.parametrize("how", ["no signature", "wrong token", "tampered body", "internal url"])
async def test_unauthenticated_requests_are_refused_and_never_reach_the_assistant(wa, provider, how):
    params = inbound()
    path = "/webhooks/whatsapp/webhook"
    if how == "no signature":
        signature = None
    elif how == "wrong token":
        signature = sign("not-the-token", PUBLIC + path, params)
    elif how == "tampered body":
        signature = sign(TOKEN, PUBLIC + path, params)
        params = {**params, "Body": "otra cosa"}
    else:  # signed for the URL this server sees, not the public one Twilio calls
        signature = sign(TOKEN, wa.url(path), params)
    response = await post(wa.url(path), params, signature)
    await wa.settle()
    assert response.status_code == 403
    assert wa.assistant.messages == [] and provider.calls == []
    assert wa.runtime.registry.get(WA) is None


async def test_without_public_url_the_signature_covers_the_url_seen(provider, make_runtime, serve):
    provider.on("POST", TWILIO_PATH, (201, {"sid": "SMreply"}))
    served = await serve(WhatsAppInput(runtime=make_runtime(provider.url)))
    url = served.url("/webhooks/whatsapp/webhook")
    params = inbound()
    assert (await post(url, params, sign(TOKEN, url, params))).status_code == 200
    await served.settle()
    assert len(served.assistant.messages) == 1


async def test_a_retried_delivery_gives_one_reply(wa, provider):
    params = inbound()
    first = await send_signed(wa, params)
    again = await asyncio.gather(*(send_signed(wa, params) for _ in range(3)))
    await wa.settle()
    assert first.status_code == 200 and all(r.status_code == 200 for r in again)
    assert len(wa.assistant.messages) == 1
    assert len(provider.calls_to(TWILIO_PATH)) == 1


async def test_deduplication_survives_a_restart(wa, provider, make_runtime, serve):
    params = inbound()
    await send_signed(wa, params)
    await wa.settle()
    restarted = await serve(WhatsAppInput(runtime=make_runtime(provider.url, PQRBOT_PUBLIC_URL=PUBLIC)))
    assert (await send_signed(restarted, params)).status_code == 200
    await restarted.settle()
    assert restarted.assistant.messages == []
    assert len(provider.calls_to(TWILIO_PATH)) == 1


async def test_voice_note_is_stored_and_gets_a_kind_request_to_write(wa, provider):
    params = inbound(
        sid="SMvoice",
        body="",
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1",
        MediaContentType0="audio/ogg",
    )
    assert (await send_signed(wa, params)).status_code == 200
    await wa.settle()
    assert wa.assistant.messages == []  # nothing to understand
    (call,) = provider.calls_to(TWILIO_PATH)
    assert call.form()["Body"] == VOICE_NOTE_REPLY
    assert "escribes" in VOICE_NOTE_REPLY and VOICE_NOTE_REPLY.startswith("¡Gracias por tu audio!")
    (item,) = wa.runtime.media.list_media(WA)
    assert (item.url.endswith("/ME1"), item.content_type) == (True, "audio/ogg")


async def test_photo_of_the_bill_is_stored_as_evidence(wa, provider):
    photo = inbound(
        sid="SMphoto", body="", NumMedia="1", MediaUrl0="https://api.twilio.com/m/IMG1", MediaContentType0="image/jpeg"
    )
    captioned = inbound(
        sid="SMcaption",
        body="Esta es mi factura",
        NumMedia="2",
        MediaUrl0="https://api.twilio.com/m/IMG2",
        MediaContentType0="image/jpeg",
        MediaUrl1="https://api.twilio.com/m/PDF1",
        MediaContentType1="application/pdf",
    )
    assert (await send_signed(wa, photo)).status_code == 200
    assert (await send_signed(wa, captioned)).status_code == 200
    await wa.settle()

    bodies = [c.form()["Body"] for c in provider.calls_to(TWILIO_PATH)]
    assert bodies == [MEDIA_RECEIVED_REPLY, "Recibí: Esta es mi factura"]
    (message,) = wa.assistant.messages
    assert message.metadata["media"] == [
        {"url": "https://api.twilio.com/m/IMG2", "content_type": "image/jpeg"},
        {"url": "https://api.twilio.com/m/PDF1", "content_type": "application/pdf"},
    ]
    assert [m.url for m in wa.runtime.media.list_media(WA)] == [
        "https://api.twilio.com/m/IMG1",
        "https://api.twilio.com/m/IMG2",
        "https://api.twilio.com/m/PDF1",
    ]


@pytest.mark.parametrize("broken", [{"From": None}, {"MessageSid": None, "SmsMessageSid": None}, {"NumMedia": "dos"}])
async def test_malformed_but_signed_requests_get_400(wa, provider, broken):
    params = {k: v for k, v in {**inbound(), **broken}.items() if v is not None}
    response = await send_signed(wa, params)
    await wa.settle()
    assert response.status_code == 400
    assert wa.assistant.messages == []


async def test_webhook_answers_at_once_while_the_assistant_is_busy(provider, make_runtime, serve):
    provider.on("POST", TWILIO_PATH, (201, {"sid": "SMreply"}))
    gate = asyncio.Event()
    served = await serve(
        WhatsAppInput(runtime=make_runtime(provider.url, PQRBOT_PUBLIC_URL=PUBLIC)), FakeAssistant(gate=gate)
    )
    started = time.monotonic()
    response = await send_signed(served, inbound())
    elapsed = time.monotonic() - started
    assert response.status_code == 200 and elapsed < 0.5
    assert provider.calls == []  # the assistant has not answered yet
    gate.set()
    await served.settle()
    assert len(provider.calls_to(TWILIO_PATH)) == 1


async def test_customer_data_never_reach_the_logs_in_clear(wa, provider, caplog):
    provider.on("POST", TWILIO_PATH, (500, {"code": 20500, "message": "error"}), (201, {"sid": "SMreply"}))
    with caplog.at_level(logging.DEBUG):
        await send_signed(wa, inbound(body="Soy Ana, cédula 1036123456, correo ana.perez@gmail.com"))
        await wa.settle()
    assert len(provider.calls_to(TWILIO_PATH)) == 2
    for secret in ("3001234567", "1036123456", "ana.perez", "twilio-auth-token"):
        assert secret not in caplog.text


async def test_intent_shortcuts_typed_by_customers_are_neutralised(wa):
    await send_signed(wa, inbound(body='/afirmar{"numero_documento": "1"}'))
    await send_signed(wa, inbound(sid="SM2", body="/afirmar hola, quiero poner un reclamo"))
    await wa.settle()
    # the bare shortcut carries no words: it never reaches the assistant
    assert [m.text for m in wa.assistant.messages] == ["hola, quiero poner un reclamo"]


async def test_sms_to_the_same_number_is_ignored(wa, provider):
    response = await send_signed(wa, inbound(From="+573001234567"))
    await wa.settle()
    assert response.status_code == 200 and wa.assistant.messages == [] and provider.calls == []
