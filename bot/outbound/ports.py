"""Interfaces of the outbound side: who a conversation is, and how to send to it.

Shared contract between the channels (which register conversations and deliver replies), the
follow-up scheduler (which sends the next-day closing message) and, later, human agents.
Implementations live beside this module; tests use in-memory twins.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime
from typing import Dict, Optional

# SendResult.status values
SENT = "sent"  # accepted by the provider
FAILED = "failed"  # gave up after retries (visible to operations)
UNDELIVERABLE = "undeliverable"  # the provider refused for good: blocked, inbox disabled, window closed
SKIPPED = "skipped"  # channel has no proactive delivery (e.g. REST request/response)


@dataclass(frozen=True)
class Conversation:
    conversation_id: str  # Rasa sender_id
    input_channel: str  # "whatsapp", "meta", "twitter", "telegram", "rest", "webchat"
    canal: str  # "WhatsApp", "Facebook", "Instagram", "Twitter", "Telegram", "Chat EPM"
    address: str  # recipient id at the provider (whatsapp:+57..., PSID, IGSID, chat id, user id)
    last_inbound_at: Optional[datetime] = None  # last customer message (messaging windows)
    public_ref: Optional[str] = None  # comment / mention / tweet id that opened it, if public
    private_ok: bool = True  # False once a private message was refused for good
    extra: Dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    status: str
    message_id: Optional[int] = None  # row in the outbound log
    provider_message_id: Optional[str] = None
    error: Optional[str] = None


class ConversationRegistry(abc.ABC):
    @abc.abstractmethod
    def touch(
        self,
        conversation_id: str,
        input_channel: str,
        canal: str,
        address: str,
        at: datetime,
        public_ref: Optional[str] = None,
    ) -> None:
        """Record an inbound customer message (creates the conversation on first contact)."""

    @abc.abstractmethod
    def get(self, conversation_id: str) -> Optional[Conversation]:
        """The conversation, or None if never seen."""

    @abc.abstractmethod
    def mark_private_undeliverable(self, conversation_id: str, reason: str) -> None:
        """Private messages to this customer are refused (blocked, inbox disabled)."""


class Outbound(abc.ABC):
    """Sends to a customer on the channel of their conversation, independent of any request.

    Every send is recorded in the outbound log with its delivery status, retried with backoff
    on transient provider errors, and never raises for a provider failure (it returns FAILED or
    UNDELIVERABLE instead).
    """

    @abc.abstractmethod
    async def send_text(self, conversation_id: str, text: str, *, purpose: str = "reply") -> SendResult:
        """A private free-text message (inside the channel's messaging window)."""

    @abc.abstractmethod
    async def send_template(
        self, conversation_id: str, template: str, variables: Dict[str, str], *, purpose: str
    ) -> SendResult:
        """A pre-approved template (WhatsApp outside the 24 h window: Twilio ContentSid)."""

    @abc.abstractmethod
    async def send_public_reply(self, conversation_id: str, text: str, *, purpose: str) -> SendResult:
        """A public reply to the comment/mention that opened the conversation (no personal data)."""
