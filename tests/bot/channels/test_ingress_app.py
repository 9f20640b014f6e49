"""The ingress process's app: provider webhooks authenticated and queued, answered without the
assistant; health, readiness and metrics."""

from __future__ import annotations

import socket
import uuid

import httpx
import pytest

from bot.ingress.app import build_app
from bot.ingress.queue import SqlInboundQueue
from tests.bot.channels.test_whatsapp import PUBLIC, TWILIO_PATH, inbound, post, sign


@pytest.fixture
async def ingress(provider, make_runtime, engine):
    from sanic import Sanic

    provider.on("POST", TWILIO_PATH, (201, {"sid": "SMreply", "status": "queued"}))
    runtime = make_runtime(provider.url, PQRBOT_PUBLIC_URL=PUBLIC)
    runtime.queue = SqlInboundQueue(engine)
    test_mode, Sanic.test_mode = Sanic.test_mode, True
    app = build_app(runtime.settings, runtime)
    app.name = f"ingress{uuid.uuid4().hex}"
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    yield f"http://127.0.0.1:{port}", runtime
    await server.before_stop()
    server.close()
    await server.wait_closed()
    await server.after_stop()
    Sanic.test_mode = test_mode
    from bot import bootstrap

    bootstrap.reset()


async def test_signed_delivery_is_queued_and_acknowledged_forgery_refused(ingress, provider):
    base, runtime = ingress
    path = "/webhooks/whatsapp/webhook"
    params = inbound(sid="SM" + "5" * 32, body="hola, quiero poner un reclamo")
    ok = await post(base + path, params, sign("twilio-auth-token", PUBLIC + path, params))
    assert ok.status_code == 200 and "<Response>" in ok.text
    forged = await post(base + path, inbound(sid="SM" + "6" * 32), sign("wrong-token", PUBLIC + path, params))
    assert forged.status_code == 403
    again = await post(base + path, params, sign("twilio-auth-token", PUBLIC + path, params))
    assert again.status_code == 200, "a provider retry is acknowledged"
    assert runtime.queue.depth()["pending"] == 1, "queued once, for the Rasa process"
    assert provider.calls_to(TWILIO_PATH) == [], "the ingress never answers the customer itself"

    async with httpx.AsyncClient() as client:
        assert (await client.get(base + "/healthz")).status_code == 200
        ready = await client.get(base + "/readyz")
        assert ready.status_code == 200 and ready.json()["queue"]["pending"] == 1
        metrics = (await client.get(base + "/metrics")).text
    assert 'pqrbot_inbound_queue{state="pending"} 1.0' in metrics
    assert 'pqrbot_webhook_ack_seconds_count{channel="whatsapp"}' in metrics
