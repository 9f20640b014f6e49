"""Outbound side of pqrbot: conversation registry, outbound log, per-provider senders.

Factories (what the rest of the code calls):

- ``build_registry(settings, engine)`` -> the SQL conversation registry.
- ``build_outbound(settings, engine)`` -> the outbound service, with a sender for every
  channel whose outbound credentials are set (TWILIO_*, META_PAGE_ACCESS_TOKEN,
  TELEGRAM_BOT_TOKEN, TWITTER_BEARER_TOKEN); base URLs from the *_API_BASE_URL variables.

The tables come from the migration runner (component "outbound"); call
``bot.schema.upgrade_all(engine)`` at process start (bot.bootstrap does it), as every process does.
Imports are lazy so that loading the migrations does not pull in the HTTP clients.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Optional

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Engine

    from bot.config import Settings
    from bot.outbound.log import OutboundLog
    from bot.outbound.registry import AliasedConversationRegistry
    from bot.outbound.senders.base import Sender
    from bot.outbound.service import OutboundService

DEFAULT_BASE_URLS = {
    "TWILIO_API_BASE_URL": "https://api.twilio.com",
    "META_GRAPH_BASE_URL": "https://graph.facebook.com/v19.0",
    "TELEGRAM_API_BASE_URL": "https://api.telegram.org",
    "TWITTER_API_BASE_URL": "https://api.twitter.com",
}


def base_url(settings: "Settings", name: str) -> str:
    return (settings.get(name) or DEFAULT_BASE_URLS[name]).rstrip("/")


def build_registry(settings: "Settings", engine: "Engine") -> "AliasedConversationRegistry":
    from bot.outbound.registry import SqlConversationRegistry

    return SqlConversationRegistry(engine)


def build_log(settings: "Settings", engine: "Engine") -> "OutboundLog":
    from bot.outbound.log import SqlOutboundLog

    return SqlOutboundLog(engine)


def build_senders(settings: "Settings") -> Dict[str, "Sender"]:
    """A sender per channel whose outbound credentials are set."""
    senders: Dict[str, "Sender"] = {}
    sid, token, number = (
        settings.get("TWILIO_ACCOUNT_SID"),
        settings.get("TWILIO_AUTH_TOKEN"),
        settings.get("TWILIO_WHATSAPP_NUMBER"),
    )
    if sid and token and number:
        from bot.outbound.senders.twilio import TwilioWhatsAppSender

        senders["whatsapp"] = TwilioWhatsAppSender(
            sid,
            token,
            number,
            base_url=base_url(settings, "TWILIO_API_BASE_URL"),
            content_sid_for=lambda name: settings.get(f"TWILIO_{name.upper()}_CONTENT_SID"),
        )
    if settings.get("META_PAGE_ACCESS_TOKEN"):
        from bot.outbound.senders.meta import MetaSender

        senders["meta"] = MetaSender(
            settings.get("META_PAGE_ACCESS_TOKEN"), base_url=base_url(settings, "META_GRAPH_BASE_URL")
        )
    if settings.get("TELEGRAM_BOT_TOKEN"):
        from bot.outbound.senders.telegram import TelegramSender

        senders["telegram"] = TelegramSender(
            settings.get("TELEGRAM_BOT_TOKEN"), base_url=base_url(settings, "TELEGRAM_API_BASE_URL")
        )
    if settings.get("TWITTER_BEARER_TOKEN"):
        from bot.outbound.senders.twitter import TwitterSender

        senders["twitter"] = TwitterSender(
            settings.get("TWITTER_BEARER_TOKEN"), base_url=base_url(settings, "TWITTER_API_BASE_URL")
        )
    return senders


def build_outbound(
    settings: "Settings",
    engine: "Engine",
    *,
    registry: Optional["AliasedConversationRegistry"] = None,
    **service_options,
) -> "OutboundService":
    """The outbound service of this process (SQL registry and log on ``engine``)."""
    from bot.logmask import protect_library_loggers
    from bot.outbound.service import OutboundService

    protect_library_loggers()
    return OutboundService(
        registry or build_registry(settings, engine),
        build_log(settings, engine),
        build_senders(settings),
        **service_options,
    )
