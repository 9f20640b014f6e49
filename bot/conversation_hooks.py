"""What the dialogue tells the rest of the runtime about a conversation.

The actions call these hooks; the follow-up scheduler (next-day closing message) implements
them. Kept as a small interface so the actions never import the scheduler.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class ConversationRef:
    conversation_id: str  # Rasa sender_id
    input_channel: str  # Rasa input channel name ("rest", "whatsapp", "meta", ...)
    canal: str  # canal as recorded on the PQR ("Chat EPM", "WhatsApp", ...)
    metadata: Optional[dict] = None  # metadata of the latest user message (e.g. public mention)


class ConversationHooks(abc.ABC):
    @abc.abstractmethod
    def data_requested(self, ref: ConversationRef, requested: str) -> None:
        """The assistant just asked the customer for a petition datum (``requested`` slot)."""

    @abc.abstractmethod
    def customer_replied(self, ref: ConversationRef) -> None:
        """A new customer message arrived in this conversation."""

    @abc.abstractmethod
    def intake_finished(self, ref: ConversationRef, outcome: str) -> None:
        """The intake ended: "radicada", "orientada", "cancelada", "sin_consentimiento"."""

    def customer_turn(self, ref: ConversationRef, requested: Optional[str]) -> None:
        """A customer's message was handled: ``customer_replied`` and, when the assistant asked
        for a datum, ``data_requested`` (an implementation may record both at once)."""
        self.customer_replied(ref)
        if requested:
            self.data_requested(ref, requested)

    def is_closed_for_lack_of_info(self, conversation_id: str) -> bool:
        """The request was closed by the next-day message: the next message starts afresh."""
        return False

    def reopen(self, conversation_id: str) -> bool:
        """Clear the closed mark once the dialogue has started afresh."""
        return False


class NoopHooks(ConversationHooks):
    def data_requested(self, ref: ConversationRef, requested: str) -> None:
        pass

    def customer_replied(self, ref: ConversationRef) -> None:
        pass

    def intake_finished(self, ref: ConversationRef, outcome: str) -> None:
        pass
