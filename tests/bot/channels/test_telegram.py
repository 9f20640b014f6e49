"""Telegram in webhook mode (python-telegram-bot), against a local fake of the Bot API."""

import asyncio
import json

import httpx
import pytest

from bot.canal import canal_for
from bot.channels.common import VOICE_NOTE_REPLY
from bot.channels.telegram import TelegramInput

PATH = "/webhooks/telegram/webhook"
SEND = r"/bot123456789:AAtestTOKENtestTOKENtestTOKENtest12/sendMessage$"


def update(update_id=10000, chat_type="private", **message):
    body = {
        "message_id": 1365,
        "date": 1767225600,
        "chat": {"id": 555, "type": chat_type, "first_name": "Ana"},
        "from": {"id": 555, "is_bot": False, "first_name": "Ana"},
    }
    body.update(message or {"text": "Hola, tengo un problema con mi factura"})
    return {"update_id": update_id, "message": body}


def _ok(call):
    return {
        "ok": True,
        "result": {
            "message_id": 99,
            "date": 1767225601,
            "chat": {"id": 555, "type": "private"},
            "text": call.form()["text"],
        },
    }


async def post(served, payload, secret="telegram-secret"):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with httpx.AsyncClient() as client:
        return await client.post(served.url(PATH), content=body, headers=headers)


@pytest.fixture
async def tg(provider, make_runtime, serve):
    provider.on("POST", SEND, (200, _ok))
    return await serve(TelegramInput(runtime=make_runtime(provider.url)))


@pytest.mark.parametrize("secret", [None, "guess", ""])
async def test_requests_without_the_secret_token_are_refused(tg, provider, secret):
    response = await post(tg, update(), secret=secret)
    await tg.settle()
    assert response.status_code == 403
    assert tg.assistant.messages == [] and provider.calls == []


async def test_message_and_reply(tg, provider):
    assert (await post(tg, update())).status_code == 200
    await tg.settle()
    (message,) = tg.assistant.messages
    assert (message.sender_id, message.input_channel) == ("telegram:555", "telegram")
    assert canal_for(message.input_channel, message.metadata) == "Telegram"
    (call,) = provider.calls_to(SEND)
    assert call.form() == {"chat_id": "555", "text": "Recibí: Hola, tengo un problema con mi factura"}


async def test_start_command_greets(tg):
    await post(tg, update(text="/start"))
    await tg.settle()
    assert tg.assistant.messages[0].text == "Hola"


async def test_a_retried_update_gives_one_reply(tg, provider):
    await asyncio.gather(*(post(tg, update()) for _ in range(3)))
    await tg.settle()
    assert len(tg.assistant.messages) == 1 and len(provider.calls_to(SEND)) == 1


async def test_voice_note_and_photo(tg, provider):
    await post(
        tg,
        update(
            update_id=1, voice={"file_id": "VOICE1", "file_unique_id": "v", "duration": 4, "mime_type": "audio/ogg"}
        ),
    )
    await post(
        tg,
        update(
            update_id=2,
            caption="mi factura",
            photo=[
                {"file_id": "SMALL", "file_unique_id": "a", "width": 90, "height": 90},
                {"file_id": "BIG", "file_unique_id": "b", "width": 1280, "height": 960},
            ],
        ),
    )
    await tg.settle()
    texts = [c.form()["text"] for c in provider.calls_to(SEND)]
    assert texts == [VOICE_NOTE_REPLY, "Recibí: mi factura"]
    assert [(m.url, m.content_type) for m in tg.runtime.media.list_media("telegram:555")] == [
        ("telegram-file:VOICE1", "audio/ogg"),
        ("telegram-file:BIG", "image/jpeg"),
    ]


async def test_group_chats_are_not_served(tg, provider):
    assert (await post(tg, update(chat_type="group"))).status_code == 200
    await tg.settle()
    assert tg.assistant.messages == [] and provider.calls == []


@pytest.mark.parametrize("body", [b"{oops", b'"text"', json.dumps({"message": {"text": "sin update_id"}}).encode()])
async def test_malformed_updates_get_400(tg, body):
    assert (await post(tg, body)).status_code == 400


async def test_output_channel_for_proactive_messages(tg, provider):
    """Agents and Rasa's API (trigger_intent) send without any inbound request."""
    await post(tg, update())
    await tg.settle()
    output = tg.channel.get_output_channel()
    assert output.name() == "telegram"
    await output.send_text_message("telegram:555", "Un asesor revisó tu caso.")
    assert provider.calls_to(SEND)[-1].form()["text"] == "Un asesor revisó tu caso."
