"""Facebook Messenger and Instagram Direct through Meta's Graph Send API.

- Private message: POST {META_GRAPH_BASE_URL}/{page-id}/messages (Messenger) or /me/messages
  (Instagram through the Page token) with ``recipient`` {"id": PSID/IGSID} or, to answer a
  public comment/post privately (private reply, once per comment, within 7 days),
  {"comment_id": ...} / {"post_id": ...}. The answer carries the customer's PSID/IGSID
  (``recipient_id``): the conversation continues there once the customer answers.
- Public reply: POST /{comment-id}/comments (Facebook), /{ig-comment-id}/replies (Instagram),
  /{ig-user-id}/mentions (Instagram mention).
The Page access token goes in the Authorization header, never in a URL (URLs reach logs).
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from bot.outbound.ports import Conversation
from bot.outbound.senders.base import (
    ProviderAck,
    Sender,
    SendError,
    get,
    http_error,
    post,
    response_json,
    retry_after_seconds,
)

TRANSIENT_CODES = {1, 2, 4, 17, 32, 341, 613, 80006}


def classify(status: int, body: dict, response) -> SendError:
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    code = error.get("code")
    subcode = error.get("error_subcode")
    detail = f"Meta error {code}/{subcode}: {error.get('message', '')}".strip()
    if status == 429 or status >= 500 or code in TRANSIENT_CODES or error.get("is_transient"):
        return SendError(f"HTTP {status}: {detail}", transient=True, retry_after=retry_after_seconds(response))
    # Refusals of this customer: unavailable (551), outside the window / no permission to
    # message this person (10 and 200 with a subcode), no such user (100/2018001), comment
    # already answered privately or too old (10900).
    if code in (551, 10900) or (code in (10, 200) and subcode) or (code == 100 and subcode in (2018001, 2018109)):
        return http_error(response, detail, undeliverable=True)
    return http_error(response, detail)


class MetaSender(Sender):
    channel = "meta"
    text_limit = 2000

    def __init__(self, page_access_token: str, *, base_url: str = "https://graph.facebook.com/v19.0") -> None:
        self.token = page_access_token
        self.base_url = base_url.rstrip("/")

    @property
    def _headers(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def _post(self, path: str, payload: Dict[str, Any]) -> dict:
        response = await post(self.base_url, path, json=payload, headers=self._headers)
        body = response_json(response)
        if 200 <= response.status_code < 300 and "error" not in body:
            return body
        raise classify(response.status_code, body, response)

    async def send_text(self, conv: Conversation, text: str) -> ProviderAck:
        network = conv.extra.get("network", "facebook")
        kind = conv.extra.get("recipient", "id")  # id | comment_id | post_id | none
        if kind == "none":
            raise SendError("no private route to this customer (mention in a caption)", undeliverable=True)
        page_id = conv.extra.get("page_id")
        path = f"/{page_id}/messages" if network == "facebook" and page_id else "/me/messages"
        payload = {
            "recipient": {kind: conv.address},
            "message": {"text": text},
            "messaging_type": "RESPONSE",
        }
        body = await self._post(path, payload)
        ack = ProviderAck(provider_message_id=body.get("message_id"))
        recipient_id = body.get("recipient_id")
        if kind != "id" and recipient_id:
            # A private reply: the customer's inbox id is now known. Only one private reply
            # per comment: next messages go to the inbox (once the customer answers there).
            prefix = "instagram" if network == "instagram" else "facebook"
            ack = ProviderAck(
                provider_message_id=body.get("message_id"),
                new_address=str(recipient_id),
                new_address_extra={"recipient": "id"},
                alias=f"{prefix}:{recipient_id}",
            )
        return ack

    async def send_public_reply(self, conv: Conversation, text: str) -> ProviderAck:
        kind = conv.extra.get("public_kind")
        ref = conv.public_ref
        if not ref:
            raise SendError("the conversation has no public comment or post")
        if kind == "ig_comment":
            body = await self._post(f"/{ref}/replies", {"message": text})
        elif kind in ("ig_mention_comment", "ig_mention_media"):
            ig_id = conv.extra.get("page_id") or "me"
            key = "comment_id" if kind == "ig_mention_comment" else "media_id"
            body = await self._post(f"/{ig_id}/mentions", {key: ref, "message": text})
        else:  # fb_comment, fb_post, fb_mention: a comment under the comment/post
            body = await self._post(f"/{ref}/comments", {"message": text})
        return ProviderAck(provider_message_id=body.get("id"))

    async def fetch(self, object_path: str, fields: str) -> Optional[dict]:
        """GET a Graph object (text of a mention, which the webhook does not carry)."""
        response = await get(self.base_url, f"/{object_path}", params={"fields": fields}, headers=self._headers)
        body = response_json(response)
        if response.status_code == 200 and "error" not in body:
            return body
        raise classify(response.status_code, body, response)
