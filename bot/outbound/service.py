"""The outbound service: sends to a customer on the channel of their conversation.

Independent of any inbound request: the channels use it for the assistant's replies, the
follow-up scheduler for the next-day closing message, human agents for theirs. Every send
is written to the outbound log before the first attempt and updated after each one.
Transient provider errors (timeouts, 5xx, 429) are retried with exponential backoff; a
refusal of this customer (blocked, inbox disabled, outside the window) ends UNDELIVERABLE and
marks the conversation; anything else, or retries exhausted, ends FAILED and is logged as an
error (and listed by ``pqrbot outbound --status failed``). Nothing here raises for a provider
failure.
"""

from __future__ import annotations

import asyncio
import functools
import random
from typing import Awaitable, Callable, Dict, Mapping, Optional

from bot.logmask import mask, masked_logger
from bot.outbound.log import KIND_PUBLIC, KIND_TEMPLATE, KIND_TEXT, RETRYING, OutboundLog
from bot.outbound.ports import (
    FAILED,
    SENT,
    SKIPPED,
    UNDELIVERABLE,
    Conversation,
    ConversationRegistry,
    Outbound,
    SendResult,
)
from bot.outbound.registry import AliasedConversationRegistry
from bot.outbound.senders.base import ProviderAck, Sender, SendError

logger = masked_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class OutboundService(Outbound):
    def __init__(
        self,
        registry: ConversationRegistry,
        log: OutboundLog,
        senders: Optional[Mapping[str, Sender]] = None,
        *,
        max_attempts: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        jitter: float = 0.1,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.registry = registry
        self.log = log
        self.senders: Dict[str, Sender] = dict(senders or {})
        self.max_attempts = max(1, max_attempts)
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.jitter = jitter
        self.sleep = sleep

    def register_sender(self, input_channel: str, sender: Sender) -> None:
        """Add a channel (e.g. the web chat, if it can deliver proactively)."""
        self.senders[input_channel] = sender

    def sender_for(self, input_channel: str) -> Optional[Sender]:
        return self.senders.get(input_channel)

    def backoff(self, attempt: int, retry_after: Optional[float] = None) -> float:
        """Delay before attempt ``attempt + 1``: base * 2^(attempt-1), capped, +jitter."""
        delay = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        if retry_after is not None:
            delay = min(self.max_delay, max(delay, retry_after))
        return delay * (1 + random.uniform(0, self.jitter)) if self.jitter else delay

    # ------------------------------------------------------------------ port
    async def send_text(self, conversation_id: str, text: str, *, purpose: str = "reply") -> SendResult:
        return await self._deliver(
            KIND_TEXT,
            conversation_id,
            purpose,
            body=text,
            attempt=lambda sender, conv: sender.send_text(conv, text),
        )

    async def send_template(
        self, conversation_id: str, template: str, variables: Dict[str, str], *, purpose: str
    ) -> SendResult:
        return await self._deliver(
            KIND_TEMPLATE,
            conversation_id,
            purpose,
            body=variables.get("text"),
            template=template,
            variables=variables,
            attempt=lambda sender, conv: sender.send_template(conv, template, variables),
        )

    async def send_public_reply(self, conversation_id: str, text: str, *, purpose: str) -> SendResult:
        return await self._deliver(
            KIND_PUBLIC,
            conversation_id,
            purpose,
            body=text,
            attempt=lambda sender, conv: sender.send_public_reply(conv, text),
        )

    # ------------------------------------------------------------------ internals
    async def _record(self, row, **values) -> None:
        """Update the outbound log row (in a thread: the log is a database)."""
        await self._call(functools.partial(self.log.update, row, **values))

    async def _call(self, fn, *args):
        return await asyncio.to_thread(fn, *args)

    async def _deliver(
        self,
        kind: str,
        conversation_id: str,
        purpose: str,
        *,
        attempt: Callable[[Sender, Conversation], Awaitable[ProviderAck]],
        body: Optional[str] = None,
        template: Optional[str] = None,
        variables: Optional[Dict[str, str]] = None,
    ) -> SendResult:
        ref = mask(conversation_id)
        try:
            conv = await self._call(self.registry.get, conversation_id)
        except Exception as exc:
            logger.exception("outbound %s to %s: registry unavailable", kind, ref)
            return SendResult(status=FAILED, error=f"registry unavailable: {type(exc).__name__}")

        def new_row(status: str, error: Optional[str] = None) -> int:
            return self.log.create(
                conversation_id=conversation_id,
                input_channel=conv.input_channel if conv else None,
                canal=conv.canal if conv else None,
                address=conv.address if conv else None,
                kind=kind,
                purpose=purpose,
                body=body,
                template=template,
                variables=variables,
                status=status,
                last_error=error,
            )

        if conv is None:
            error = "unknown conversation"
            row = await self._call(new_row, FAILED, error)
            logger.error("outbound %s to %s failed: %s", kind, ref, error)
            return SendResult(status=FAILED, message_id=row, error=error)
        sender = self.senders.get(conv.input_channel)
        if sender is None:
            error = f"channel {conv.input_channel!r} has no proactive delivery"
            row = await self._call(new_row, SKIPPED, error)
            logger.info("outbound %s to %s skipped: %s", kind, ref, error)
            return SendResult(status=SKIPPED, message_id=row, error=error)
        if kind == KIND_PUBLIC and not conv.public_ref:
            error = "the conversation did not start with a public comment or mention"
            row = await self._call(new_row, SKIPPED, error)
            logger.info("outbound %s to %s skipped: %s", kind, ref, error)
            return SendResult(status=SKIPPED, message_id=row, error=error)

        row = await self._call(new_row, "pending")
        attempts = 0
        while True:
            attempts += 1
            try:
                ack = await attempt(sender, conv)
            except SendError as exc:
                error = str(exc)
                if exc.undeliverable:
                    await self._record(row, status=UNDELIVERABLE, attempts=attempts, last_error=error)
                    if kind != KIND_PUBLIC:
                        await self._mark_undeliverable(conversation_id, error)
                    logger.warning("outbound %s #%s to %s undeliverable: %s", kind, row, ref, error)
                    return SendResult(status=UNDELIVERABLE, message_id=row, error=error)
                if exc.transient and attempts < self.max_attempts:
                    delay = self.backoff(attempts, exc.retry_after)
                    await self._record(row, status=RETRYING, attempts=attempts, last_error=error)
                    logger.warning(
                        "outbound %s #%s to %s: attempt %s failed (%s), retrying in %.1fs",
                        kind,
                        row,
                        ref,
                        attempts,
                        error,
                        delay,
                    )
                    await self.sleep(delay)
                    continue
                await self._record(row, status=FAILED, attempts=attempts, last_error=error)
                logger.error("outbound %s #%s to %s FAILED after %s attempt(s): %s", kind, row, ref, attempts, error)
                return SendResult(status=FAILED, message_id=row, error=error)
            except Exception as exc:  # a bug in a sender: never retried, never raised
                error = f"{type(exc).__name__}: {exc}"
                await self._record(row, status=FAILED, attempts=attempts, last_error=error)
                logger.exception("outbound %s #%s to %s FAILED (unexpected error)", kind, row, ref)
                return SendResult(status=FAILED, message_id=row, error=error)

            await self._record(row, status=SENT, attempts=attempts, provider_message_id=ack.provider_message_id)
            if ack.new_address and isinstance(self.registry, AliasedConversationRegistry):
                try:
                    await self._call(self.registry.set_address, conversation_id, ack.new_address, ack.new_address_extra)
                    if ack.alias:
                        await self._call(self.registry.link_alias, ack.alias, conversation_id)
                except Exception:
                    logger.exception("could not record the new address of %s", ref)
            logger.info("outbound %s #%s to %s sent (attempt %s)", kind, row, ref, attempts)
            return SendResult(status=SENT, message_id=row, provider_message_id=ack.provider_message_id)

    async def _mark_undeliverable(self, conversation_id: str, reason: str) -> None:
        try:
            await self._call(self.registry.mark_private_undeliverable, conversation_id, reason)
        except Exception:
            logger.exception("could not mark %s private-undeliverable", mask(conversation_id))
