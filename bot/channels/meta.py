"""Facebook Messenger and Instagram Direct (plus public comments and mentions) through Meta's
webhooks: ``GET /webhooks/meta/webhook`` (verification handshake) and ``POST`` (events).

- Handshake: ``hub.mode=subscribe`` and ``hub.verify_token`` == META_VERIFY_TOKEN -> the
  ``hub.challenge`` is echoed; anything else 403.
- Events: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app
  secret>`` (META_APP_SECRET), compared in constant time; 403 otherwise.
- ``object: page`` -> canal "Facebook"; ``object: instagram`` -> canal "Instagram" (in the
  UserMessage metadata, read by ``bot.canal.canal_for``).
- ``messaging`` events (messages, postbacks; echoes/reads/deliveries ignored) -> private
  conversation ``facebook:<PSID>`` / ``instagram:<IGSID>``.
- ``changes``: Facebook ``feed`` comments and visitor posts, Facebook ``mention``, Instagram
  ``comments`` and ``mentions`` -> the text goes to the assistant as a public message: its
  answer goes privately (private reply to the comment), once; the conversation continues in
  the inbox.
"""

from __future__ import annotations

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

ATTACHMENT_TYPES = {"image": "image/*", "audio": "audio/*", "video": "video/*", "file": "application/octet-stream"}


def meta_signature_valid(app_secret: str, body: bytes, header: Optional[str]) -> bool:
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac_sha256(app_secret, body).hex()
    return secure_equals(expected, header.strip())


def _when(ms: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(ms) / 1000, tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return utcnow()


def _s(value: Any) -> Optional[str]:
    return str(value) if value not in (None, "") else None


class MetaInput(WebhookChannel):
    provider = "meta"
    text_limit = 2000

    @classmethod
    def name(cls) -> str:
        return "meta"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "MetaInput":
        return cls(**(credentials or {}))

    def __init__(
        self,
        app_secret: Optional[str] = None,
        verify_token: Optional[str] = None,
        page_access_token: Optional[str] = None,
        *,
        runtime=None,
        settings=None,
    ) -> None:
        super().__init__(runtime=runtime, settings=settings)
        self.app_secret = self.setting(app_secret, "META_APP_SECRET")
        self.verify_token = self.setting(verify_token, "META_VERIFY_TOKEN")
        self.page_access_token = self.setting(page_access_token, "META_PAGE_ACCESS_TOKEN")
        if not (self.app_secret and self.verify_token):
            logger.error("Meta channel without META_APP_SECRET/META_VERIFY_TOKEN: every request will be refused")

    # ------------------------------------------------------------------ parsing
    def parse(self, payload: dict) -> List[InboundMessage]:
        kind = payload.get("object")
        if kind not in ("page", "instagram"):
            raise BadPayload("object is neither 'page' nor 'instagram'")
        network = "instagram" if kind == "instagram" else "facebook"
        entries = payload.get("entry")
        if not isinstance(entries, list):
            raise BadPayload("entry is not a list")
        out: List[InboundMessage] = []
        for entry in entries:
            if not isinstance(entry, dict):
                raise BadPayload("entry item is not an object")
            own_id = _s(entry.get("id"))
            for event in entry.get("messaging") or []:
                if isinstance(event, dict):
                    message = self._messaging(network, own_id, event)
                    if message:
                        out.append(message)
            for change in entry.get("changes") or []:
                if isinstance(change, dict) and isinstance(change.get("value"), dict):
                    message = self._change(network, own_id, change.get("field"), change["value"])
                    if message:
                        out.append(message)
        return out

    def _messaging(self, network: str, own_id: Optional[str], event: dict) -> Optional[InboundMessage]:
        sender = _s((event.get("sender") or {}).get("id"))
        if not sender or sender == own_id:
            return None
        message = event.get("message") if isinstance(event.get("message"), dict) else None
        postback = event.get("postback") if isinstance(event.get("postback"), dict) else None
        if message is not None:
            if message.get("is_echo") or message.get("is_deleted"):
                return None
            mid = _s(message.get("mid"))
            text = _s(message.get("text"))
            quick = message.get("quick_reply")
            if isinstance(quick, dict) and _s(quick.get("payload")) and not text:
                text = _s(quick.get("payload"))
            media = []
            for i, att in enumerate(message.get("attachments") or []):
                if not isinstance(att, dict):
                    continue
                url = _s((att.get("payload") or {}).get("url")) if isinstance(att.get("payload"), dict) else None
                if url and mid:
                    media.append(
                        MediaItem(
                            url=url,
                            content_type=ATTACHMENT_TYPES.get(att.get("type"), att.get("type")),
                            provider_message_id=mid,
                            position=i,
                        )
                    )
        elif postback is not None:
            mid = _s(postback.get("mid")) or f"postback:{sender}:{event.get('timestamp')}"
            text = _s(postback.get("title")) or _s(postback.get("payload"))
            media = []
        else:
            return None  # read receipts, deliveries, reactions...
        if not mid or (not text and not media):
            return None
        return InboundMessage(
            delivery_id=f"mid:{mid}",
            conversation_id=f"{network}:{sender}",
            address=sender,
            canal="Instagram" if network == "instagram" else "Facebook",
            text=text,
            received_at=_when(event.get("timestamp")),
            media=media,
            extra={"network": network, "recipient": "id", "page_id": own_id},
        )

    def _public(
        self,
        network: str,
        own_id: Optional[str],
        *,
        delivery_id: str,
        author: Optional[str],
        ref: str,
        recipient: str,
        public_kind: str,
        text: Optional[str],
        fetch=None,
        fallback_conversation: Optional[str] = None,
    ) -> InboundMessage:
        conversation = f"{network}:{author}" if author else (fallback_conversation or f"{network}:public:{ref}")
        return InboundMessage(
            delivery_id=delivery_id,
            conversation_id=conversation,
            address=ref,
            canal="Instagram" if network == "instagram" else "Facebook",
            text=text,
            public_ref=ref,
            extra={"network": network, "recipient": recipient, "page_id": own_id, "public_kind": public_kind},
            fetch_text=fetch,
        )

    def _change(self, network: str, own_id: Optional[str], field: Any, value: dict) -> Optional[InboundMessage]:
        author = _s((value.get("from") or {}).get("id")) if isinstance(value.get("from"), dict) else None
        if network == "facebook" and field == "feed":
            item, verb = value.get("item"), value.get("verb")
            if verb != "add" or (author and author == own_id):
                return None
            if item == "comment" and _s(value.get("comment_id")):
                ref = _s(value.get("comment_id"))
                return self._public(
                    network,
                    own_id,
                    delivery_id=f"comment:{ref}",
                    author=author,
                    ref=ref,
                    recipient="comment_id",
                    public_kind="fb_comment",
                    text=_s(value.get("message")),
                )
            if item in ("post", "status", "photo") and _s(value.get("post_id")):
                ref = _s(value.get("post_id"))
                return self._public(
                    network,
                    own_id,
                    delivery_id=f"post:{ref}",
                    author=author,
                    ref=ref,
                    recipient="post_id",
                    public_kind="fb_post",
                    text=_s(value.get("message")),
                )
            return None
        if network == "facebook" and field == "mention":
            if value.get("verb") not in (None, "add"):
                return None
            author = _s(value.get("sender_id"))
            if author and author == own_id:
                return None
            comment_id, post_id = _s(value.get("comment_id")), _s(value.get("post_id"))
            ref = comment_id or post_id
            if not ref:
                return None
            return self._public(
                network,
                own_id,
                delivery_id=f"mention:{ref}",
                author=author,
                ref=ref,
                recipient="comment_id" if comment_id else "post_id",
                public_kind="fb_mention",
                text=_s(value.get("message")),
                fetch=self._fetcher(ref, "message", ("message",)),
            )
        if network == "instagram" and field in ("comments", "live_comments"):
            ref = _s(value.get("id"))
            if not ref or (author and author == own_id):
                return None
            return self._public(
                network,
                own_id,
                delivery_id=f"comment:{ref}",
                author=author,
                ref=ref,
                recipient="comment_id",
                public_kind="ig_comment",
                text=_s(value.get("text")),
            )
        if network == "instagram" and field == "mentions":
            comment_id, media_id = _s(value.get("comment_id")), _s(value.get("media_id"))
            if comment_id:
                fetch = self._fetcher(
                    own_id or "me", f"mentioned_comment.comment_id({comment_id}){{text}}", ("mentioned_comment", "text")
                )
                return self._public(
                    network,
                    own_id,
                    delivery_id=f"mention:{comment_id}",
                    author=None,
                    ref=comment_id,
                    recipient="comment_id",
                    public_kind="ig_mention_comment",
                    text=None,
                    fetch=fetch,
                    fallback_conversation=f"instagram:mention:{comment_id}",
                )
            if media_id:
                fetch = self._fetcher(
                    own_id or "me", f"mentioned_media.media_id({media_id}){{caption}}", ("mentioned_media", "caption")
                )
                # a mention in a caption has no private route (no private reply to a media)
                return self._public(
                    network,
                    own_id,
                    delivery_id=f"mention:{media_id}",
                    author=None,
                    ref=media_id,
                    recipient="none",
                    public_kind="ig_mention_media",
                    text=None,
                    fetch=fetch,
                    fallback_conversation=f"instagram:mention:{media_id}",
                )
        return None

    def _fetcher(self, object_path: str, fields: str, path: tuple):
        """Mentions do not carry their text: read it from the Graph API (in the background)."""

        async def fetch() -> Optional[str]:
            from bot.outbound import base_url
            from bot.outbound.senders.meta import MetaSender

            if not self.page_access_token:
                return None
            sender = MetaSender(self.page_access_token, base_url=base_url(self.settings, "META_GRAPH_BASE_URL"))
            try:
                data: Any = await sender.fetch(object_path, fields)
            except Exception as exc:
                logger.warning("could not read the text of a mention: %s", exc)
                return None
            for key in path:
                data = data.get(key) if isinstance(data, dict) else None
            return _s(data)

        fetch.recipe = ("_fetcher", [object_path, fields, list(path)])  # type: ignore[attr-defined]  # queue
        return fetch

    # ------------------------------------------------------------------ routes
    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint("pqrbot_meta", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.app_secret and self.verify_token else "not_configured"})

        @bp.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            mode = request.args.get("hub.mode")
            token = request.args.get("hub.verify_token")
            challenge = request.args.get("hub.challenge")
            if mode == "subscribe" and challenge and secure_equals(token, self.verify_token):
                return response.text(challenge)
            logger.warning("Meta verification refused")
            return forbidden()

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.too_large(request):  # before parsing or computing a signature
                return payload_too_large()
            body = request.body or b""
            if not meta_signature_valid(self.app_secret or "", body, request.headers.get("X-Hub-Signature-256")):
                logger.warning("Meta webhook refused: bad or missing X-Hub-Signature-256")
                return forbidden()
            try:
                messages = self.parse(parse_json_object(body))
            except BadPayload as exc:
                return bad_request(str(exc))
            try:
                await self.accept(messages, on_new_message)
            except Exception:
                logger.exception("Meta messages not accepted")
                return unavailable()
            return response.text("EVENT_RECEIVED")

        return self.prepared(bp)
