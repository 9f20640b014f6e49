"""X (Twitter): direct messages and public replies through the X API v2.

- DM: POST {TWITTER_API_BASE_URL}/2/dm_conversations/with/{user_id}/messages {"text": ...}
- Public reply: POST /2/tweets {"text": ..., "reply": {"in_reply_to_tweet_id": ...}}
Both need a user-context token of the brand account (OAuth 2.0 with dm.write/tweet.write),
given as TWITTER_BEARER_TOKEN. A 403 on a DM means the customer does not accept our DMs.
"""

from __future__ import annotations

from bot.outbound.ports import Conversation
from bot.outbound.senders.base import ProviderAck, Sender, SendError, http_error, post, response_json


def _detail(body: dict) -> str:
    if body.get("detail"):
        return str(body["detail"])
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        first = errors[0] if isinstance(errors[0], dict) else {}
        return str(first.get("message") or first.get("detail") or first)
    return str(body.get("title") or "")


class TwitterSender(Sender):
    channel = "twitter"
    text_limit = 10000

    def __init__(self, bearer_token: str, *, base_url: str = "https://api.twitter.com") -> None:
        self.token = bearer_token
        self.base_url = base_url.rstrip("/")

    async def _post(self, path: str, payload: dict, *, refusal_is_undeliverable: bool) -> dict:
        response = await post(self.base_url, path, json=payload, headers={"Authorization": f"Bearer {self.token}"})
        body = response_json(response)
        if 200 <= response.status_code < 300:
            return body.get("data") or {}
        detail = f"X: {_detail(body)}"
        if response.status_code == 403 and refusal_is_undeliverable:
            raise http_error(response, detail, undeliverable=True)
        raise http_error(response, detail)

    async def send_text(self, conv: Conversation, text: str) -> ProviderAck:
        data = await self._post(
            f"/2/dm_conversations/with/{conv.address}/messages", {"text": text}, refusal_is_undeliverable=True
        )
        return ProviderAck(provider_message_id=data.get("dm_event_id"))

    async def send_public_reply(self, conv: Conversation, text: str) -> ProviderAck:
        if not conv.public_ref:
            raise SendError("the conversation has no public tweet")
        data = await self._post(
            "/2/tweets",
            {"text": text, "reply": {"in_reply_to_tweet_id": conv.public_ref}},
            refusal_is_undeliverable=False,
        )
        return ProviderAck(provider_message_id=data.get("id"))
