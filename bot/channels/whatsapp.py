"""WhatsApp through Twilio: ``POST /webhooks/whatsapp/webhook``.

Twilio posts a form (From="whatsapp:+57...", Body, MessageSid, NumMedia, MediaUrl{i},
MediaContentType{i}) signed in ``X-Twilio-Signature``: base64 HMAC-SHA1, with the account's
auth token, of the URL Twilio called followed by the sorted form fields. The URL is
PQRBOT_PUBLIC_URL + the request path (what Twilio called, even behind a proxy or tunnel);
without PQRBOT_PUBLIC_URL it is the URL this server sees. Checked with the ``twilio`` package's
``RequestValidator``. Media are stored as evidence; a voice note gets a kind request to write.
The answer is an empty TwiML document: replies go through the Messages API.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional
from urllib.parse import parse_qsl

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.channels.common import (
    InboundMessage,
    OnNewMessage,
    WebhookChannel,
    bad_request,
    forbidden,
    payload_too_large,
    unavailable,
    utcnow,
)
from bot.channels.media import MediaItem
from bot.logmask import mask, masked_logger

logger = masked_logger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class FormParams(dict):
    """Form fields as lists (what RequestValidator expects), blanks kept: Twilio signs them."""

    def getlist(self, key: str) -> List[str]:
        return self[key]

    def first(self, key: str, default: Optional[str] = None) -> Optional[str]:
        values = self.get(key)
        return values[0] if values else default


def parse_form(body: bytes) -> FormParams:
    params = FormParams()
    for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False):
        params.setdefault(key, []).append(value)
    return params


def twilio_signature_valid(auth_token: str, url: str, params: Any, signature: Optional[str]) -> bool:
    if not auth_token or not signature:
        return False
    return RequestValidator(auth_token).validate(url, params, signature)


class WhatsAppInput(WebhookChannel):
    provider = "twilio"
    text_limit = 1600

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "WhatsAppInput":
        return cls(**(credentials or {}))

    def __init__(
        self,
        auth_token: Optional[str] = None,
        account_sid: Optional[str] = None,
        whatsapp_number: Optional[str] = None,
        public_url: Optional[str] = None,
        *,
        runtime=None,
        settings=None,
    ) -> None:
        super().__init__(runtime=runtime, settings=settings)
        self.auth_token = self.setting(auth_token, "TWILIO_AUTH_TOKEN")
        self.account_sid = self.setting(account_sid, "TWILIO_ACCOUNT_SID")
        self.whatsapp_number = self.setting(whatsapp_number, "TWILIO_WHATSAPP_NUMBER")
        self.public_url = (public_url or self.settings.get("PQRBOT_PUBLIC_URL") or "").rstrip("/") or None
        if not self.auth_token:
            logger.error("WhatsApp channel without TWILIO_AUTH_TOKEN: every request will be refused")
        elif not self.public_url:
            logger.warning(
                "PQRBOT_PUBLIC_URL not set: Twilio signatures are checked against the URL this server "
                "sees, which fails behind a proxy or tunnel"
            )

    def signed_url(self, request: Request) -> str:
        if self.public_url:
            query = f"?{request.query_string}" if request.query_string else ""
            return f"{self.public_url}{request.path}{query}"
        return request.url

    def parse(self, params: FormParams) -> Optional[InboundMessage]:
        sid = params.first("MessageSid") or params.first("SmsMessageSid")
        sender = params.first("From")
        if not sid or not sender:
            raise ValueError("MessageSid and From are required")
        if not sender.startswith("whatsapp:"):
            return None  # SMS to the same number: not a WhatsApp conversation
        try:
            count = int(params.first("NumMedia", "0") or 0)
        except ValueError as exc:
            raise ValueError("NumMedia is not a number") from exc
        media = []
        for i in range(max(0, min(count, 10))):
            url = params.first(f"MediaUrl{i}")
            if url:
                media.append(
                    MediaItem(
                        url=url, content_type=params.first(f"MediaContentType{i}"), provider_message_id=sid, position=i
                    )
                )
        text = params.first("Body") or None
        lat, lon = params.first("Latitude"), params.first("Longitude")
        if not text and not media and lat and lon:
            text = f"Mi ubicación: {params.first('Address') or ''} ({lat}, {lon})".replace(" ()", "")
        return InboundMessage(
            delivery_id=sid,
            conversation_id=sender,
            address=sender,
            canal="WhatsApp",
            text=text,
            received_at=utcnow(),
            media=media,
        )

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint("pqrbot_whatsapp", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.auth_token else "not_configured"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.too_large(request):  # before parsing or computing a signature
                return payload_too_large()
            try:
                params = parse_form(request.body or b"")
            except (UnicodeDecodeError, ValueError):
                params = None
            signature = request.headers.get("X-Twilio-Signature")
            if params is None or not twilio_signature_valid(
                self.auth_token or "", self.signed_url(request), params, signature
            ):
                logger.warning("WhatsApp webhook refused: bad or missing X-Twilio-Signature")
                return forbidden()
            try:
                message = self.parse(params)
            except ValueError as exc:
                return bad_request(str(exc))
            if message is not None:
                try:
                    await self.accept([message], on_new_message)
                except Exception:
                    logger.exception("WhatsApp message of %s not accepted", mask(message.conversation_id))
                    return unavailable()
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return self.prepared(bp)
