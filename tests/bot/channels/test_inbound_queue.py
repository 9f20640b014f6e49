"""Inbound deliveries are processed at least once, in order per conversation, and never twice for
a provider's retry: the durable queue between the webhooks and the assistant (bot/ingress/)."""

from __future__ import annotations

import asyncio

from bot.channels.inbound import InboundMessage
from bot.channels.whatsapp import WhatsAppInput
from bot.ingress.queue import MAX_ATTEMPTS, SqlInboundQueue, dump_message, load_message
from tests.bot.channels.conftest import FakeAssistant
from tests.bot.channels.test_whatsapp import PUBLIC, TWILIO_PATH, inbound, send_signed


def msg(delivery: str, conv: str = "whatsapp:+573001112233", text: str = "hola") -> InboundMessage:
    return InboundMessage(delivery_id=delivery, conversation_id=conv, address=conv, canal="WhatsApp", text=text)


def test_a_retry_of_a_delivery_is_not_queued_again(engine):
    q = SqlInboundQueue(engine)
    assert q.admit("twilio", "whatsapp", "c1", msg("SM1")) is not None
    assert q.admit("twilio", "whatsapp", "c1", msg("SM1")) is None
    assert q.depth()["pending"] == 1


def test_one_conversation_one_message_at_a_time_in_order(engine):
    q = SqlInboundQueue(engine)
    a1 = q.admit("twilio", "whatsapp", "A", msg("SM-a1", "A", "primero"))
    a2 = q.admit("twilio", "whatsapp", "A", msg("SM-a2", "A", "segundo"))
    b1 = q.admit("twilio", "whatsapp", "B", msg("SM-b1", "B"))
    claimed = q.claim("whatsapp", "w1", 10)
    assert [c.id for c in claimed] == [a1, b1]
    assert q.claim("whatsapp", "w2", 10) == [], "A's second message waits for the first"
    assert q.claim_one(a2, "w2") is None
    q.done(a1)
    (next_one,) = q.claim("whatsapp", "w2", 10)
    assert next_one.id == a2 and load_message(next_one.payload).text == "segundo"


def test_a_claim_of_a_dead_worker_or_past_its_lease_is_processed_again(engine):
    q = SqlInboundQueue(engine)
    row = q.admit("twilio", "whatsapp", "A", msg("SM-x", "A"))
    assert q.claim_one(row, "host/999999").attempts == 1
    assert q.claim("whatsapp", "w2", 10) == []
    assert q.recover(lease_seconds=3600, dead_workers=("host/999999",)) == 1
    again = q.claim_one(row, "w2")
    assert again is not None and again.attempts == 2
    assert q.recover(lease_seconds=0) == 1, "a claim past its lease goes back too"
    for _ in range(MAX_ATTEMPTS):
        q.claim_one(row, "w3")
        q.recover(lease_seconds=0)
    assert q.depth()["failed"] == 1, "a message that keeps killing its worker stops being retried"


def test_message_survives_the_round_trip_through_the_queue():
    from bot.channels.media import MediaItem

    m = msg("SM-m")
    m.media = [MediaItem(url="https://api.twilio.com/x.jpg", content_type="image/jpeg", position=0)]
    m.extra = {"profile_name": "Ana"}
    m.metadata = {"wa_id": "573001112233"}
    back = load_message(dump_message(m))
    assert (back.delivery_id, back.text, back.media[0].url, back.extra, back.metadata) == (
        "SM-m",
        "hola",
        "https://api.twilio.com/x.jpg",
        {"profile_name": "Ana"},
        {"wa_id": "573001112233"},
    )


async def test_a_slow_stop_does_not_swallow_a_message_the_next_run_answers_it(provider, make_runtime, serve, engine):
    provider.on("POST", TWILIO_PATH, (201, {"sid": "SMreply", "status": "queued"}))
    # First run: the assistant never finishes (a slow turn when the stop comes).
    stuck = FakeAssistant(gate=asyncio.Event())
    runtime = make_runtime(provider.url, PQRBOT_PUBLIC_URL=PUBLIC)
    runtime.queue = SqlInboundQueue(engine)
    channel = WhatsAppInput(runtime=runtime)
    channel.stop_grace_seconds = 0.3
    served = await serve(channel, stuck)
    response = await send_signed(served, inbound(sid="SM" + "7" * 32, body="me cobraron de más"))
    assert response.status_code == 200
    for _ in range(50):
        if stuck.messages:
            break
        await asyncio.sleep(0.05)
    assert stuck.messages, "the message reached the assistant"
    # the server stops (listeners: consumer stop, drain times out, claim released)
    await channel.consumer.stop(drain_timeout=channel.stop_grace_seconds)
    assert runtime.queue.depth()["pending"] == 1, "not done: back in the queue"

    # Next run, same database: the message is answered; the provider does not resend it.
    runtime2 = make_runtime(provider.url, PQRBOT_PUBLIC_URL=PUBLIC)
    runtime2.queue = SqlInboundQueue(engine)
    answered = FakeAssistant()
    served2 = await serve(WhatsAppInput(runtime=runtime2), answered)
    for _ in range(100):
        if answered.messages:
            break
        await asyncio.sleep(0.05)
    assert [m.text for m in answered.messages] == ["me cobraron de más"]
    await served2.settle()
    for _ in range(40):
        if runtime2.queue.depth()["pending"] == 0 and runtime2.queue.depth()["processing"] == 0:
            break
        await asyncio.sleep(0.05)
    assert runtime2.queue.depth() == {"pending": 0, "processing": 0, "failed": 0}
    # and the provider's retry of the same delivery is acknowledged, not answered again
    response = await send_signed(served2, inbound(sid="SM" + "7" * 32, body="me cobraron de más"))
    assert response.status_code == 200
    await served2.settle()
    assert len(answered.messages) == 1


async def test_a_delivery_queued_by_the_ingress_process_is_answered_by_the_rasa_process(
    provider, make_runtime, serve, engine
):
    provider.on("POST", TWILIO_PATH, (201, {"sid": "SMreply", "status": "queued"}))
    ingress_rt = make_runtime(provider.url, PQRBOT_PUBLIC_URL=PUBLIC)
    ingress_rt.queue, ingress_rt.consume = SqlInboundQueue(engine), False
    never = FakeAssistant()
    ingress = await serve(WhatsAppInput(runtime=ingress_rt), never)
    rasa_rt = make_runtime(provider.url, PQRBOT_PUBLIC_URL=PUBLIC)
    rasa_rt.queue = SqlInboundQueue(engine)
    assistant = FakeAssistant()
    await serve(WhatsAppInput(runtime=rasa_rt), assistant)

    for n, text in enumerate(["hola", "quiero un reclamo", "por la factura"]):
        r = await send_signed(ingress, inbound(sid=f"SM{n:032d}", body=text))
        assert r.status_code == 200
    for _ in range(100):
        if len(provider.calls_to(TWILIO_PATH)) >= 3:
            break
        await asyncio.sleep(0.05)
    assert [m.text for m in assistant.messages] == ["hola", "quiero un reclamo", "por la factura"]
    assert never.messages == [], "the ingress only queues"
    assert len(provider.calls_to(TWILIO_PATH)) == 3, "each answered once"
