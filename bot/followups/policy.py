"""Messaging windows: when and how the closing message may reach the customer.

Plain functions, no I/O. Two questions:

* ``plan`` (at scheduling time): when to send, so that a closing due after the channel's
  window still goes out inside it (e.g. at 23 h instead of 24 h on WhatsApp).
* ``decide`` (when the closing is due): send free text now, send the approved template,
  reply publicly to the mention, or not at all (and why).

Windows of the channels (what the providers allow a bot to send on its own initiative):

============  =====================================================================
WhatsApp      free text within 24 h of the customer's last message; afterwards only an
              approved template (Twilio Content API, ``TWILIO_CLOSING_CONTENT_SID``)
Facebook      Messenger: bot messages within 24 h only
Instagram     Instagram Direct: bot messages within 24 h only
Twitter (X)   direct messages have no window (the customer must accept DMs)
Telegram      no window (until the customer blocks the bot)
Chat EPM      REST / web chat: no window, but the channel may have no proactive delivery
============  =====================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional, Tuple

from bot.followups.schema import PUBLIC, TEMPLATE, TEXT

NONE = "none"  # cannot be sent at all

DAY = timedelta(hours=24)
DEFAULT_MARGIN = timedelta(hours=1)


@dataclass(frozen=True)
class ChannelWindow:
    name: str  # how reasons call it
    window: Optional[timedelta]  # None: no messaging window
    template: bool = False  # an approved template can be sent outside the window
    proactive: bool = True  # the channel can deliver a message nobody asked for


# Keyed by canal (as recorded on the PQR) or Rasa input channel, lower case.
_WHATSAPP = ChannelWindow("WhatsApp", DAY, template=True)
_MESSENGER = ChannelWindow("Messenger", DAY)
_INSTAGRAM = ChannelWindow("Instagram", DAY)
_TWITTER = ChannelWindow("X (Twitter)", None)
_TELEGRAM = ChannelWindow("Telegram", None)
_CHAT = ChannelWindow("Chat EPM", None, proactive=False)

_CHANNELS = {
    "whatsapp": _WHATSAPP,
    "twilio": _WHATSAPP,
    "facebook": _MESSENGER,
    "messenger": _MESSENGER,
    "instagram": _INSTAGRAM,
    "twitter": _TWITTER,
    "x": _TWITTER,
    "telegram": _TELEGRAM,
    "chat epm": _CHAT,
    "rest": _CHAT,
    "webchat": _CHAT,
    "socketio": _CHAT,
    "callback": _CHAT,
    "cmdline": _CHAT,
}
_UNKNOWN = ChannelWindow("unknown channel", None)


def channel_window(canal: Optional[str], input_channel: Optional[str] = None) -> ChannelWindow:
    """The window of a conversation's channel. The canal wins (a Meta input channel serves
    both Messenger and Instagram); the input channel is the fallback."""
    for key in (canal, input_channel):
        found = _CHANNELS.get((key or "").strip().lower())
        if found is not None:
            return found
    return _UNKNOWN


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def plan(
    canal: Optional[str],
    input_channel: Optional[str],
    last_inbound_at: datetime,
    requested_due_at: datetime,
    margin: timedelta = DEFAULT_MARGIN,
) -> Tuple[datetime, Optional[datetime]]:
    """(send_at, window_ends_at): the closing goes at the requested due time, or earlier so it
    stays inside the channel's window with ``margin`` to spare."""
    win = channel_window(canal, input_channel)
    if win.window is None:
        return requested_due_at, None
    window_ends_at = _utc(last_inbound_at) + win.window
    latest = window_ends_at - min(margin, win.window / 2)
    return min(_utc(requested_due_at), latest), window_ends_at


@dataclass(frozen=True)
class Decision:
    action: str  # TEXT / TEMPLATE / PUBLIC / NONE
    send_at: datetime
    reason: str
    fallbacks: Tuple[str, ...] = ()  # what to try next if the provider refuses for good
    window_ends_at: Optional[datetime] = None


def decide(
    channel: Optional[str],
    last_inbound_at: Optional[datetime],
    due_at: datetime,
    now: datetime,
    template_configured: bool,
    *,
    input_channel: Optional[str] = None,
    public_ref: Optional[str] = None,
    private_ok: bool = True,
    margin: timedelta = DEFAULT_MARGIN,
) -> Decision:
    """How to deliver a closing due at ``due_at``, evaluated at ``now``.

    ``channel`` is the canal ("WhatsApp", "Facebook", "Instagram", ...) or an input channel
    name. ``public_ref`` is the comment/mention the conversation started on, if any.

    As seed 002 section 2.7 asks, the closing goes privately (inbox / DM / WhatsApp), like the
    request for data did, even when the conversation began with a public mention. The public
    reply under the mention (no personal data) is for customers the private route cannot
    reach: private messages refused (``private_ok`` False, or refused when trying), or the
    window closed on a channel without templates.
    """
    now = _utc(now)
    win = channel_window(channel, input_channel)
    has_public = bool(public_ref)
    public_fallback: Tuple[str, ...] = (PUBLIC,) if has_public else ()

    if not private_ok:
        if has_public:
            return Decision(
                PUBLIC,
                max(now, _utc(due_at)),
                "private messages refused by the customer: public reply to the mention",
            )
        return Decision(NONE, now, "private messages refused by the customer and no public mention to reply to")
    if win.window is None or last_inbound_at is None:
        reason = f"{win.name}: no messaging window"
        if not win.proactive:
            reason += " (proactive delivery only if the channel supports it)"
        return Decision(TEXT, max(now, _utc(due_at)), reason, public_fallback)

    window_ends_at = _utc(last_inbound_at) + win.window
    if now < window_ends_at:
        latest = window_ends_at - min(margin, win.window / 2)
        send_at = max(now, min(_utc(due_at), latest))
        fallbacks: Tuple[str, ...] = (TEMPLATE,) if win.template and template_configured else ()
        reason = f"inside the {win.name} 24 h window"
        return Decision(TEXT, send_at, reason, fallbacks + public_fallback, window_ends_at)
    closed = f"{win.name} 24 h window closed"
    if win.template and template_configured:
        return Decision(TEMPLATE, now, f"{closed}: approved template", public_fallback, window_ends_at)
    if has_public:
        return Decision(PUBLIC, now, f"{closed}: public reply to the mention", (), window_ends_at)
    if win.template:
        return Decision(
            NONE,
            now,
            f"{closed} and no approved template configured (TWILIO_CLOSING_CONTENT_SID)",
            (),
            window_ends_at,
        )
    return Decision(NONE, now, f"{closed}; {win.name} allows no bot message after it", (), window_ends_at)
