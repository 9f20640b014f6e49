"""Hand-over steps with their side effects (used by the console, in its own process).

take:      the agent holds it -> Rasa paused, follow-up closing cancelled, customer told.
reply:     text to the customer on their channel (outbound service; window rules; web chat
           customers read it from the agent-messages table their page polls).
hand_back: the assistant resumes (or the conversation is closed) -> Rasa resumed, customer told.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Optional

from bot.handoff import messages as texts
from bot.handoff.schema import AGENT, MESSAGE
from bot.handoff.store import Handoff, HandoffConflict, HandoffStore
from bot.handoff.window import WindowStatus, window_status
from bot.outbound.ports import SENT, SKIPPED, Outbound
from core.clock import utcnow

log = logging.getLogger(__name__)

AGENT_TEMPLATE = "agent"  # Twilio ContentSid from TWILIO_AGENT_CONTENT_SID
PURPOSE = "agent"


class WindowClosed(Exception):
    """Free text cannot be sent now; ``window.template`` tells whether the template can."""

    def __init__(self, window: WindowStatus) -> None:
        super().__init__(window.text)
        self.window = window


@dataclass(frozen=True)
class Delivery:
    message_id: int
    status: str  # sent | failed | undeliverable | web (kept for the web chat page)
    error: Optional[str] = None


class HandoffService:
    def __init__(
        self,
        store: HandoffStore,
        outbound: Optional[Outbound],
        rasa,
        *,
        registry=None,
        cancel_followups: Callable[[str], None] = lambda conversation_id: None,
        channel_of: Callable[[str], Optional[str]] = lambda conversation_id: None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.channel_of = channel_of
        self.store = store
        self.outbound = outbound
        self.rasa = rasa
        self.registry = registry
        self.cancel_followups = cancel_followups
        self.clock = clock

    # ------------------------------------------------------------------ window
    def _registered(self, conversation_id: str):
        return self.registry.get(conversation_id) if self.registry is not None else None

    def _web_only(self, conversation_id: str) -> bool:
        """REST / web chat customers (never registered for proactive delivery): agents' messages
        are kept for the web chat page to fetch."""
        if self._registered(conversation_id) is not None:
            return False
        handoff = self.store.get(conversation_id)
        channel = (handoff.input_channel if handoff else None) or self.channel_of(conversation_id) or "rest"
        return window_status(None, channel, None, self.clock()).proactive is False

    def window(self, conversation_id: str, handoff: Optional[Handoff] = None) -> WindowStatus:
        conv = self._registered(conversation_id)
        handoff = handoff or self.store.get(conversation_id)
        canal = conv.canal if conv else (handoff.canal if handoff else None)
        channel = (
            conv.input_channel
            if conv
            else ((handoff.input_channel if handoff else None) or self.channel_of(conversation_id))
        )
        last = conv.last_inbound_at if conv else None
        if last is not None and last.tzinfo is None:
            from datetime import timezone

            last = last.replace(tzinfo=timezone.utc)
        return window_status(canal, channel or "rest", last, self.clock())

    # ------------------------------------------------------------------ steps
    async def take(self, conversation_id: str, agent_email: str, agent_name: str) -> Handoff:
        before = self.store.get(conversation_id)
        handoff = self.store.take(conversation_id, agent_email)  # HandoffConflict -> 409
        if before is not None and before.state == AGENT and before.assigned_to == agent_email:
            return handoff  # already theirs: nothing to repeat
        await self.rasa.pause(conversation_id)
        try:
            self.cancel_followups(conversation_id)
        except Exception:
            log.exception("could not cancel the follow-up of a conversation taken over")
        await self._say(conversation_id, texts.agent_joined(agent_name), "sistema", agent_name, quiet=True)
        return handoff

    async def reply(
        self, conversation_id: str, agent_email: str, agent_name: str, text: str, *, template: bool = False
    ) -> Delivery:
        handoff = self.store.get(conversation_id)
        if handoff is None or handoff.state != AGENT or handoff.assigned_to != agent_email:
            raise HandoffConflict("toma la conversación antes de escribir", handoff.assigned_to if handoff else None)
        window = self.window(conversation_id, handoff)
        if not window.open and not template:
            raise WindowClosed(window)
        return await self._say(conversation_id, text, agent_email, agent_name, template=template)

    async def hand_back(
        self,
        conversation_id: str,
        agent_email: str,
        agent_name: str,
        *,
        resume: bool,
        force: bool = False,
        intake_done: bool = False,
    ) -> Handoff:
        """``resume``: the assistant goes on where the intake was (or afresh when ``intake_done``:
        the PQR was filed from the console); otherwise the conversation is closed."""
        before = self.store.get(conversation_id)
        handoff = self.store.release(conversation_id, agent_email, resume=resume, force=force)
        if before is not None and before.state == AGENT:
            text = texts.back_to_assistant(intake_open=not intake_done) if resume else texts.closed()
            await self._say(conversation_id, text, "sistema", agent_name, quiet=True)
        await self.rasa.resume(conversation_id, close_intake=intake_done or not resume)
        return handoff

    async def notify_waiting_timeouts(self, timeout_seconds: float) -> int:
        """Tell each customer waiting longer than ``timeout_seconds`` (once) that nobody took it
        yet and that the assistant can go on meanwhile."""
        now, told = self.clock(), 0
        for handoff in self.store.list("waiting"):
            since = handoff.waiting_since
            if since and (now - since).total_seconds() >= timeout_seconds and handoff.timeout_notified_at is None:
                if self.store.mark_timeout_notified(handoff.conversation_id, now):
                    await self._say(handoff.conversation_id, texts.nobody_yet(), "sistema", "Sistema", quiet=True)
                    told += 1
        return told

    # ------------------------------------------------------------------ delivery
    async def _say(
        self,
        conversation_id: str,
        text: str,
        author: str,
        author_name: Optional[str],
        *,
        template: bool = False,
        quiet: bool = False,
    ) -> Delivery:
        """Record the message in the transcript and deliver it on the customer's channel."""
        message_id = self.store.add_message(conversation_id, author, text, kind=MESSAGE, author_name=author_name)
        if self.outbound is None or self._web_only(conversation_id):
            self.store.set_delivery(message_id, "web")
            return Delivery(message_id, "web")
        if template:
            result = await self.outbound.send_template(conversation_id, AGENT_TEMPLATE, {"text": text}, purpose=PURPOSE)
        else:
            if quiet and not self.window(conversation_id).open:
                self.store.set_delivery(message_id, "skipped")
                return Delivery(message_id, "skipped", "window closed")
            result = await self.outbound.send_text(conversation_id, text, purpose=PURPOSE)
        status = "web" if result.status == SKIPPED else result.status
        self.store.set_delivery(message_id, status, result.message_id)
        if status not in (SENT, "web"):
            log.warning("agent message %s to a conversation: %s (%s)", message_id, status, result.error)
        return Delivery(message_id, status, result.error)
