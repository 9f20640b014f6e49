"""Which PQR canal a conversation belongs to, from Rasa's input channel and message metadata."""
from __future__ import annotations

from typing import Optional

_BY_INPUT_CHANNEL = {
    "rest": "Chat EPM",
    "webchat": "Chat EPM",
    "socketio": "Chat EPM",
    "callback": "Chat EPM",
    "cmdline": "Chat EPM",
    "whatsapp": "WhatsApp",
    "twilio": "WhatsApp",
    "facebook": "Facebook",
    "messenger": "Facebook",
    "instagram": "Instagram",
    "twitter": "Twitter",
    "telegram": "Telegram",
}


def canal_for(input_channel: Optional[str], metadata: Optional[dict] = None) -> str:
    """The canal of seed 002 section 2.7. A channel serving several networks (Meta: Messenger
    and Instagram) says which one in the message metadata under ``"canal"``."""
    if metadata and isinstance(metadata.get("canal"), str) and metadata["canal"]:
        return metadata["canal"]
    return _BY_INPUT_CHANNEL.get((input_channel or "").lower(), "Chat EPM")
