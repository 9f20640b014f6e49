"""One customer message as every provider channel hands it over, provider-neutral."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Awaitable, Callable, Dict, List, Optional

from bot.channels.media import MediaItem
from core.clock import utcnow


@dataclass
class InboundMessage:
    """One customer message, provider-neutral."""

    delivery_id: str  # dedup key within the provider: MessageSid, mid, comment id, update_id...
    conversation_id: str  # Rasa sender_id (before alias resolution)
    address: str  # where a private answer goes
    canal: str  # PQR canal
    text: Optional[str]
    received_at: datetime = field(default_factory=utcnow)
    public_ref: Optional[str] = None  # comment/mention/tweet id if the message is public
    media: List[MediaItem] = field(default_factory=list)
    extra: Dict[str, Optional[str]] = field(default_factory=dict)  # merged into the registry
    metadata: Dict[str, Any] = field(default_factory=dict)  # added to the UserMessage metadata
    fetch_text: Optional[Callable[[], Awaitable[Optional[str]]]] = None  # mentions without text

    @property
    def public(self) -> bool:
        return self.public_ref is not None
