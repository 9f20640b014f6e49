"""Chat EPM over HTTP: Rasa's REST channel with input checks, and the web chat page.

POST /webhooks/rest/webhook      {"sender": "...", "message": "..."} -> [{"recipient_id", "text"}...]
GET  /webhooks/webchat/           the web chat page (posts to /webhooks/webchat/webhook)
POST /webhooks/webchat/session    a new server-issued, unguessable web chat session id
GET  /webhooks/webchat/agent_messages?sender=<session>&after=N
                                  what people of the agent console wrote to this web chat session
                                  since message id N: {"messages": [{"id", "text", "author_name", "at"}]}
                                  (the page polls it; only for a valid, server-issued session)

Rasa's own REST channel files every message without a sender under one conversation named
"default" and fails on a body that is not JSON; this one answers 400 with the reason instead.

The public channel never reaches another channel's conversation: the conversation id Rasa sees
is the client's id in a namespace of its own (``rest:<sender>``, ``web:<session>``; see
``bot.conversation_ids``), so no client-chosen id can name a WhatsApp, Meta, X or Telegram
conversation. The web chat only accepts session ids this server issued (HMAC-signed). Client
metadata cannot choose the PQR canal. Bodies are capped before parsing (413), and each sender
and IP address is rate limited (429, with a polite reply).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional, Text, Tuple, Union

import structlog
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.messages import MESSAGES
from bot.channels.guard import (
    BODY_TOO_LARGE,
    INTENT_SYNTAX_REPLY,
    RATE_LIMIT_REPLY,
    RateLimiter,
    SharedRateLimiter,
    body_too_large,
    neutralize_intent_syntax,
    too_long_reply,
)
from bot.conversation_ids import namespaced

Limiter = Union[RateLimiter, SharedRateLimiter]

structlogger = structlog.get_logger()
PAGE = Path(__file__).resolve().parent.parent / "web" / "chat.html"
MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128
# Keys of the UserMessage metadata that only the server sets (canal, public comment...).
RESERVED_METADATA = ("canal", "public", "public_ref", "media")
SESSION_EXPIRED = MESSAGES["sesion_terminada"]


def parse_body(raw: bytes, max_chars: int = MAX_MESSAGE_CHARS) -> Tuple[Optional[dict], Optional[str]]:
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
    if len(message) > max_chars:
        return None, too_long_reply(max_chars)
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return None, "'metadata' debe ser un objeto JSON."
    if metadata:
        metadata = {k: v for k, v in metadata.items() if k not in RESERVED_METADATA} or None
    # A leading "/" would let a customer type Rasa's "/intent{...}" shortcut and set slots.
    message = neutralize_intent_syntax(message) if message.lstrip().startswith("/") else message
    return {"sender": str(sender).strip(), "message": message, "metadata": metadata}, None


# --------------------------------------------------------------------------- web chat sessions
_SESSION = re.compile(r"[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{22}")


def _session_mac(secret: bytes, nonce: str) -> str:
    digest = hmac.new(secret, nonce.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:22]


def issue_session(secret: bytes) -> str:
    """A new web chat session id: 144 random bits and their HMAC (nothing stored server-side)."""
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_session_mac(secret, nonce)}"


def session_valid(secret: bytes, session: str) -> bool:
    if not isinstance(session, str) or not _SESSION.fullmatch(session):
        return False
    nonce, mac = session.split(".")
    return hmac.compare_digest(mac, _session_mac(secret, nonce))


def _csp_hash(page: str, tag: str) -> str:
    found = re.search(rf"<{tag}>(.*?)</{tag}>", page, re.S)
    body = found.group(1) if found else ""
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii") + "'"


def page_headers(page: str) -> dict:
    """Content-Security-Policy (only this page's own script and style; no framing by others)."""
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(page, 'script')}; style-src {_csp_hash(page, 'style')}; "
        "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'self'"
    )
    return {
        "Content-Security-Policy": csp,
        "X-Frame-Options": "SAMEORIGIN",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def _agent_messages(conversation_id: str, after: int) -> list:
    from bot.bootstrap import services

    return [
        {"id": m.id, "text": m.text, "author_name": m.author_name, "at": m.at.isoformat()}
        for m in services().handoff.messages_after(conversation_id, after)
    ]


class ChatRestInput(RestInput):
    """The REST channel (Chat EPM), name "rest"."""

    serves_page = False

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def __init__(self, settings: Any = None) -> None:
        self._settings = settings
        self._limits: Optional[Tuple[Limiter, Limiter]] = None
        self._secret: Optional[bytes] = None

    @property
    def settings(self) -> Any:
        if self._settings is None:
            from bot.bootstrap import settings

            self._settings = settings()
        return self._settings

    def _setting(self, name: str, default: Any) -> Any:
        return getattr(self.settings, name, default)

    @property
    def limits(self) -> Tuple[Limiter, Limiter]:
        if self._limits is None:
            window = float(self._setting("rate_limit_window_seconds", 60.0))
            by_sender, by_ip = int(self._setting("rate_limit_sender", 30)), int(self._setting("rate_limit_ip", 300))
            if int(os.environ.get("SANIC_WORKERS") or 1) > 1:  # several Rasa workers: one count for all
                counts = Path(self._setting("data_dir", "var")) / "run" / "ratelimit.db"
                self._limits = (SharedRateLimiter(counts, by_sender, window), SharedRateLimiter(counts, by_ip, window))
            else:
                self._limits = (RateLimiter(by_sender, window), RateLimiter(by_ip, window))
        return self._limits

    @property
    def session_secret(self) -> bytes:
        if self._secret is None:
            configured = self._setting("webchat_secret", None) or self._setting("rasa_api_token", None)
            self._secret = (configured or secrets.token_urlsafe(32)).encode("utf-8")
        return self._secret

    def conversation_id(self, sender: str) -> Optional[str]:
        """The Rasa conversation id of a client's sender (None: refused)."""
        return namespaced(self.name(), sender)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint(f"pqrbot_{self.name()}_webhook", __name__)

        @bp.route("/", methods=["GET"], name=f"{self.name()}_root")
        async def root(request: Request) -> HTTPResponse:
            if self.serves_page:
                page = PAGE.read_text(encoding="utf-8")
                return response.html(page, headers=page_headers(page))
            return response.json({"status": "ok"})

        if self.serves_page:

            @bp.route("/session", methods=["POST"], name=f"{self.name()}_session")
            async def session(request: Request) -> HTTPResponse:
                if not self.limits[1].allow(f"ip:{request.remote_addr or request.ip}"):
                    return response.json({"error": RATE_LIMIT_REPLY}, status=429)
                return response.json(
                    {"session": issue_session(self.session_secret)}, headers={"Cache-Control": "no-store"}
                )

        @bp.route("/webhook", methods=["POST"], name=f"{self.name()}_receive")
        async def receive(request: Request) -> HTTPResponse:
            max_body = int(self._setting("max_body_bytes", 1_000_000) or 0)
            if max_body and body_too_large(request, max_body):
                return response.json({"error": BODY_TOO_LARGE}, status=413)
            by_sender, by_ip = self.limits
            if not by_ip.allow(f"ip:{request.remote_addr or request.ip}"):
                return response.json({"error": RATE_LIMIT_REPLY}, status=429)
            body, problem = parse_body(request.body, int(self._setting("max_message_chars", MAX_MESSAGE_CHARS)))
            if body is None:
                return response.json({"error": problem}, status=400)
            sender = self.conversation_id(body["sender"])
            if sender is None:
                return response.json({"error": SESSION_EXPIRED}, status=401)
            if not by_sender.allow(sender):
                return response.json({"error": RATE_LIMIT_REPLY}, status=429)
            if not body["message"].strip():
                return response.json([{"recipient_id": body["sender"], "text": INTENT_SYNTAX_REPLY}])
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        body["message"], collector, sender, input_channel=self.name(), metadata=body["metadata"]
                    )
                )
            except Exception:
                structlogger.exception("pqrbot.rest.failure", channel=self.name())
                return response.json(
                    {"error": MESSAGES["no_disponible"]},
                    status=503,
                )
            for m in collector.messages:  # the client knows its conversation by its own id
                m["recipient_id"] = body["sender"]
            return response.json(collector.messages)

        if self.serves_page:  # only a server-issued web chat session may read what agents wrote to it

            @bp.route("/agent_messages", methods=["GET"], name=f"{self.name()}_agent_messages")
            async def agent_messages(request: Request) -> HTTPResponse:
                sender = (request.args.get("sender") or "").strip()
                try:
                    after = int(request.args.get("after") or 0)
                except ValueError:
                    return response.json({"error": "'after' debe ser un número."}, status=400)
                if not sender or len(sender) > MAX_SENDER_CHARS:
                    return response.json({"error": "Falta 'sender'."}, status=400)
                conversation = self.conversation_id(sender)
                if conversation is None:
                    return response.json({"error": "Esta sesión de chat no es válida."}, status=401)
                rows = await asyncio.get_running_loop().run_in_executor(None, _agent_messages, conversation, after)
                return response.json({"messages": rows})

        return bp


class WebChatInput(ChatRestInput):
    """The web chat page and its webhook, name "webchat" (also Chat EPM)."""

    serves_page = True

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    def conversation_id(self, sender: str) -> Optional[str]:
        if not session_valid(self.session_secret, sender):
            return None
        return namespaced(self.name(), sender)
