"""What a provider sender does, and how it reports a failure.

A sender makes ONE attempt and either returns a ``ProviderAck`` or raises ``SendError``
saying whether the failure is transient (retry with backoff), a refusal for good of this
customer (UNDELIVERABLE: blocked, inbox disabled, outside the messaging window), or any other
permanent error (FAILED without retrying: bad credentials, invalid request). The outbound
service does the retries and the bookkeeping.
"""

from __future__ import annotations

import functools
import json
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Dict, Optional

import httpx

from bot.outbound.ports import Conversation

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


@dataclass(frozen=True)
class ProviderAck:
    provider_message_id: Optional[str] = None
    # The provider told us the customer's private address (Meta private reply -> PSID/IGSID):
    # next private messages go there, and messages from it continue this conversation.
    new_address: Optional[str] = None
    new_address_extra: Dict[str, Optional[str]] = field(default_factory=dict)
    alias: Optional[str] = None


class SendError(Exception):
    def __init__(
        self,
        message: str,
        *,
        transient: bool = False,
        undeliverable: bool = False,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(message)
        self.transient = transient
        self.undeliverable = undeliverable
        self.retry_after = retry_after


class Sender:
    """One provider. ``channel`` is the Rasa input channel name it serves."""

    channel: str = ""
    text_limit: int = 1600

    async def send_text(self, conv: Conversation, text: str) -> ProviderAck:
        raise NotImplementedError

    async def send_template(self, conv: Conversation, template: str, variables: Dict[str, str]) -> ProviderAck:
        """Channels without templates send ``variables["text"]`` as a normal message."""
        text = variables.get("text")
        if not text:
            raise SendError(f"{self.channel} has no message templates (pass variables['text'])")
        return await self.send_text(conv, text)

    async def send_public_reply(self, conv: Conversation, text: str) -> ProviderAck:
        raise SendError(f"{self.channel} has no public replies")


def retry_after_seconds(response: httpx.Response) -> Optional[float]:
    """Seconds to wait from Retry-After (seconds or HTTP date) or X's x-rate-limit-reset."""
    value = response.headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                when = parsedate_to_datetime(value)
                return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
            except (TypeError, ValueError):
                return None
    reset = response.headers.get("x-rate-limit-reset")
    if reset:
        try:
            return max(0.0, float(reset) - datetime.now(timezone.utc).timestamp())
        except ValueError:
            return None
    return None


def response_json(response: httpx.Response) -> dict:
    try:
        data = response.json()
    except (json.JSONDecodeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def http_error(response: httpx.Response, detail: str, *, undeliverable: bool = False) -> SendError:
    """Classify an HTTP failure: 429/5xx transient, the rest permanent."""
    status = response.status_code
    message = f"HTTP {status}: {detail}"[:1000]
    if undeliverable:
        return SendError(message, undeliverable=True)
    if status == 429 or status >= 500:
        return SendError(message, transient=True, retry_after=retry_after_seconds(response))
    return SendError(message)


@functools.lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """One TLS context for every client: building one (certifi's CA bundle) costs ~80 ms of CPU,
    which httpx pays for each new client; a context is not bound to an event loop."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


async def post(base_url: str, path: str, *, timeout: httpx.Timeout = DEFAULT_TIMEOUT, **kwargs) -> httpx.Response:
    """One HTTP POST; network trouble and timeouts become transient SendErrors.

    A client per call: the outbound service is used from several event loops (the Rasa
    server, the follow-up worker's runs), and a pooled client is bound to one of them.
    """
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=timeout, verify=tls_context()) as client:
            return await client.post(path, **kwargs)
    except httpx.TimeoutException as exc:
        raise SendError(f"timeout: {type(exc).__name__}", transient=True) from exc
    except httpx.TransportError as exc:
        raise SendError(f"network error: {type(exc).__name__}", transient=True) from exc


async def get(base_url: str, path: str, *, timeout: httpx.Timeout = DEFAULT_TIMEOUT, **kwargs) -> httpx.Response:
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=timeout, verify=tls_context()) as client:
            return await client.get(path, **kwargs)
    except httpx.TimeoutException as exc:
        raise SendError(f"timeout: {type(exc).__name__}", transient=True) from exc
    except httpx.TransportError as exc:
        raise SendError(f"network error: {type(exc).__name__}", transient=True) from exc
