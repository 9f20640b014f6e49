"""X (Twitter): direct messages and mentions through the Account Activity API webhook,
``/webhooks/twitter/webhook``.

- CRC: ``GET ?crc_token=...`` -> ``{"response_token": "sha256=<base64 HMAC-SHA256 of the token
  with the consumer secret>"}`` (X calls it when registering the webhook and every hour).
- Events: ``POST`` signed in ``x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256 of the
  raw body with the consumer secret>`` (TWITTER_CONSUMER_SECRET); 403 otherwise.
- ``direct_message_events`` (message_create) -> private conversation ``twitter:<user id>``.
- ``tweet_create_events`` that mention us or answer us (not our own, not retweets) -> public
  message of the same conversation: the assistant's answer goes by DM (a mention without the
  data gets a DM asking for it); ``public_ref`` is the tweet id for a later public reply.
"""

from __future__ import annotations

import base64
import re
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.common import (
    BadPayload,
    InboundMessage,
    OnNewMessage,
    WebhookChannel,
    bad_request,
    forbidden,
    hmac_sha256,
    parse_json_object,
    payload_too_large,
    secure_equals,
    unavailable,
    utcnow,
)
from bot.channels.media import MediaItem
from bot.logmask import masked_logger

logger = masked_logger(__name__)

_LEADING_MENTIONS = re.compile(r"^(?:\s*@\w+)+\s*")


# X's CRC tokens are short URL-safe/base64 strings. Anything else (a JSON body, say) is refused,
# so the CRC endpoint cannot be used to sign a delivery: a POST body must be a JSON object, and
# no token of this shape is one.
CRC_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=.]{8,128}")


def crc_token_valid(token: Optional[str]) -> bool:
    return bool(token) and CRC_TOKEN.fullmatch(token) is not None


def crc_response_token(consumer_secret: str, crc_token: str) -> str:
    return "sha256=" + base64.b64encode(hmac_sha256(consumer_secret, crc_token.encode("utf-8"))).decode("ascii")


def twitter_signature_valid(consumer_secret: str, body: bytes, header: Optional[str]) -> bool:
    if not consumer_secret or not header:
        return False
    expected = "sha256=" + base64.b64encode(hmac_sha256(consumer_secret, body)).decode("ascii")
    return secure_equals(expected, header.strip())


def _s(value: Any) -> Optional[str]:
    return str(value) if value not in (None, "") else None


def _when_ms(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return utcnow()


class TwitterInput(WebhookChannel):
    provider = "twitter"
    text_limit = 10000

    @classmethod
    def name(cls) -> str:
        return "twitter"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "TwitterInput":
        return cls(**(credentials or {}))

    def __init__(
        self,
        consumer_secret: Optional[str] = None,
        bearer_token: Optional[str] = None,
        *,
        runtime=None,
        settings=None,
    ) -> None:
        super().__init__(runtime=runtime, settings=settings)
        self.consumer_secret = self.setting(consumer_secret, "TWITTER_CONSUMER_SECRET")
        self.bearer_token = self.setting(bearer_token, "TWITTER_BEARER_TOKEN")
        if not self.consumer_secret:
            logger.error("X channel without TWITTER_CONSUMER_SECRET: every request will be refused")

    def parse(self, payload: dict) -> List[InboundMessage]:
        own = _s(payload.get("for_user_id"))
        if not own:
            raise BadPayload("for_user_id is missing")
        out: List[InboundMessage] = []
        dms = payload.get("direct_message_events", [])
        tweets = payload.get("tweet_create_events", [])
        if not isinstance(dms, list) or not isinstance(tweets, list):
            raise BadPayload("events are not lists")
        for event in dms:
            if not isinstance(event, dict) or event.get("type") != "message_create":
                continue
            create = event.get("message_create") if isinstance(event.get("message_create"), dict) else {}
            sender = _s(create.get("sender_id"))
            event_id = _s(event.get("id"))
            if not sender or not event_id or sender == own:
                continue  # our own DMs come back as events too
            data = create.get("message_data") if isinstance(create.get("message_data"), dict) else {}
            text = _s(data.get("text"))
            media = []
            attachment = data.get("attachment") if isinstance(data.get("attachment"), dict) else {}
            item = attachment.get("media") if isinstance(attachment.get("media"), dict) else None
            if item and _s(item.get("media_url_https")):
                url = _s(item.get("media_url_https"))
                kind = item.get("type")
                media.append(
                    MediaItem(
                        url=url,
                        content_type="image/*" if kind == "photo" else f"{kind or 'file'}/*",
                        provider_message_id=event_id,
                        position=0,
                    )
                )
                if text:  # X appends the media's t.co link to the text
                    short = _s(item.get("url"))
                    if short:
                        text = text.replace(short, "").strip() or None
            out.append(
                InboundMessage(
                    delivery_id=f"dm:{event_id}",
                    conversation_id=f"twitter:{sender}",
                    address=sender,
                    canal="Twitter",
                    text=text,
                    received_at=_when_ms(event.get("created_timestamp")),
                    media=media,
                )
            )
        for tweet in tweets:
            if not isinstance(tweet, dict):
                continue
            user = tweet.get("user") if isinstance(tweet.get("user"), dict) else {}
            author, tweet_id = _s(user.get("id_str")), _s(tweet.get("id_str"))
            if not author or not tweet_id or author == own or tweet.get("retweeted_status"):
                continue
            mentions = (
                ((tweet.get("entities") or {}).get("user_mentions") or [])
                if isinstance(tweet.get("entities"), dict)
                else []
            )
            mentioned = any(isinstance(m, dict) and _s(m.get("id_str")) == own for m in mentions)
            if not mentioned and _s(tweet.get("in_reply_to_user_id_str")) != own:
                continue
            extended = tweet.get("extended_tweet") if isinstance(tweet.get("extended_tweet"), dict) else {}
            text = _s(extended.get("full_text")) or _s(tweet.get("text")) or ""
            text = _LEADING_MENTIONS.sub("", text).strip() or None
            out.append(
                InboundMessage(
                    delivery_id=f"tweet:{tweet_id}",
                    conversation_id=f"twitter:{author}",
                    address=author,
                    canal="Twitter",
                    text=text or "Hola",
                    received_at=_when_ms(tweet.get("timestamp_ms")),
                    public_ref=tweet_id,
                    extra={"screen_name": _s(user.get("screen_name"))},
                )
            )
        return out

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint("pqrbot_twitter", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.consumer_secret else "not_configured"})

        @bp.route("/webhook", methods=["GET"])
        async def crc(request: Request) -> HTTPResponse:
            token = request.args.get("crc_token")
            if not self.consumer_secret:
                return forbidden()
            if not token:
                return bad_request("crc_token is required")
            if not crc_token_valid(token):
                logger.warning("X CRC refused: the crc_token is not shaped like X's")
                return bad_request("crc_token is not valid")
            return response.json({"response_token": crc_response_token(self.consumer_secret, token)})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.too_large(request):  # before parsing or computing a signature
                return payload_too_large()
            body = request.body or b""
            if not twitter_signature_valid(
                self.consumer_secret or "", body, request.headers.get("x-twitter-webhooks-signature")
            ):
                logger.warning("X webhook refused: bad or missing x-twitter-webhooks-signature")
                return forbidden()
            if not body.lstrip().startswith(b"{") or crc_token_valid(body.decode("latin-1")):
                return bad_request("the body is not a JSON object")  # never what CRC signed
            try:
                messages = self.parse(parse_json_object(body))
            except BadPayload as exc:
                return bad_request(str(exc))
            try:
                await self.accept(messages, on_new_message)
            except Exception:
                logger.exception("X events not accepted")
                return unavailable()
            return response.text("", status=200)

        return self.prepared(bp)
