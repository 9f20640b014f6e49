"""Fixtures of the channel tests: no network, SQL backends, a fake provider API, a webhook server.

- ``engine``: SQLite (tmp_path) and, when PQRBOT_TEST_POSTGRES_URL is set, PostgreSQL in a
  fresh schema dropped afterwards; the schema is brought up with the migration runner.
- ``provider``: a local HTTP server (aiohttp, 127.0.0.1) standing in for Twilio, the Graph
  API, the Telegram Bot API and the X API; it records every call and answers from rules.
- ``serve``: runs a channel's blueprint in a real Sanic server on 127.0.0.1, registered the
  way Rasa registers channels, with a fake assistant instead of a trained model.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qs

import pytest
from aiohttp import web

from bot.channels.deliveries import SqlDeliveryLog
from bot.channels.media import SqlMediaStore
from bot.channels.runtime import ChannelRuntime
from bot.config import load_settings
from bot.outbound import build_outbound, build_registry
from bot.schema import upgrade_all
from crm_adapter.db import make_engine

# ----------------------------------------------------------------------------- no network
_real_getaddrinfo = socket.getaddrinfo
_LOCAL = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "", None)


def _guarded_getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if not (name in _LOCAL or (isinstance(name, str) and name.startswith("127."))):
        raise RuntimeError(f"test tried to resolve a network name: {name!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def _no_network_names(monkeypatch):
    # tests/conftest.py already refuses connections to non-loopback addresses
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)


# ----------------------------------------------------------------------------- databases
_PG = os.environ.get("PQRBOT_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'pqrbot.db'}")
        upgrade_all(eng)
        yield eng
        eng.dispose()
        return
    eng = make_engine(request.getfixturevalue("postgres_url"))
    try:
        upgrade_all(eng)
        yield eng
    finally:
        eng.dispose()


# ----------------------------------------------------------------------------- fake provider
@dataclass
class Call:
    method: str
    path: str
    query: Dict[str, List[str]]
    headers: Dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> Dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}


@dataclass
class Rule:
    method: str
    pattern: "re.Pattern[str]"
    responses: List[tuple]
    used: int = 0


class FakeProvider:
    """Answers from rules: ``on("POST", r"/Messages.json$", (201, {...}), (500, {...}))`` —
    responses are used in order, the last one repeats."""

    def __init__(self) -> None:
        self.calls: List[Call] = []
        self.rules: List[Rule] = []
        self.url = ""
        self._runner: Optional[web.AppRunner] = None

    def on(self, method: str, path_regex: str, *responses: tuple) -> "FakeProvider":
        self.rules.insert(0, Rule(method.upper(), re.compile(path_regex), list(responses)))
        return self

    def calls_to(self, path_regex: str, method: str = "POST") -> List[Call]:
        pattern = re.compile(path_regex)
        return [c for c in self.calls if c.method == method and pattern.search(c.path)]

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        call = Call(request.method, request.path, parse_qs(request.query_string), dict(request.headers), body)
        self.calls.append(call)
        for rule in self.rules:
            if rule.method == request.method and rule.pattern.search(request.path):
                response = rule.responses[min(rule.used, len(rule.responses) - 1)]
                rule.used += 1
                status, payload = response[0], response[1]
                headers = response[2] if len(response) > 2 else {}
                if isinstance(payload, BaseException):
                    raise payload
                if callable(payload):
                    payload = payload(call)
                return web.json_response(payload, status=status, headers=headers)
        return web.json_response({"error": "no rule in the fake provider"}, status=404)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()


@pytest.fixture
async def provider():
    fake = FakeProvider()
    await fake.start()
    yield fake
    await fake.stop()


# ----------------------------------------------------------------------------- runtime
class SleepRecorder:
    """Stands in for asyncio.sleep in the outbound retries: records delays, waits nothing."""

    def __init__(self) -> None:
        self.delays: List[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


def channel_env(provider_url: str, **extra: str) -> Dict[str, str]:
    env = {
        "PQRBOT_DATABASE_URL": "sqlite:////nonexistent/pqrbot-tests-must-not-use-this.db",
        "TWILIO_ACCOUNT_SID": "AC0000000000000000000000000000test",
        "TWILIO_AUTH_TOKEN": "twilio-auth-token",
        "TWILIO_WHATSAPP_NUMBER": "+14155238886",
        "TWILIO_CLOSING_CONTENT_SID": "HX0000000000000000000000000000close",
        "TWILIO_API_BASE_URL": provider_url,
        "META_APP_SECRET": "meta-app-secret",
        "META_VERIFY_TOKEN": "meta-verify-token",
        "META_PAGE_ACCESS_TOKEN": "meta-page-token",
        "META_GRAPH_BASE_URL": f"{provider_url}/v19.0",
        "TELEGRAM_BOT_TOKEN": "123456789:AAtestTOKENtestTOKENtestTOKENtest12",
        "TELEGRAM_SECRET_TOKEN": "telegram-secret",
        "TELEGRAM_API_BASE_URL": provider_url,
        "TWITTER_CONSUMER_SECRET": "twitter-consumer-secret",
        "TWITTER_BEARER_TOKEN": "twitter-user-token",
        "TWITTER_API_BASE_URL": provider_url,
    }
    env.update(extra)
    return env


@pytest.fixture
def make_runtime(engine):
    def build(provider_url: str, **env: str) -> ChannelRuntime:
        settings = load_settings(channel_env(provider_url, **env))
        registry = build_registry(settings, engine)
        sleep = SleepRecorder()
        outbound = build_outbound(settings, engine, registry=registry, sleep=sleep, jitter=0)
        runtime = ChannelRuntime(
            settings=settings,
            registry=registry,
            outbound=outbound,
            deliveries=SqlDeliveryLog(engine),
            media=SqlMediaStore(engine),
        )
        runtime.sleep = sleep  # type: ignore[attr-defined]
        return runtime

    return build


# ----------------------------------------------------------------------------- assistant
class FakeAssistant:
    """Stands in for Rasa's agent: records the UserMessage and answers through its output
    channel the way Rasa does (send_response with {"text": ...})."""

    def __init__(self, replies: Optional[Callable[[Any], List[str]]] = None, gate: Optional[asyncio.Event] = None):
        self.messages: List[Any] = []
        self.replies = replies or (lambda m: [f"Recibí: {m.text}"])
        self.gate = gate

    async def handle_message(self, message) -> None:
        self.messages.append(message)
        if self.gate is not None:
            await self.gate.wait()
        for reply in self.replies(message):
            await message.output_channel.send_response(message.sender_id, {"text": reply})


@dataclass
class Served:
    base_url: str
    channel: Any
    assistant: FakeAssistant
    runtime: ChannelRuntime

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    async def settle(self) -> None:
        await self.runtime.per_conversation.drain(timeout=10)


@pytest.fixture
async def serve():
    from rasa.core.channels.channel import register
    from sanic import Sanic

    servers = []
    test_mode = Sanic.test_mode
    Sanic.test_mode = True  # several apps in one process (Sanic's touch-up keeps the originals)

    async def start(channel, assistant: Optional[FakeAssistant] = None) -> Served:
        assistant = assistant or FakeAssistant()
        app = Sanic(f"t{uuid.uuid4().hex}", configure_logging=False)
        app.ctx.agent = SimpleNamespace(handle_message=assistant.handle_message)
        register([channel], app, "/webhooks/")
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.before_start()
        await server.after_start()
        servers.append(server)
        return Served(f"http://127.0.0.1:{port}", channel, assistant, channel.runtime)

    yield start
    for server in servers:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()
    Sanic.test_mode = test_mode
