"""Issue 8 on the public channel (REST + web chat): own conversation namespace, server-issued
web chat sessions, page headers, body cap, rate limits, client metadata."""

from __future__ import annotations

import json
import socket
import uuid
from types import SimpleNamespace

import httpx
import pytest

from bot.channels.guard import RATE_LIMIT_REPLY
from bot.channels.rest import ChatRestInput, WebChatInput, issue_session, session_valid
from bot.config import load_settings


class Agent:
    def __init__(self):
        self.messages = []

    async def handle_message(self, message):
        self.messages.append(message)
        await message.output_channel.send_response(message.sender_id, {"text": f"eco: {message.text}"})


@pytest.fixture
async def public(tmp_path):
    from rasa.core.channels.channel import register
    from sanic import Sanic

    test_mode = Sanic.test_mode
    Sanic.test_mode = True
    settings = load_settings(
        {
            "PQRBOT_DATA_DIR": str(tmp_path),
            "PQRBOT_RATE_LIMIT_SENDER": "5",
            "PQRBOT_RATE_LIMIT_IP": "12",
            "PQRBOT_MAX_BODY_BYTES": "200000",
            "PQRBOT_WEBCHAT_SECRET": "s3cret",
        }
    )
    agent = Agent()
    app = Sanic(f"t{uuid.uuid4().hex}", configure_logging=False)
    app.ctx.agent = SimpleNamespace(handle_message=agent.handle_message)
    register([ChatRestInput(settings=settings), WebChatInput(settings=settings)], app, "/webhooks/")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    yield SimpleNamespace(base=f"http://127.0.0.1:{port}", agent=agent)
    await server.before_stop()
    server.close()
    await server.wait_closed()
    await server.after_stop()
    Sanic.test_mode = test_mode


async def post(base, path, payload, **headers):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    async with httpx.AsyncClient() as client:
        return await client.post(base + path, content=body, headers={"Content-Type": "application/json", **headers})


async def test_a_rest_sender_cannot_name_another_channels_conversation(public):
    r = await post(public.base, "/webhooks/rest/webhook", {"sender": "whatsapp:+573001234567", "message": "hola"})
    assert r.status_code == 200
    assert r.json()[0]["recipient_id"] == "whatsapp:+573001234567"  # the client's own id back
    [m] = public.agent.messages
    assert m.sender_id == "rest:whatsapp:+573001234567"
    assert not m.sender_id.startswith(("whatsapp:", "facebook:", "instagram:", "twitter:", "telegram:"))


async def test_rest_metadata_cannot_choose_the_canal(public):
    from bot.canal import canal_for

    await post(
        public.base,
        "/webhooks/rest/webhook",
        {"sender": "ana", "message": "hola", "metadata": {"canal": "WhatsApp", "public": True, "x": 1}},
    )
    [m] = public.agent.messages
    assert "canal" not in (m.metadata or {}) and "public" not in (m.metadata or {})
    assert canal_for("rest", {"canal": "WhatsApp"}) == "Chat EPM"


async def test_web_chat_needs_a_server_issued_session(public):
    forged = await post(public.base, "/webhooks/webchat/webhook", {"sender": "web-1700000000000", "message": "hola"})
    assert forged.status_code == 401 and "sesión" in forged.json()["error"]
    async with httpx.AsyncClient() as client:
        s1 = (await client.post(public.base + "/webhooks/webchat/session")).json()["session"]
        s2 = (await client.post(public.base + "/webhooks/webchat/session")).json()["session"]
    assert s1 != s2 and len(s1) >= 40
    ok = await post(public.base, "/webhooks/webchat/webhook", {"sender": s1, "message": "hola"})
    assert ok.status_code == 200 and ok.json()[0]["text"] == "eco: hola"
    assert public.agent.messages[-1].sender_id == "web:" + s1
    tampered = s1[:-1] + ("A" if s1[-1] != "A" else "B")
    assert (
        await post(public.base, "/webhooks/webchat/webhook", {"sender": tampered, "message": "x"})
    ).status_code == 401


def test_session_ids_are_signed_with_the_secret():
    s = issue_session(b"k1")
    assert session_valid(b"k1", s) and not session_valid(b"k2", s)


async def test_web_chat_page_has_csp_and_refuses_foreign_frames(public):
    async with httpx.AsyncClient() as client:
        r = await client.get(public.base + "/webhooks/webchat/")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp and "default-src 'none'" in csp and "'unsafe-inline'" not in csp
    assert r.headers["x-frame-options"] == "SAMEORIGIN"
    assert "sessionStorage" in r.text and "Terminar conversación" in r.text
    assert "Date.now" not in r.text and "localStorage.setItem" not in r.text


async def test_a_3mb_body_gets_413(public):
    r = await post(public.base, "/webhooks/rest/webhook", b"{" + b" " * 3_000_000 + b"}")
    assert r.status_code == 413
    assert public.agent.messages == []


async def test_rate_limit_per_sender_with_a_polite_reply(public):
    codes = []
    for i in range(7):
        r = await post(public.base, "/webhooks/rest/webhook", {"sender": "bot-script", "message": f"m{i}"})
        codes.append(r.status_code)
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    assert r.json()["error"] == RATE_LIMIT_REPLY
    other = await post(public.base, "/webhooks/rest/webhook", {"sender": "someone-else", "message": "hola"})
    assert other.status_code == 200


async def test_rate_limit_per_ip_across_senders(public):
    codes = [
        (await post(public.base, "/webhooks/rest/webhook", {"sender": f"s{i}", "message": "x"})).status_code
        for i in range(14)
    ]
    assert codes.count(429) == 2 and codes[-1] == 429


async def test_intent_syntax_on_rest_is_answered_without_reaching_the_assistant(public):
    r = await post(public.base, "/webhooks/rest/webhook", {"sender": "ana", "message": "/ /afirmar"})
    assert r.status_code == 200 and "palabras" in r.json()[0]["text"]
    assert public.agent.messages == []


async def test_web_chat_runs_under_its_csp_and_forgets_the_session_on_terminar(public):
    playwright = pytest.importorskip("playwright.async_api")
    import os

    if not os.path.exists("/usr/bin/chromium"):
        pytest.skip("no chromium")
    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = await browser.new_page()
            violations = []
            page.on(
                "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
            )
            await page.goto(public.base + "/webhooks/webchat/")
            await page.wait_for_selector("text=Soy el asistente de EPM")  # the script ran under the CSP
            await page.fill("#t", "hola")
            await page.click("#b")
            await page.wait_for_selector("text=eco: hola")
            session = await page.evaluate("sessionStorage.getItem('pqrbot-session')")
            assert session and public.agent.messages[-1].sender_id == "web:" + session
            assert await page.evaluate("localStorage.length") == 0
            await page.click("#fin")
            assert await page.evaluate("sessionStorage.getItem('pqrbot-session')") is None
            await page.fill("#t", "otra vez")
            await page.click("#b")
            await page.wait_for_selector("text=eco: otra vez")
            assert public.agent.messages[-1].sender_id != "web:" + session
            assert violations == []
        finally:
            await browser.close()
