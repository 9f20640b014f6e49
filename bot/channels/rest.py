"""Chat EPM over HTTP: Rasa's REST channel with input checks, and the web chat page.

POST /webhooks/rest/webhook     {"sender": "...", "message": "..."} -> [{"recipient_id", "text"}...]
GET  /webhooks/webchat/          the web chat page (posts to /webhooks/webchat/webhook)
GET  /webhooks/webchat/agent_messages?sender=...&after=N
                                 what people of the agent console wrote to this customer since
                                 message id N: {"messages": [{"id", "text", "author_name", "at"}]}
                                 (the page polls it; REST has no other way to reach the customer)

Rasa's own REST channel files every message without a sender under one conversation named
"default" and fails on a body that is not JSON; this one answers 400 with the reason instead.
"""
from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional, Text, Tuple

import structlog
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

structlogger = structlog.get_logger()
PAGE = Path(__file__).resolve().parent.parent / "web" / "chat.html"
MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128


def parse_body(raw: bytes) -> Tuple[Optional[dict], Optional[str]]:
    """(body, None) when valid, else (None, the Spanish reason for the 400)."""
    try:
        body = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        return None, 'El cuerpo debe ser JSON: {"sender": "...", "message": "..."}'
    if not isinstance(body, dict):
        return None, 'El cuerpo debe ser un objeto JSON: {"sender": "...", "message": "..."}'
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, (str, int)) or isinstance(sender, bool) or not str(sender).strip():
        return None, "Falta 'sender' (identificador de la conversación)."
    if len(str(sender)) > MAX_SENDER_CHARS:
        return None, f"'sender' supera {MAX_SENDER_CHARS} caracteres."
    if not isinstance(message, str):
        return None, "Falta 'message' (texto del mensaje)."
    if len(message) > MAX_MESSAGE_CHARS:
        return None, f"El mensaje supera {MAX_MESSAGE_CHARS} caracteres."
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return None, "'metadata' debe ser un objeto JSON."
    # A leading "/" would let a customer type Rasa's "/intent{...}" shortcut and set slots.
    message = message.lstrip().lstrip("/") if message.lstrip().startswith("/") else message
    return {"sender": str(sender).strip(), "message": message, "metadata": metadata}, None


def _agent_messages(conversation_id: str, after: int) -> list:
    from bot import composition

    return [{"id": m.id, "text": m.text, "author_name": m.author_name, "at": m.at.isoformat()}
            for m in composition.get_handoff_store().messages_after(conversation_id, after)]


class ChatRestInput(RestInput):
    """The REST channel (Chat EPM), name "rest"."""

    serves_page = False

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint(f"pqrbot_{self.name()}_webhook", __name__)

        @bp.route("/", methods=["GET"], name=f"{self.name()}_root")
        async def root(request: Request) -> HTTPResponse:
            if self.serves_page:
                return response.html(PAGE.read_text(encoding="utf-8"))
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"], name=f"{self.name()}_receive")
        async def receive(request: Request) -> HTTPResponse:
            body, problem = parse_body(request.body)
            if body is None:
                return response.json({"error": problem}, status=400)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(body["message"], collector, body["sender"], input_channel=self.name(),
                                metadata=body["metadata"])
                )
            except Exception:
                structlogger.exception("pqrbot.rest.failure", channel=self.name())
                return response.json(
                    {"error": "No pudimos procesar tu mensaje en este momento; inténtalo de nuevo."},
                    status=503,
                )
            return response.json(collector.messages)

        @bp.route("/agent_messages", methods=["GET"], name=f"{self.name()}_agent_messages")
        async def agent_messages(request: Request) -> HTTPResponse:
            sender = (request.args.get("sender") or "").strip()
            try:
                after = int(request.args.get("after") or 0)
            except ValueError:
                return response.json({"error": "'after' debe ser un número."}, status=400)
            if not sender or len(sender) > MAX_SENDER_CHARS:
                return response.json({"error": "Falta 'sender'."}, status=400)
            rows = await asyncio.get_running_loop().run_in_executor(None, _agent_messages, sender, after)
            return response.json({"messages": rows})

        return bp


class WebChatInput(ChatRestInput):
    """The web chat page and its webhook, name "webchat" (also Chat EPM)."""

    serves_page = True

    @classmethod
    def name(cls) -> Text:
        return "webchat"
