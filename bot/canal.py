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

# Channels whose metadata a client writes: it never chooses the PQR canal.
_CLIENT_METADATA_CHANNELS = {"rest", "webchat", "socketio", "callback", "cmdline"}


def canal_for(input_channel: Optional[str], metadata: Optional[dict] = None) -> str:
    """The canal of seed 002 section 2.7. A channel serving several networks (Meta: Messenger
    and Instagram) says which one in the message metadata under ``"canal"``."""
    channel = (input_channel or "").lower()
    if channel in _CLIENT_METADATA_CHANNELS:  # the public channel's metadata comes from the client
        return _BY_INPUT_CHANNEL[channel]
    if metadata and isinstance(metadata.get("canal"), str) and metadata["canal"]:
        return metadata["canal"]
    return _BY_INPUT_CHANNEL.get(channel, "Chat EPM")
