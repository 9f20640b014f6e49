"""Conversation ids of the public channel live in their own namespace.

A client of the REST channel chooses its ``sender``; the web chat gets a server-issued session.
Rasa sees ``rest:<sender>`` / ``web:<session>``, so no client-chosen id can name a
``whatsapp:``, ``facebook:``, ``instagram:``, ``twitter:`` or ``telegram:`` conversation. The CRM
keeps showing the id the client used (``client_id``), with the canal "Chat EPM".
"""

from __future__ import annotations

from typing import Optional

PUBLIC_PREFIXES = {"rest": "rest:", "webchat": "web:"}
PUBLIC_CANAL = "Chat EPM"


def namespaced(input_channel: str, client_sender: str) -> str:
    """The Rasa conversation id of a public-channel client's sender."""
    return PUBLIC_PREFIXES.get(input_channel, "rest:") + client_sender


def is_public(conversation_id: Optional[str]) -> bool:
    if not conversation_id:
        return False
    return any(conversation_id.startswith(p) for p in PUBLIC_PREFIXES.values())


def client_id(conversation_id: str) -> str:
    """The id the client used (what the PQR and the listings show)."""
    for prefix in PUBLIC_PREFIXES.values():
        if conversation_id.startswith(prefix):
            return conversation_id[len(prefix) :]
    return conversation_id
