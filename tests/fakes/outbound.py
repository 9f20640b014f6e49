"""Fakes of the outbound side: a provider-less Outbound (FakeOutbound, RecordingOutbound), a registry, a clock."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Dict, List, Optional, Tuple

from bot.outbound import ports
from bot.outbound.ports import SENT, Conversation, ConversationRegistry, Outbound, SendResult

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@dataclass
class Sent:
    kind: str  # text / template / public
    conversation_id: str
    body: str  # text, or template id
    variables: Optional[Dict[str, str]]
    purpose: str


class FakeOutbound(Outbound):
    """Records every send. ``results[(kind, conversation_id)]`` (or ``results[kind]``) gives
    the status to return (default SENT); ``delay`` makes sends yield to other workers."""

    def __init__(self, delay: float = 0.0) -> None:
        self.sent: List[Sent] = []  # accepted by the "provider"
        self.attempts: List[Sent] = []  # every call
        self.results: Dict[object, str] = {}
        self.delay = delay
        self._lock = threading.Lock()

    def _result(self, sent: Sent) -> SendResult:
        status = self.results.get((sent.kind, sent.conversation_id), self.results.get(sent.kind, ports.SENT))
        with self._lock:
            self.attempts.append(sent)
            if status == ports.SENT:
                self.sent.append(sent)
                n = len(self.sent)
        if status == ports.SENT:
            return SendResult(ports.SENT, message_id=n, provider_message_id=f"SM{n:04d}")
        return SendResult(status, error=f"fake {status}")

    async def _go(self, sent: Sent) -> SendResult:
        if self.delay:
            await asyncio.sleep(self.delay)
        return self._result(sent)

    async def send_text(self, conversation_id, text, *, purpose="reply"):
        return await self._go(Sent("text", conversation_id, text, None, purpose))

    async def send_template(self, conversation_id, template, variables, *, purpose):
        return await self._go(Sent("template", conversation_id, template, dict(variables), purpose))

    async def send_public_reply(self, conversation_id, text, *, purpose):
        return await self._go(Sent("public", conversation_id, text, None, purpose))

    def to(self, conversation_id: str) -> List[Sent]:
        return [s for s in self.sent if s.conversation_id == conversation_id]


class FakeRegistry(ConversationRegistry):
    def __init__(self) -> None:
        self.conversations: Dict[str, Conversation] = {}
        self.undeliverable: Dict[str, str] = {}

    def touch(self, conversation_id, input_channel, canal, address, at, public_ref=None):
        old = self.conversations.get(conversation_id)
        self.conversations[conversation_id] = Conversation(
            conversation_id,
            input_channel,
            canal,
            address,
            at,
            public_ref or (old.public_ref if old else None),
            old.private_ok if old else True,
        )

    def get(self, conversation_id):
        return self.conversations.get(conversation_id)

    def mark_private_undeliverable(self, conversation_id, reason):
        self.undeliverable[conversation_id] = reason
        conv = self.conversations.get(conversation_id)
        if conv is not None:
            self.conversations[conversation_id] = replace(conv, private_ok=False)


class RecordingOutbound(Outbound):
    """Records every call and answers with ``status`` (SENT unless told otherwise)."""

    def __init__(self, status: str = SENT, error: Optional[str] = None) -> None:
        self.status = status
        self.error = error
        self.calls: List[Tuple[str, str, object, str]] = []  # (kind, conversation_id, payload, purpose)

    def _result(self) -> SendResult:
        return SendResult(status=self.status, message_id=len(self.calls), error=self.error)

    async def send_text(self, conversation_id: str, text: str, *, purpose: str = "reply") -> SendResult:
        self.calls.append(("text", conversation_id, text, purpose))
        return self._result()

    async def send_template(
        self, conversation_id: str, template: str, variables: Dict[str, str], *, purpose: str
    ) -> SendResult:
        self.calls.append(("template", conversation_id, (template, dict(variables)), purpose))
        return self._result()

    async def send_public_reply(self, conversation_id: str, text: str, *, purpose: str) -> SendResult:
        self.calls.append(("public_reply", conversation_id, text, purpose))
        return self._result()
