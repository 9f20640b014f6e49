"""Per-provider senders used by the outbound service (one module per provider)."""

from bot.outbound.senders.base import ProviderAck, Sender, SendError  # noqa: F401
