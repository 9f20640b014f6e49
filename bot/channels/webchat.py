"""Kept so ``bot.channels.webchat.WebChatInput`` names the web chat in credentials files."""

from bot.channels.rest import WebChatInput

__all__ = ["WebChatInput"]
