"""In-memory twins for unit tests of code that sends to customers."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from bot.outbound.log import InMemoryOutboundLog  # noqa: F401  (re-exported)
from bot.outbound.ports import SENT, Outbound, SendResult
from bot.outbound.registry import InMemoryConversationRegistry  # noqa: F401  (re-exported)


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
