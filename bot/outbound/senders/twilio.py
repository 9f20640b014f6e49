"""WhatsApp through Twilio's Messages API.

POST {TWILIO_API_BASE_URL}/2010-04-01/Accounts/{AccountSid}/Messages.json (HTTP Basic with the
account SID and auth token), form fields To/From ("whatsapp:+57..."), Body, or ContentSid +
ContentVariables for an approved template (the only thing WhatsApp accepts outside the 24 h
customer-service window).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Callable, Dict, Optional

from bot.outbound.ports import Conversation
from bot.outbound.senders.base import (
    ProviderAck,
    Sender,
    SendError,
    http_error,
    post,
    response_json,
    retry_after_seconds,
)

WINDOW = timedelta(hours=24)

# Twilio error codes that mean "this customer cannot get this message" (not our fault, not
# worth retrying): outside the WhatsApp window, opted out (STOP), not a WhatsApp/valid number.
UNDELIVERABLE_CODES = {63016, 21610, 21211, 21614, 63003, 63024, 63032}
TRANSIENT_CODES = {20429, 20500, 20503}


def whatsapp_address(number: str) -> str:
    number = number.strip()
    return number if number.startswith("whatsapp:") else f"whatsapp:{number}"


class TwilioWhatsAppSender(Sender):
    channel = "whatsapp"
    text_limit = 1600

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        *,
        base_url: str = "https://api.twilio.com",
        content_sid_for: Optional[Callable[[str], Optional[str]]] = None,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.from_address = whatsapp_address(from_number)
        self.base_url = base_url.rstrip("/")
        self.content_sid_for = content_sid_for or (lambda name: None)
        self.clock = clock

    async def _create(self, form: Dict[str, str]) -> ProviderAck:
        response = await post(
            self.base_url,
            f"/2010-04-01/Accounts/{self.account_sid}/Messages.json",
            data=form,
            auth=(self.account_sid, self.auth_token),
        )
        body = response_json(response)
        if response.status_code in (200, 201):
            return ProviderAck(provider_message_id=body.get("sid"))
        code = body.get("code")
        detail = f"Twilio {code}: {body.get('message', '')}".strip()
        if code in UNDELIVERABLE_CODES:
            raise http_error(response, detail, undeliverable=True)
        if code in TRANSIENT_CODES:
            raise SendError(
                f"HTTP {response.status_code}: {detail}", transient=True, retry_after=retry_after_seconds(response)
            )
        raise http_error(response, detail)

    async def send_text(self, conv: Conversation, text: str) -> ProviderAck:
        last = conv.last_inbound_at
        if last is not None and self.clock() - last > WINDOW:
            # Twilio would accept the request and fail it later (63016): say so now.
            raise SendError(
                "Twilio 63016: outside the WhatsApp 24 h window, only a template can be sent",
                undeliverable=True,
            )
        return await self._create({"To": whatsapp_address(conv.address), "From": self.from_address, "Body": text})

    async def send_template(self, conv: Conversation, template: str, variables: Dict[str, str]) -> ProviderAck:
        content_sid = template if template.startswith("HX") else self.content_sid_for(template)
        if not content_sid:
            raise SendError(f"no ContentSid for template {template!r} (set TWILIO_{template.upper()}_CONTENT_SID)")
        return await self._create(
            {
                "To": whatsapp_address(conv.address),
                "From": self.from_address,
                "ContentSid": content_sid,
                "ContentVariables": json.dumps(variables, ensure_ascii=False),
            }
        )
