"""Pausing and resuming a conversation in Rasa through its HTTP API (no Rasa import).

``POST /conversations/{id}/tracker/events?token=...`` with ``{"event": "pause"}``: Rasa keeps
logging the customer's messages (and the event broker stores them) but predicts no action until
``{"event": "resume"}``. The token is ``PQRBOT_RASA_API_TOKEN`` (the one ``pqrbot run`` gives
the Rasa server).
"""

from __future__ import annotations

import logging
from typing import List, Optional
from urllib.parse import quote

import httpx

from actions.intake.reading import INTAKE_SLOTS as FORM_SLOTS

log = logging.getLogger(__name__)
_SAFE = "/:+@=!$&'()*,;~"

# The intake's slots and the form's requested_slot: what a console filing or a close clears.
INTAKE_SLOTS = (*FORM_SLOTS, "requested_slot")


class RasaControl:
    def __init__(
        self,
        base_url: str,
        token: Optional[str],
        *,
        timeout: float = 10.0,
        transport: Optional[httpx.AsyncBaseTransport] = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.transport = transport

    async def _events(self, conversation_id: str, events: List[dict]) -> bool:
        # Rasa's (Sanic's) router does not unquote path parameters: keep every character a path
        # may carry as it is (whatsapp:+57..., web:..., telegram:...), so the id matches.
        url = f"{self.base_url}/conversations/{quote(conversation_id, safe=_SAFE)}/tracker/events"
        params = {"token": self.token} if self.token else {}
        try:
            async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as client:
                response = await client.post(url, params=params, json=events)
            if response.status_code >= 300:
                log.error(
                    "Rasa refused %s for a conversation: HTTP %s", [e["event"] for e in events], response.status_code
                )
                return False
            return True
        except httpx.HTTPError as exc:
            log.error("Rasa unreachable (%s): %s", [e["event"] for e in events], exc)
            return False

    async def pause(self, conversation_id: str) -> bool:
        return await self._events(conversation_id, [{"event": "pause"}])

    async def set_slots(self, conversation_id: str, values: dict) -> bool:
        """Corrected intake data: the assistant goes on with them when it resumes."""
        events = [{"event": "slot", "name": k, "value": v} for k, v in values.items()]
        return await self._events(conversation_id, events)

    async def resume(self, conversation_id: str, *, close_intake: bool = False) -> bool:
        """Resume; ``close_intake`` also ends the form and forgets its data (closed, or the PQR
        was filed from the console), so the next message starts afresh."""
        events: List[dict] = [{"event": "resume"}]
        if close_intake:
            events.append({"event": "active_loop", "name": None})
            events += [{"event": "slot", "name": name, "value": None} for name in INTAKE_SLOTS]
        return await self._events(conversation_id, events)


class NoRasa:
    """For tests and tools: records what would have been sent."""

    def __init__(self) -> None:
        self.calls: List[tuple] = []

    async def pause(self, conversation_id: str) -> bool:
        self.calls.append(("pause", conversation_id))
        return True

    async def resume(self, conversation_id: str, *, close_intake: bool = False) -> bool:
        self.calls.append(("resume", conversation_id, close_intake))
        return True

    async def set_slots(self, conversation_id: str, values: dict) -> bool:
        self.calls.append(("set_slots", conversation_id, dict(values)))
        return True
