"""What every provider channel shares: ack-then-process, dedup, masking, output through the
outbound service.

An inbound webhook request goes: authenticate (403 on failure, nothing else happens) ->
parse (400 when malformed) -> for each message: register the conversation and its media ->
record the delivery id (a provider's retry stops here) -> hand the message to the assistant
in a background task -> answer 200 at once. The assistant's replies go through the outbound
service (retries, outbound log) via ``OutboundOutputChannel``; replies to a public comment or
mention are sent as ONE private message (a Meta private reply allows a single message).

Sender ids (Rasa ``sender_id`` = conversation id):
  whatsapp:+573001234567      WhatsApp (Twilio "From")
  facebook:<PSID>             Messenger; a Facebook comment/post opens facebook:<author id>
  instagram:<IGSID>           Instagram Direct and Instagram comments
  instagram:mention:<id>      an Instagram @mention (the webhook does not say who wrote it)
  twitter:<user id>           X DMs and mentions
  telegram:<chat id>          Telegram private chats
After a private reply to a Facebook comment, Meta gives the customer's PSID; the PSID is
linked as an alias so the inbox conversation continues the comment's conversation.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic.response import HTTPResponse
from sanic.response import text as text_response

from actions.messages import MESSAGES
from bot.channels.guard import (
    INTENT_SYNTAX_REPLY,
    body_too_large,
    message_too_long,
    neutralize_intent_syntax,
    too_long_reply,
)
from bot.channels.inbound import InboundMessage
from bot.channels.runtime import ChannelRuntime
from bot.logmask import mask, masked_logger
from bot.outbound.ports import Outbound

logger = masked_logger(__name__)

# Customer-facing texts (Spanish, tú, warm and brief).
VOICE_NOTE_REPLY = MESSAGES["audio_recibido"]
MEDIA_RECEIVED_REPLY = MESSAGES["archivo_recibido"]
ERROR_REPLY = MESSAGES["error_procesando"]

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


# --------------------------------------------------------------------------- helpers
def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def secure_equals(a: Optional[str], b: Optional[str]) -> bool:
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def hmac_sha256(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), payload, hashlib.sha256).digest()


class BadPayload(ValueError):
    """The body is not what the provider sends: answer 400."""


def parse_json_object(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadPayload(f"invalid JSON: {type(exc).__name__}") from exc
    if not isinstance(data, dict):
        raise BadPayload("the JSON body is not an object")
    return data


def forbidden() -> HTTPResponse:
    return text_response("forbidden", status=403)


def bad_request(reason: str) -> HTTPResponse:
    return text_response(f"bad request: {reason}", status=400)


def payload_too_large() -> HTTPResponse:
    return text_response("payload too large", status=413)


def unavailable() -> HTTPResponse:
    # the provider retries later; never a 500
    return text_response("temporarily unavailable", status=503)


def sanitize_text(text: Optional[str]) -> Optional[str]:
    """Customers' text must not drive Rasa's "/intent{...}" shortcut (see bot.channels.guard)."""
    return neutralize_intent_syntax(text)


def split_text(text: str, limit: int) -> List[str]:
    """Cut a long message at paragraph, line or word boundaries so that no part exceeds limit."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: List[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        parts.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        parts.append(rest)
    return parts


# --------------------------------------------------------------------------- messages


# --------------------------------------------------------------------------- output
class OutboundOutputChannel(OutputChannel):
    """Rasa output channel that sends every bot message through the outbound service.

    ``recipient_id`` is Rasa's sender_id, i.e. the conversation id of the registry.
    """

    def __init__(self, outbound: Outbound, channel_name: str, text_limit: int = 1600, purpose: str = "reply") -> None:
        self.outbound = outbound
        self.channel_name = channel_name
        self.text_limit = text_limit
        self.purpose = purpose
        self.results: list = []

    def name(self) -> str:  # type: ignore[override]  # an instance name: one class for all channels
        return self.channel_name

    async def _send(self, recipient_id: str, text: str) -> None:
        for part in split_text(text, self.text_limit):
            self.results.append(await self.outbound.send_text(recipient_id, part, purpose=self.purpose))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        options = "\n".join(f"{n}. {b.get('title', '')}" for n, b in enumerate(buttons, start=1))
        await self._send(recipient_id, f"{text}\n{options}" if options else text)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(recipient_id, image)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        await self._send(recipient_id, str(attachment))

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        text = json_message.get("text") if isinstance(json_message, dict) else None
        if text:
            await self._send(recipient_id, str(text))
        else:
            logger.debug("custom payload not sent on %s", self.channel_name)


class BufferedOutputChannel(OutboundOutputChannel):
    """Collects the bot messages of one turn and sends them as a single private message."""

    def __init__(self, outbound: Outbound, channel_name: str, text_limit: int = 1600) -> None:
        super().__init__(outbound, channel_name, text_limit, purpose="private_reply")
        self.parts: List[str] = []

    async def _send(self, recipient_id: str, text: str) -> None:
        if text and text.strip():
            self.parts.append(text.strip())

    async def flush(self, recipient_id: str) -> None:
        if self.parts:
            joined, self.parts = "\n\n".join(self.parts), []
            self.results.append(await self.outbound.send_text(recipient_id, joined, purpose=self.purpose))


def _seen_in_tracker(agent: Any) -> Callable[[str, str], Awaitable[bool]]:
    async def seen(conversation_id: str, message_id: str) -> bool:
        store = getattr(agent, "tracker_store", None)
        tracker = await store.retrieve(conversation_id) if store is not None else None
        return bool(tracker) and any(getattr(e, "message_id", None) == message_id for e in tracker.events)

    return seen


# --------------------------------------------------------------------------- base channel
class WebhookChannel(InputChannel):
    """Base of the provider channels: ack fast, dedup, register, process in the background."""

    provider = ""  # dedup namespace
    text_limit = 1600
    stop_grace_seconds = 10.0  # on stop, unfinished deliveries go back to the queue after this

    def __init__(self, *, runtime: Optional[ChannelRuntime] = None, settings: Any = None) -> None:
        self._runtime = runtime
        self._settings = settings
        self._consumer = None

    @property
    def consumer(self):
        """Feeds this channel's queued deliveries to the assistant (bot/ingress/consumer.py)."""
        if getattr(self, "_consumer", None) is None:
            from bot.ingress.consumer import QueueConsumer

            self._consumer = QueueConsumer(self)
        return self._consumer

    @property
    def settings(self):
        if self._settings is not None:
            return self._settings
        if self._runtime is not None:
            return self._runtime.settings
        from bot.bootstrap import settings

        return settings()

    @property
    def runtime(self) -> ChannelRuntime:
        if self._runtime is None:
            from bot.bootstrap import services

            self._runtime = services().channel_runtime
        return self._runtime

    def setting(self, explicit: Optional[str], name: str) -> Optional[str]:
        """A credential given in credentials.yml, else the environment variable."""
        if explicit not in (None, "") and "${" not in str(explicit):
            return str(explicit)
        return self.settings.get(name)

    def too_large(self, request) -> bool:
        """The body cap (PQRBOT_MAX_BODY_BYTES), checked before any parsing or signature."""
        limit = int(getattr(self.settings, "max_body_bytes", 0) or 0)
        if limit and body_too_large(request, limit):
            logger.warning("%s webhook refused: body over %s bytes", self.provider, limit)
            return True
        return False

    def get_output_channel(self) -> OutputChannel:
        """For Rasa's API (trigger_intent / agents): sends through the outbound service."""
        return OutboundOutputChannel(self.runtime.outbound, self.name(), self.text_limit)

    def prepared(self, bp):
        """Finish a channel blueprint: build the runtime at start (database, migrations) rather
        than on the first webhook, and let queued work finish when the server stops."""

        @bp.listener("after_server_start")
        async def _consume(app, loop):  # noqa: ANN001
            # Deliveries queued by the ingress process (or left unfinished by a previous run).
            if self._runtime is not None and self._runtime.consume:
                agent = getattr(app.ctx, "agent", None)
                if agent is not None:
                    self.consumer.start(agent.handle_message, seen=_seen_in_tracker(agent))

        @bp.listener("before_server_stop")
        async def _drain(app, loop):  # noqa: ANN001
            if getattr(self, "_consumer", None) is not None:
                await self._consumer.stop(drain_timeout=self.stop_grace_seconds)
            elif self._runtime is not None:
                await self._runtime.per_conversation.drain(timeout=10)

        try:
            self.runtime  # noqa: B018 - built now (database, migrations), not on the first webhook
        except Exception:
            logger.exception("%s channel: runtime not ready (database?); retrying on the first request", self.name())
        return bp

    # -- inbound
    async def accept(self, messages: List[InboundMessage], on_new_message: OnNewMessage) -> int:
        """Register and durably queue the messages; returns how many are new. Raises on DB trouble
        (the webhook then answers 503 and the provider retries). A queued message is marked done
        only after the assistant handled it (at least once: bot/ingress/queue.py)."""
        rt = self.runtime
        accepted = 0
        if not rt.consume:
            # Ingress process: one transaction per delivery (dedup + queue); the conversation is
            # registered (aliases, address, media) by the consumer before the assistant sees it.
            for m in messages:
                if (
                    await asyncio.to_thread(
                        rt.inbound_queue.admit, self.provider, self.name(), m.conversation_id, m, register=True
                    )
                    is None
                ):
                    logger.info(
                        "%s delivery %s seen before: acknowledged, not queued", self.provider, mask(m.delivery_id)
                    )
                    continue
                accepted += 1
            return accepted
        for m in messages:
            conv_id = await asyncio.to_thread(rt.registry.resolve, m.conversation_id)
            # De-duplicated and durably queued in one transaction; a redelivery stops here, before
            # it could move the conversation's last-inbound time.
            row_id = await asyncio.to_thread(rt.inbound_queue.admit, self.provider, self.name(), conv_id, m)
            if row_id is None:
                logger.info(
                    "%s delivery %s seen before: acknowledged, not processed", self.provider, mask(m.delivery_id)
                )
                continue
            await asyncio.to_thread(
                rt.registry.touch,
                conv_id,
                self.name(),
                m.canal,
                m.address,
                m.received_at,
                m.public_ref,
                extra=m.extra,
            )
            if m.media:
                await asyncio.to_thread(rt.media.add, conv_id, self.name(), m.media)
            accepted += 1
            logger.info(
                "%s message for %s queued (%s%s)",
                self.provider,
                mask(conv_id),
                m.canal,
                ", public" if m.public else "",
            )
            if rt.consume:
                rt.per_conversation.submit(
                    conv_id, functools.partial(self._claim_and_process, row_id, m, on_new_message)
                )
            else:
                logger.debug("%s delivery queued for the assistant", self.provider)
        return accepted

    async def _claim_and_process(self, row_id: int, m: InboundMessage, on_new_message: OnNewMessage) -> None:
        """Runs in the conversation's turn: claim the row just admitted and handle it; if another
        worker still holds an earlier message of the conversation, the queue's consumer takes it later."""
        consumer = self.consumer
        claimed = await asyncio.to_thread(self.runtime.inbound_queue.claim_one, row_id, consumer.worker)
        if claimed is None:
            consumer.wake()
            return
        consumer.in_flight.add(claimed.id)
        try:
            await self.process_claimed(claimed, on_new_message, message=m)
            await asyncio.to_thread(self.runtime.inbound_queue.done, claimed.id)
        finally:
            consumer.in_flight.discard(claimed.id)

    async def process_claimed(
        self,
        claimed: Any,
        on_new_message: OnNewMessage,
        message: Optional[InboundMessage] = None,
        seen: Optional[Callable[[str, str], Awaitable[bool]]] = None,
    ) -> None:
        """Handle one claimed queue row (a delivery claimed again is skipped if Rasa already has it)."""
        from bot.ingress.queue import load_message

        m = message or load_message(claimed.payload, self)
        conv_id = claimed.conversation_id
        if message is None and json.loads(claimed.payload).get("register"):  # queued by the ingress process
            rt = self.runtime
            conv_id = await asyncio.to_thread(rt.registry.resolve, m.conversation_id)
            await asyncio.to_thread(
                rt.registry.touch, conv_id, self.name(), m.canal, m.address, m.received_at, m.public_ref, extra=m.extra
            )
            if m.media:
                await asyncio.to_thread(rt.media.add, conv_id, self.name(), m.media)
        if claimed.attempts > 1 and seen is not None:
            try:
                resolved = await asyncio.to_thread(self.runtime.registry.resolve, claimed.conversation_id)
                if await seen(resolved, f"{self.provider}:{m.delivery_id}"):
                    logger.info(
                        "%s delivery %s was handled before a restart: not answered twice",
                        self.provider,
                        mask(m.delivery_id),
                    )
                    return
            except Exception:
                logger.exception("could not check the tracker of %s", mask(claimed.conversation_id))
        await self._process(m, conv_id, on_new_message)

    async def _process(self, m: InboundMessage, conv_id: str, on_new_message: OnNewMessage) -> None:
        outbound = self.runtime.outbound
        try:
            text = m.text
            if not (text and text.strip()) and m.fetch_text is not None:
                text = await m.fetch_text()
            raw_text = text
            limit = int(getattr(self.settings, "max_message_chars", 0) or 0)
            if limit and message_too_long((text or "").strip(), limit):
                logger.info("%s message for %s refused: %s characters", self.provider, mask(conv_id), len(text))
                await outbound.send_text(conv_id, too_long_reply(limit), purpose="too_long")
                return
            text = sanitize_text(text)
            if not text and raw_text and raw_text.strip():
                await outbound.send_text(conv_id, INTENT_SYNTAX_REPLY, purpose="intent_syntax")
                return
            if not text:
                if any(item.is_audio for item in m.media):
                    await outbound.send_text(conv_id, VOICE_NOTE_REPLY, purpose="voice_note")
                elif m.media:
                    await outbound.send_text(conv_id, MEDIA_RECEIVED_REPLY, purpose="media_received")
                else:
                    logger.info("%s message for %s has no text: ignored", self.provider, mask(conv_id))
                return
            output = (
                BufferedOutputChannel(outbound, self.name(), self.text_limit)
                if m.public
                else OutboundOutputChannel(outbound, self.name(), self.text_limit)
            )
            metadata: Dict[str, Any] = {"canal": m.canal, "public": m.public, **m.metadata}
            if m.public:
                metadata["public_ref"] = m.public_ref
            if m.media:
                metadata["media"] = [{"url": i.url, "content_type": i.content_type} for i in m.media]
            await on_new_message(
                UserMessage(
                    text,
                    output,
                    conv_id,
                    input_channel=self.name(),
                    message_id=f"{self.provider}:{m.delivery_id}",
                    metadata=metadata,
                )
            )
            if isinstance(output, BufferedOutputChannel):
                await output.flush(conv_id)
        except Exception:
            logger.exception("the assistant could not handle a %s message of %s", self.provider, mask(conv_id))
            await outbound.send_text(conv_id, ERROR_REPLY, purpose="error")
