"""Telegram (python-telegram-bot, webhook mode): ``POST /webhooks/telegram/webhook``.

Register the webhook with ``setWebhook`` giving ``secret_token`` = TELEGRAM_SECRET_TOKEN:
Telegram then sends it in ``X-Telegram-Bot-Api-Secret-Token`` on every update; anything else
is refused with 403. Updates are parsed with ``telegram.Update.de_json``; the delivery id is
``update_id``. Only private chats are served (a group would expose customers' data); the
conversation is ``telegram:<chat id>``. Photos/documents are stored as media
(``telegram-file:<file_id>``), voice notes get a kind request to write.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Update

from bot.channels.common import (
    BadPayload,
    InboundMessage,
    OnNewMessage,
    WebhookChannel,
    bad_request,
    forbidden,
    parse_json_object,
    payload_too_large,
    secure_equals,
    unavailable,
    utcnow,
)
from bot.channels.media import MediaItem
from bot.logmask import masked_logger

logger = masked_logger(__name__)


class TelegramInput(WebhookChannel):
    provider = "telegram"
    text_limit = 4096

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "TelegramInput":
        return cls(**(credentials or {}))

    def __init__(
        self,
        bot_token: Optional[str] = None,
        secret_token: Optional[str] = None,
        *,
        runtime=None,
        settings=None,
    ) -> None:
        super().__init__(runtime=runtime, settings=settings)
        self.bot_token = self.setting(bot_token, "TELEGRAM_BOT_TOKEN")
        self.secret_token = self.setting(secret_token, "TELEGRAM_SECRET_TOKEN")
        if not self.secret_token:
            logger.error("Telegram channel without TELEGRAM_SECRET_TOKEN: every request will be refused")

    def parse(self, payload: dict) -> List[InboundMessage]:
        if not isinstance(payload.get("update_id"), int):
            raise BadPayload("update_id is missing")
        try:
            update = Update.de_json(payload, None)
        except Exception as exc:  # a structure python-telegram-bot cannot read
            raise BadPayload(f"not a Telegram update: {type(exc).__name__}") from exc
        message = update.message
        if message is None or message.chat is None or message.chat.type != "private":
            return []  # edits, channel posts, groups, callbacks...: not served
        chat_id = str(message.chat.id)
        delivery = str(update.update_id)
        media: List[MediaItem] = []
        if message.photo:
            biggest = max(message.photo, key=lambda p: (p.width or 0) * (p.height or 0))
            media.append(
                MediaItem(
                    url=f"telegram-file:{biggest.file_id}",
                    content_type="image/jpeg",
                    provider_message_id=str(message.message_id),
                    position=0,
                )
            )
        for position, item, default_type in (
            (1, message.voice, "audio/ogg"),
            (2, message.audio, "audio/mpeg"),
            (3, message.document, "application/octet-stream"),
            (4, message.video_note, "video/mp4"),
        ):
            if item is not None:
                media.append(
                    MediaItem(
                        url=f"telegram-file:{item.file_id}",
                        content_type=getattr(item, "mime_type", None) or default_type,
                        provider_message_id=str(message.message_id),
                        position=position,
                    )
                )
        when = message.date or utcnow()
        return [
            InboundMessage(
                delivery_id=f"update:{delivery}",
                conversation_id=f"telegram:{chat_id}",
                address=chat_id,
                canal="Telegram",
                text=message.text or message.caption,
                received_at=when,
                media=media,
            )
        ]

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint("pqrbot_telegram", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.secret_token else "not_configured"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.too_large(request):
                return payload_too_large()
            if not secure_equals(request.headers.get("X-Telegram-Bot-Api-Secret-Token"), self.secret_token):
                logger.warning("Telegram webhook refused: bad or missing secret token")
                return forbidden()
            try:
                messages = self.parse(parse_json_object(request.body or b""))
            except BadPayload as exc:
                return bad_request(str(exc))
            try:
                await self.accept(messages, on_new_message)
            except Exception:
                logger.exception("Telegram update not accepted")
                return unavailable()
            return response.json({"ok": True})

        return self.prepared(bp)
