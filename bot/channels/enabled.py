"""Which channels this process serves: ``enabled_channels(settings)``.

Returns the credentials-file entries Rasa expects (InputChannel module path -> kwargs) of
every provider channel whose credentials are all set in the environment. Values are
``${VARIABLE}`` references, expanded by Rasa when it reads the file, so the effective
credentials file written at start holds no secret.
"""

from __future__ import annotations

import logging
from typing import Dict, List, Optional, Tuple

logger = logging.getLogger(__name__)

# module path -> [(kwarg, environment variable)]; all must be set to enable the channel.
PROVIDER_CHANNELS: Dict[str, List[Tuple[str, str]]] = {
    "bot.channels.whatsapp.WhatsAppInput": [
        ("account_sid", "TWILIO_ACCOUNT_SID"),
        ("auth_token", "TWILIO_AUTH_TOKEN"),
        ("whatsapp_number", "TWILIO_WHATSAPP_NUMBER"),
    ],
    "bot.channels.meta.MetaInput": [
        ("app_secret", "META_APP_SECRET"),
        ("verify_token", "META_VERIFY_TOKEN"),
        ("page_access_token", "META_PAGE_ACCESS_TOKEN"),
    ],
    "bot.channels.twitter.TwitterInput": [
        ("consumer_secret", "TWITTER_CONSUMER_SECRET"),
        ("bearer_token", "TWITTER_BEARER_TOKEN"),
    ],
    "bot.channels.telegram.TelegramInput": [
        ("bot_token", "TELEGRAM_BOT_TOKEN"),
        ("secret_token", "TELEGRAM_SECRET_TOKEN"),
    ],
}


def enabled_channels(settings) -> Dict[str, Optional[dict]]:
    """The provider channels whose credentials are all set: module path -> kwargs.

    Only the provider channels: the channels always served (REST, web chat) are added by the
    process supervisor. A channel with some but not all of its variables is left out, with a
    warning naming the missing variables (never their values).
    """
    channels: Dict[str, Optional[dict]] = {}
    for module_path, needs in PROVIDER_CHANNELS.items():
        missing = [var for _, var in needs if not settings.get(var)]
        if not missing:
            channels[module_path] = {kwarg: "${%s}" % var for kwarg, var in needs}
        elif len(missing) < len(needs):
            logger.warning("channel %s not enabled: %s not set", module_path.rsplit(".", 1)[-1], ", ".join(missing))
    return channels


def missing_public_url(settings) -> bool:
    """Twilio signs the public URL: behind a proxy PQRBOT_PUBLIC_URL must be set."""
    return "bot.channels.whatsapp.WhatsAppInput" in enabled_channels(settings) and not settings.public_url
