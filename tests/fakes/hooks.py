"""A ConversationHooks that keeps the calls (the dialogue's tests)."""

from __future__ import annotations

from bot.conversation_hooks import ConversationHooks, ConversationRef


class RecordingHooks(ConversationHooks):
    """Keeps the calls, for tests."""

    def __init__(self) -> None:
        self.calls: list = []
        self.closed: set = set()

    def is_closed_for_lack_of_info(self, conversation_id: str) -> bool:
        return conversation_id in self.closed

    def reopen(self, conversation_id: str) -> bool:
        self.calls.append(("reopen", conversation_id))
        was = conversation_id in self.closed
        self.closed.discard(conversation_id)
        return was

    def data_requested(self, ref: ConversationRef, requested: str) -> None:
        self.calls.append(("data_requested", ref.conversation_id, requested))

    def customer_replied(self, ref: ConversationRef) -> None:
        self.calls.append(("customer_replied", ref.conversation_id))

    def intake_finished(self, ref: ConversationRef, outcome: str) -> None:
        self.calls.append(("intake_finished", ref.conversation_id, outcome))
