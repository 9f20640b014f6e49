"""Messenger and Instagram (messages, comments, mentions) through Meta webhooks and the Graph
Send API (local fake of the Graph API)."""

import asyncio
import hashlib
import hmac
import json

import httpx
import pytest

from bot.canal import canal_for
from bot.channels.common import VOICE_NOTE_REPLY
from bot.channels.meta import MetaInput, meta_signature_valid
from tests.bot.channels.conftest import FakeAssistant

SECRET = "meta-app-secret"
PATH = "/webhooks/meta/webhook"


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def messenger(
    mid="m_1", text="Hola, me llegó muy cara la factura", sender="PSID1", page="PAGE1", obj="page", **message
):
    return {
        "object": obj,
        "entry": [
            {
                "id": page,
                "time": 1767225600000,
                "messaging": [
                    {
                        "sender": {"id": sender},
                        "recipient": {"id": page},
                        "timestamp": 1767225600000,
                        "message": {"mid": mid, "text": text, **message},
                    }
                ],
            }
        ],
    }


def fb_comment(comment_id="PAGE1_POST1_C1", author="U1", text="Me cobraron doble este mes!!", page="PAGE1"):
    return {
        "object": "page",
        "entry": [
            {
                "id": page,
                "time": 1767225600,
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "from": {"id": author, "name": "Ana"},
                            "post_id": "PAGE1_POST1",
                            "comment_id": comment_id,
                            "created_time": 1767225600,
                            "item": "comment",
                            "parent_id": "PAGE1_POST1",
                            "verb": "add",
                            "message": text,
                        },
                    }
                ],
            }
        ],
    }


async def post(served, payload, signature="sign"):
    body = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        headers["X-Hub-Signature-256"] = sign(body)
    elif signature:
        headers["X-Hub-Signature-256"] = signature
    async with httpx.AsyncClient() as client:
        return await client.post(served.url(PATH), content=body, headers=headers)


@pytest.fixture
async def meta(provider, make_runtime, serve):
    provider.on("POST", r"/messages$", (200, {"recipient_id": "PSID1", "message_id": "m_reply"}))
    return await serve(MetaInput(runtime=make_runtime(provider.url)))


def test_signature_scheme():
    body = b'{"object":"page","entry":[]}'
    assert meta_signature_valid(SECRET, body, sign(body))
    assert not meta_signature_valid(SECRET, body + b" ", sign(body))
    assert not meta_signature_valid(SECRET, body, "sha1=" + hmac.new(SECRET.encode(), body, hashlib.sha1).hexdigest())
    assert not meta_signature_valid("", body, sign(body, ""))


async def test_verification_handshake(meta):
    async with httpx.AsyncClient() as client:
        ok = await client.get(
            meta.url(PATH),
            params={"hub.mode": "subscribe", "hub.verify_token": "meta-verify-token", "hub.challenge": "1158201444"},
        )
        wrong = await client.get(
            meta.url(PATH), params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"}
        )
        missing = await client.get(meta.url(PATH))
    assert (ok.status_code, ok.text) == (200, "1158201444")
    assert wrong.status_code == 403 and missing.status_code == 403


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "bogus"])
async def test_unsigned_or_badly_signed_events_are_refused(meta, provider, signature):
    response = await post(meta, messenger(), signature=signature)
    await meta.settle()
    assert response.status_code == 403
    assert meta.assistant.messages == [] and provider.calls == []


async def test_messenger_message_and_reply(meta, provider):
    response = await post(meta, messenger())
    assert response.status_code == 200
    await meta.settle()
    (message,) = meta.assistant.messages
    assert (message.sender_id, message.input_channel, message.text) == (
        "facebook:PSID1",
        "meta",
        "Hola, me llegó muy cara la factura",
    )
    assert canal_for(message.input_channel, message.metadata) == "Facebook"
    assert message.metadata["public"] is False
    (call,) = provider.calls
    assert call.path == "/v19.0/PAGE1/messages"
    assert call.json()["recipient"] == {"id": "PSID1"}
    assert call.json()["message"] == {"text": "Recibí: Hola, me llegó muy cara la factura"}


async def test_instagram_direct_message(meta, provider):
    await post(meta, messenger(mid="ig_m_1", sender="IGSID1", page="IG_ACCOUNT", obj="instagram", text="Hola"))
    await meta.settle()
    (message,) = meta.assistant.messages
    assert message.sender_id == "instagram:IGSID1"
    assert canal_for(message.input_channel, message.metadata) == "Instagram"
    assert provider.calls[0].path == "/v19.0/me/messages"
    assert provider.calls[0].json()["recipient"] == {"id": "IGSID1"}
    assert meta.runtime.registry.get("instagram:IGSID1").canal == "Instagram"


async def test_batches_echoes_and_receipts(meta, provider):
    payload = messenger(mid="m_a", text="primero")
    payload["entry"][0]["messaging"] += [
        {
            "sender": {"id": "PSID2"},
            "recipient": {"id": "PAGE1"},
            "timestamp": 1,
            "message": {"mid": "m_b", "text": "segundo"},
        },
        {
            "sender": {"id": "PAGE1"},
            "recipient": {"id": "PSID1"},
            "timestamp": 2,
            "message": {"mid": "m_echo", "text": "eco", "is_echo": True},
        },
        {"sender": {"id": "PSID1"}, "recipient": {"id": "PAGE1"}, "timestamp": 3, "read": {"watermark": 1}},
    ]
    assert (await post(meta, payload)).status_code == 200
    await meta.settle()
    assert sorted(m.text for m in meta.assistant.messages) == ["primero", "segundo"]
    assert len(provider.calls) == 2


async def test_a_retried_delivery_gives_one_reply(meta, provider):
    responses = await asyncio.gather(*(post(meta, messenger()) for _ in range(3)))
    await meta.settle()
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert len(meta.assistant.messages) == 1 and len(provider.calls) == 1


async def test_comment_without_data_is_answered_privately_and_continues_in_the_inbox(provider, make_runtime, serve):
    provider.on("POST", r"/v19.0/PAGE1/messages$", (200, {"recipient_id": "PSID77", "message_id": "m_private"}))
    assistant = FakeAssistant(
        replies=lambda m: (
            [
                "¡Hola! Lamento lo de tu factura.",
                "Para radicar tu reclamo necesito tu nombre, cédula y número de contrato.",
            ]
            if m.metadata.get("public")
            else ["Gracias, ya casi terminamos."]
        )
    )
    served = await serve(MetaInput(runtime=make_runtime(provider.url)), assistant)

    assert (await post(served, fb_comment())).status_code == 200
    await served.settle()

    (public,) = assistant.messages
    assert public.sender_id == "facebook:U1" and public.text == "Me cobraron doble este mes!!"
    assert public.metadata["public"] is True and public.metadata["public_ref"] == "PAGE1_POST1_C1"
    assert canal_for(public.input_channel, public.metadata) == "Facebook"
    (private_reply,) = provider.calls  # ONE private reply (Meta allows one per comment)
    assert private_reply.path == "/v19.0/PAGE1/messages"
    assert private_reply.json()["recipient"] == {"comment_id": "PAGE1_POST1_C1"}
    assert private_reply.json()["message"]["text"] == (
        "¡Hola! Lamento lo de tu factura.\n\nPara radicar tu reclamo necesito tu nombre, cédula y número de contrato."
    )
    conv = served.runtime.registry.get("facebook:U1")
    assert conv.public_ref == "PAGE1_POST1_C1" and conv.address == "PSID77"

    # the customer answers in the inbox: same conversation, replies to the inbox
    await post(served, messenger(mid="m_inbox", sender="PSID77", text="Ana Gómez, 43512876, contrato 55501"))
    await served.settle()
    inbox = assistant.messages[-1]
    assert inbox.sender_id == "facebook:U1" and inbox.metadata["public"] is False
    assert provider.calls[-1].json()["recipient"] == {"id": "PSID77"}
    assert served.runtime.registry.get("facebook:U1").public_ref == "PAGE1_POST1_C1"  # kept for a public reply


async def test_page_own_comments_are_ignored(meta, provider):
    assert (await post(meta, fb_comment(author="PAGE1"))).status_code == 200
    await meta.settle()
    assert meta.assistant.messages == [] and provider.calls == []


async def test_instagram_comment_is_answered_privately(meta, provider):
    payload = {
        "object": "instagram",
        "entry": [
            {
                "id": "IG_ACCOUNT",
                "time": 1,
                "changes": [
                    {
                        "field": "comments",
                        "value": {
                            "id": "IGC_1",
                            "from": {"id": "IGSID5", "username": "ana"},
                            "text": "pésimo servicio, me cobran de más",
                            "media": {"id": "MEDIA1", "media_product_type": "FEED"},
                        },
                    }
                ],
            }
        ],
    }
    await post(meta, payload)
    await meta.settle()
    (message,) = meta.assistant.messages
    assert message.sender_id == "instagram:IGSID5" and message.metadata["public_ref"] == "IGC_1"
    assert canal_for(message.input_channel, message.metadata) == "Instagram"
    (call,) = provider.calls
    assert call.path == "/v19.0/me/messages" and call.json()["recipient"] == {"comment_id": "IGC_1"}


async def test_facebook_mention_text_is_read_from_the_graph_api(meta, provider):
    provider.on(
        "GET", r"/v19.0/POST_9$", (200, {"id": "POST_9", "message": "@EPM llevo 3 meses con cobros de alcantarillado"})
    )
    payload = {
        "object": "page",
        "entry": [
            {
                "id": "PAGE1",
                "time": 1,
                "changes": [
                    {
                        "field": "mention",
                        "value": {
                            "post_id": "POST_9",
                            "sender_id": "U9",
                            "sender_name": "Luis",
                            "item": "post",
                            "verb": "add",
                        },
                    }
                ],
            }
        ],
    }
    await post(meta, payload)
    await meta.settle()
    (message,) = meta.assistant.messages
    assert message.text == "@EPM llevo 3 meses con cobros de alcantarillado"
    assert message.metadata["public_ref"] == "POST_9"
    get_call = provider.calls_to(r"/POST_9$", method="GET")[0]
    assert get_call.query["fields"] == ["message"] and get_call.headers["Authorization"] == "Bearer meta-page-token"
    assert provider.calls_to(r"/messages$")[0].json()["recipient"] == {"post_id": "POST_9"}


async def test_messenger_voice_note(meta, provider):
    await post(
        meta,
        messenger(
            mid="m_audio", text=None, attachments=[{"type": "audio", "payload": {"url": "https://cdn.fbsbx.com/a.mp4"}}]
        ),
    )
    await meta.settle()
    assert meta.assistant.messages == []
    assert provider.calls[0].json()["message"]["text"] == VOICE_NOTE_REPLY
    assert [m.url for m in meta.runtime.media.list_media("facebook:PSID1")] == ["https://cdn.fbsbx.com/a.mp4"]


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        json.dumps({"object": "user", "entry": []}).encode(),
        json.dumps({"object": "page", "entry": "x"}).encode(),
    ],
)
async def test_malformed_signed_bodies_get_400(meta, body):
    response = await post(meta, body)
    assert response.status_code == 400
    assert meta.assistant.messages == []


async def test_instagram_mention_text_is_read_and_answered_privately(meta, provider):
    provider.on(
        "GET",
        r"/v19.0/IG_ACCOUNT$",
        (
            200,
            {"id": "IG_ACCOUNT", "mentioned_comment": {"id": "C5", "text": "@epm no me llega la factura desde enero"}},
        ),
    )
    payload = {
        "object": "instagram",
        "entry": [
            {
                "id": "IG_ACCOUNT",
                "time": 1,
                "changes": [{"field": "mentions", "value": {"media_id": "M1", "comment_id": "C5"}}],
            }
        ],
    }
    await post(meta, payload)
    await meta.settle()
    (message,) = meta.assistant.messages
    assert message.text == "@epm no me llega la factura desde enero"
    assert message.sender_id == "instagram:mention:C5" and message.metadata["public_ref"] == "C5"
    assert provider.calls_to(r"/IG_ACCOUNT$", method="GET")[0].query["fields"] == [
        "mentioned_comment.comment_id(C5){text}"
    ]
    assert provider.calls_to(r"/messages$")[0].json()["recipient"] == {"comment_id": "C5"}
