"""X (Twitter): Account Activity webhook (CRC and signature), DMs and mentions, against a
local fake of the X API."""

import asyncio
import base64
import hashlib
import hmac
import json

import httpx
import pytest

from bot.canal import canal_for
from bot.channels.twitter import TwitterInput, crc_response_token
from bot.outbound.ports import SENT
from tests.bot.channels.conftest import FakeAssistant

SECRET = "twitter-consumer-secret"
PATH = "/webhooks/twitter/webhook"
OWN = "2244994945"
DM = r"/2/dm_conversations/with/(\w+)/messages$"


def b64hmac(secret: str, data: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), data, hashlib.sha256).digest()).decode()


def dm_event(event_id="1001", sender="U9", text="Hola, me llegó un cobro que no reconozco"):
    return {
        "for_user_id": OWN,
        "direct_message_events": [
            {
                "type": "message_create",
                "id": event_id,
                "created_timestamp": "1767225600000",
                "message_create": {
                    "target": {"recipient_id": OWN if sender != OWN else "U9"},
                    "sender_id": sender,
                    "message_data": {"text": text, "entities": {}},
                },
            }
        ],
    }


def mention(tweet_id="1500", author="U9", text="@EPMestamosahi me cobraron doble la energía", **extra):
    tweet = {
        "id_str": tweet_id,
        "text": text,
        "timestamp_ms": "1767225600000",
        "user": {"id_str": author, "screen_name": "ana_medellin"},
        "entities": {"user_mentions": [{"id_str": OWN, "screen_name": "EPMestamosahi"}]},
    }
    tweet.update(extra)
    return {"for_user_id": OWN, "user_has_blocked": "false", "tweet_create_events": [tweet]}


async def post(served, payload, signature="sign"):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        headers["x-twitter-webhooks-signature"] = "sha256=" + b64hmac(SECRET, body)
    elif signature:
        headers["x-twitter-webhooks-signature"] = signature
    async with httpx.AsyncClient() as client:
        return await client.post(served.url(PATH), content=body, headers=headers)


@pytest.fixture
async def tw(provider, make_runtime, serve):
    provider.on("POST", DM, (201, {"data": {"dm_conversation_id": "x", "dm_event_id": "DM_EVENT"}}))
    return await serve(TwitterInput(runtime=make_runtime(provider.url)))


async def test_crc_challenge(tw):
    async with httpx.AsyncClient() as client:
        ok = await client.get(tw.url(PATH), params={"crc_token": "challenge-token-123"})
        missing = await client.get(tw.url(PATH))
    assert ok.status_code == 200
    assert ok.json() == {"response_token": "sha256=" + b64hmac(SECRET, b"challenge-token-123")}
    assert crc_response_token(SECRET, "challenge-token-123") == ok.json()["response_token"]
    assert missing.status_code == 400


@pytest.mark.parametrize("signature", [None, "sha256=" + b64hmac("other", b"{}"), "garbage"])
async def test_badly_signed_events_are_refused(tw, provider, signature):
    response = await post(tw, dm_event(), signature=signature)
    await tw.settle()
    assert response.status_code == 403 and tw.assistant.messages == [] and provider.calls == []


async def test_direct_message_and_reply(tw, provider):
    assert (await post(tw, dm_event())).status_code == 200
    await tw.settle()
    (message,) = tw.assistant.messages
    assert (message.sender_id, message.input_channel, message.metadata["public"]) == ("twitter:U9", "twitter", False)
    assert canal_for(message.input_channel, message.metadata) == "Twitter"
    (call,) = provider.calls
    assert call.path == "/2/dm_conversations/with/U9/messages"
    assert call.json() == {"text": "Recibí: Hola, me llegó un cobro que no reconozco"}


async def test_our_own_dms_and_tweets_are_ignored(tw, provider):
    await post(tw, dm_event(sender=OWN))
    await post(tw, mention(author=OWN))
    await post(tw, mention(tweet_id="1501", retweeted_status={"id_str": "1"}))
    await post(tw, mention(tweet_id="1502", entities={"user_mentions": []}))
    await tw.settle()
    assert tw.assistant.messages == [] and provider.calls == []


async def test_mention_without_data_gets_a_dm_asking_for_it(provider, make_runtime, serve):
    provider.on("POST", DM, (201, {"data": {"dm_event_id": "DM1"}}))
    assistant = FakeAssistant(
        replies=lambda m: [
            "¡Hola! Te escribo por mensaje directo 🙂",
            "¿Me compartes tu nombre, cédula y número de contrato?",
        ]
    )
    served = await serve(TwitterInput(runtime=make_runtime(provider.url)), assistant)
    await post(served, mention())
    await served.settle()
    (message,) = assistant.messages
    assert message.text == "me cobraron doble la energía"  # our handle is not part of the request
    assert message.sender_id == "twitter:U9" and message.metadata["public_ref"] == "1500"
    (dm,) = provider.calls  # one DM, no public tweet with the customer's data
    assert dm.path == "/2/dm_conversations/with/U9/messages"
    assert "cédula" in dm.json()["text"]
    assert served.runtime.registry.get("twitter:U9").public_ref == "1500"


async def test_when_dms_are_closed_the_mention_can_still_be_answered_publicly(provider, make_runtime, serve):
    provider.on("POST", DM, (403, {"title": "Forbidden", "detail": "You cannot send messages to this user."}))
    provider.on("POST", r"/2/tweets$", (201, {"data": {"id": "T_REPLY"}}))
    served = await serve(TwitterInput(runtime=make_runtime(provider.url)))
    await post(served, mention())
    await served.settle()
    conv = served.runtime.registry.get("twitter:U9")
    assert conv.private_ok is False
    assert [r.status for r in served.runtime.outbound.log.list()] == ["undeliverable"]
    result = await served.runtime.outbound.send_public_reply(
        "twitter:U9", "Hola, escríbenos por DM para ayudarte con tu reclamo.", purpose="followup_closing"
    )
    assert result.status == SENT
    assert provider.calls_to(r"/2/tweets$")[0].json()["reply"] == {"in_reply_to_tweet_id": "1500"}


async def test_a_retried_event_gives_one_reply(tw, provider):
    await asyncio.gather(*(post(tw, dm_event()) for _ in range(3)))
    await tw.settle()
    assert len(tw.assistant.messages) == 1 and len(provider.calls) == 1


@pytest.mark.parametrize(
    "body",
    [
        b"nope",
        b"[]",
        json.dumps({"direct_message_events": []}).encode(),
        json.dumps({"for_user_id": OWN, "direct_message_events": {}}).encode(),
    ],
)
async def test_malformed_events_get_400(tw, body):
    assert (await post(tw, body)).status_code == 400
