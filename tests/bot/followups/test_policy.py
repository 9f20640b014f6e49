"""The window policy: when and how a closing may reach the customer on each channel."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.followups.policy import NONE, decide, plan
from bot.followups.schema import PUBLIC, TEMPLATE, TEXT
from tests.fakes.outbound import T0

H = timedelta(hours=1)
S = timedelta(seconds=1)


def at(hours: float):
    return T0 + timedelta(hours=hours)


# (canal, last inbound, due, now, template?, public_ref, asked in a public mention?, private_ok)
#   -> (action, send_at, fallbacks, words in the reason)
CASES = [
    # WhatsApp: next-day closing moved inside the 24 h window (23 h)
    ("WhatsApp", at(0), at(24), at(0), False, None, False, True, TEXT, at(23), (), "window"),
    ("WhatsApp", at(0), at(24), at(23), True, None, False, True, TEXT, at(23), (TEMPLATE,), "window"),
    # short delay (tests, or a 2 h setting): sent when due
    (
        "WhatsApp",
        at(0),
        at(0) + 30 * S,
        at(0) + 30 * S,
        True,
        None,
        False,
        True,
        TEXT,
        at(0) + 30 * S,
        (TEMPLATE,),
        "window",
    ),
    # late (worker was down) but still inside the window: free text now
    ("WhatsApp", at(0), at(23), at(23.5), False, None, False, True, TEXT, at(23.5), (), "window"),
    # window closed: approved template, or nothing and say why
    ("WhatsApp", at(0), at(23), at(25), True, None, False, True, TEMPLATE, at(25), (), "template"),
    ("WhatsApp", at(0), at(23), at(25), False, None, False, True, NONE, at(25), (), "TWILIO_CLOSING_CONTENT_SID"),
    # Messenger / Instagram: 24 h, no template; public reply when there is a mention
    ("Facebook", at(0), at(24), at(0), False, None, False, True, TEXT, at(23), (), "Messenger"),
    ("Instagram", at(0), at(24), at(0), True, "c-1", False, True, TEXT, at(23), (PUBLIC,), "Instagram"),
    ("Instagram", at(0), at(23), at(26), True, None, False, True, NONE, at(26), (), "allows no bot message"),
    ("Facebook", at(0), at(23), at(26), False, "c-9", False, True, PUBLIC, at(26), (), "public reply"),
    # no window: Telegram, X direct messages
    ("Telegram", at(0), at(24), at(24), False, None, False, True, TEXT, at(24), (), "no messaging window"),
    ("Twitter", at(0), at(48), at(48), False, "t-1", False, True, TEXT, at(48), (PUBLIC,), "no messaging window"),
    # REST / web chat: attempted; the outbound says whether it can deliver proactively
    ("Chat EPM", at(0), at(24), at(24), False, None, False, True, TEXT, at(24), (), "proactive delivery only if"),
    # conversation begun by a public mention: closed privately (like the request), public fallback
    ("Twitter", at(0), at(24), at(24), False, "t-2", True, True, TEXT, at(24), (PUBLIC,), "no messaging window"),
    ("Facebook", at(0), at(24), at(1), False, "c-2", True, True, TEXT, at(23), (PUBLIC,), "window"),
    # private messages refused for good: public reply, or nothing
    ("Instagram", at(0), at(5), at(5), False, "c-3", False, False, PUBLIC, at(5), (), "refused"),
    ("Telegram", at(0), at(5), at(5), False, None, False, False, NONE, at(5), (), "no public mention"),
]


@pytest.mark.parametrize(
    "canal,last,due,now,template,public_ref,asked_publicly,private_ok,action,send_at,fallbacks,words",
    CASES,
)
def test_decide(
    canal, last, due, now, template, public_ref, asked_publicly, private_ok, action, send_at, fallbacks, words
):
    d = decide(canal, last, due, now, template, public_ref=public_ref, private_ok=private_ok)
    assert (d.action, d.send_at, d.fallbacks) == (action, send_at, fallbacks)
    assert words in d.reason


def test_canal_wins_over_input_channel_and_input_channel_is_the_fallback():
    # A Meta input channel serving Instagram; an unknown canal on the twilio channel
    assert decide("Instagram", at(0), at(23), at(25), True, input_channel="meta").action == NONE
    assert decide("", at(0), at(23), at(25), True, input_channel="twilio").action == TEMPLATE


@pytest.mark.parametrize(
    "canal,delay,send_at,window_ends",
    [
        ("WhatsApp", timedelta(days=1), at(23), at(24)),
        ("WhatsApp", timedelta(hours=2), at(2), at(24)),
        ("Instagram", timedelta(hours=30), at(23), at(24)),
        ("Telegram", timedelta(days=1), at(24), None),
        ("Chat EPM", timedelta(seconds=5), at(0) + 5 * S, None),
    ],
)
def test_plan_sends_inside_the_window(canal, delay, send_at, window_ends):
    assert plan(canal, None, T0, T0 + delay) == (send_at, window_ends)
