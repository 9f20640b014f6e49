"""Telegram through python-telegram-bot's ``Bot`` (Bot API ``sendMessage``).

The Bot API base URL comes from TELEGRAM_API_BASE_URL (default https://api.telegram.org);
python-telegram-bot appends ``/bot<token>``. A fresh ``Bot`` per send keeps it independent
of the event loop that calls it.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.outbound.ports import Conversation
from bot.outbound.senders.base import ProviderAck, Sender, SendError

UNDELIVERABLE_BAD_REQUESTS = ("chat not found", "user is deactivated", "bot was blocked", "peer_id_invalid")


class TelegramSender(Sender):
    channel = "telegram"
    text_limit = 4096

    def __init__(self, bot_token: str, *, base_url: str = "https://api.telegram.org", timeout: float = 10.0) -> None:
        self.bot_token = bot_token
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _bot(self) -> Bot:
        request = HTTPXRequest(connect_timeout=5.0, read_timeout=self.timeout, write_timeout=self.timeout)
        return Bot(
            self.bot_token,
            base_url=f"{self.base_url}/bot",
            base_file_url=f"{self.base_url}/file/bot",
            request=request,
        )

    async def send_text(self, conv: Conversation, text: str) -> ProviderAck:
        bot = self._bot()
        try:
            message = await bot.send_message(chat_id=int(conv.address), text=text)
        except Forbidden as exc:  # blocked by the user, or the user deleted the account
            raise SendError(f"Telegram 403: {exc.message}", undeliverable=True) from exc
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            raise SendError(f"Telegram 429: {exc.message}", transient=True, retry_after=seconds) from exc
        except InvalidToken as exc:
            raise SendError(f"Telegram: invalid bot token ({exc.message})") from exc
        except (BadRequest, ChatMigrated) as exc:
            text_lower = str(exc).lower()
            undeliverable = any(part in text_lower for part in UNDELIVERABLE_BAD_REQUESTS)
            raise SendError(f"Telegram 400: {exc}", undeliverable=undeliverable) from exc
        except (TimedOut, NetworkError) as exc:  # timeouts, 5xx
            raise SendError(f"Telegram: {exc.message}", transient=True) from exc
        except TelegramError as exc:
            raise SendError(f"Telegram: {exc.message}") from exc
        finally:
            try:
                await bot.shutdown()
            except Exception:  # pragma: no cover
                pass
        return ProviderAck(provider_message_id=str(message.message_id))
