"""The hooks the dialogue calls: schedule on a data request, cancel on reply / end of intake."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot import bootstrap
from bot.config import load_settings
from bot.conversation_hooks import ConversationRef
from bot.followups.hooks import FollowupHooks, build_hooks
from bot.followups.schema import CANCELLED, SCHEDULED
from bot.followups.store import FollowupStore
from tests.fakes.outbound import T0, Clock

ROOT = Path(__file__).resolve().parents[3]

WA = ConversationRef("whatsapp:+573001112233", "whatsapp", "WhatsApp")
TG = ConversationRef("tg-77", "telegram", "Telegram")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def hooks(store, clock):
    return FollowupHooks(store, delay_seconds=86400, clock=clock, raise_errors=True)


def test_data_request_schedules_the_closing_inside_the_whatsapp_window(hooks, store):
    hooks.data_requested(WA, "numero_documento")
    [fu] = store.list()
    assert fu.status == SCHEDULED
    assert fu.requested == "numero_documento"
    assert fu.requested_due_at == T0 + timedelta(days=1)
    assert fu.due_at == T0 + timedelta(hours=23)  # 1 h before WhatsApp's 24 h window closes
    assert fu.window_ends_at == T0 + timedelta(hours=24)
    assert (fu.input_channel, fu.canal) == ("whatsapp", "WhatsApp")


def test_channel_without_window_is_closed_the_next_day(hooks, store):
    hooks.data_requested(TG, "nombre")
    [fu] = store.list()
    assert fu.due_at == T0 + timedelta(days=1)
    assert fu.window_ends_at is None


def test_a_new_request_replaces_the_pending_one(hooks, store, clock):
    hooks.data_requested(WA, "nombre")
    clock.advance(minutes=5)
    hooks.data_requested(WA, "contrato")
    [fu] = store.list()  # still one follow-up for the conversation
    assert fu.requested == "contrato"
    assert fu.due_at == clock.now + timedelta(hours=23)


def test_customer_reply_cancels_and_next_request_schedules_again(hooks, store, clock):
    hooks.data_requested(WA, "nombre")
    clock.advance(minutes=1)
    hooks.customer_replied(WA)
    assert store.pending(WA.conversation_id) is None
    [cancelled] = store.list(status=CANCELLED)
    assert cancelled.reason == "customer replied"
    assert cancelled.cancelled_at == clock.now
    hooks.data_requested(WA, "numero_documento")
    assert store.pending(WA.conversation_id).requested == "numero_documento"


@pytest.mark.parametrize("outcome", ["radicada", "orientada", "cancelada", "sin_consentimiento"])
def test_end_of_intake_cancels(hooks, store, outcome):
    hooks.data_requested(WA, "confirmacion")
    hooks.intake_finished(WA, outcome)
    assert store.pending(WA.conversation_id) is None
    assert store.list(status=CANCELLED)[0].reason == f"intake finished: {outcome}"


def test_conversations_are_independent(hooks, store):
    hooks.data_requested(WA, "nombre")
    hooks.data_requested(TG, "nombre")
    hooks.customer_replied(TG)
    assert store.pending(WA.conversation_id) is not None
    assert store.pending(TG.conversation_id) is None


def test_public_mention_is_remembered(hooks, store):
    ref = ConversationRef("ig-1", "meta", "Instagram", {"public": True, "comment_id": "178-99"})
    hooks.data_requested(ref, "nombre")
    fu = store.pending("ig-1")
    assert fu.asked_publicly and fu.public_ref == "178-99"


def test_database_errors_never_break_the_conversation(clock):
    def broken():
        raise RuntimeError("database down")

    hooks = FollowupHooks(broken, delay_seconds=60, clock=clock)
    hooks.data_requested(WA, "nombre")  # logged, not raised
    hooks.customer_replied(WA)
    hooks.intake_finished(WA, "radicada")
    assert hooks.is_closed_for_lack_of_info(WA.conversation_id) is False


def test_build_hooks_reads_the_delay_from_the_settings(tmp_path):
    url = f"sqlite:///{tmp_path / 'pqrbot.db'}"
    settings = load_settings({"PQRBOT_DATABASE_URL": url, "PQRBOT_FOLLOWUP_AFTER": "30s"})
    hooks = build_hooks(settings, lambda: FollowupStore.from_url(url))
    assert hooks.delay == timedelta(seconds=30)
    hooks.data_requested(TG, "nombre")
    fu = hooks.store.pending(TG.conversation_id)
    assert fu.requested_due_at - fu.scheduled_at == timedelta(seconds=30)


def test_dialogue_api_reads_the_closed_mark(tmp_path, store):
    url = str(store.engine.url)
    bootstrap.override(settings_=load_settings({"PQRBOT_DATABASE_URL": url}))
    try:
        hooks = bootstrap.services().hooks
        assert hooks.is_closed_for_lack_of_info("c-1") is False
        assert hooks.reopen("c-1") is False
    finally:
        bootstrap.reset()


COMPOSITION_SCRIPT = """
from bot import bootstrap
from bot.followups.hooks import FollowupHooks
from bot.conversation_hooks import ConversationRef
hooks = bootstrap.services().hooks
assert isinstance(hooks, FollowupHooks), type(hooks)
hooks.raise_errors = True
hooks.data_requested(ConversationRef("tg-1", "telegram", "Telegram"), "nombre")
print(hooks.store.pending("tg-1").requested_due_at - hooks.store.pending("tg-1").scheduled_at)
"""


def test_the_action_server_gets_these_hooks_from_the_composition_root(tmp_path):
    """What the action server does: bot.bootstrap.services().hooks -> build_hooks(...). In a
    subprocess, because a deadlock there would hang the whole test session."""
    env = {**os.environ, "PQRBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'pqrbot.db'}", "PQRBOT_FOLLOWUP_AFTER": "45s"}
    try:
        out = subprocess.run(
            [sys.executable, "-c", COMPOSITION_SCRIPT],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=15,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(
            "bot.bootstrap.services().hooks hangs: a service builder asks for another service "
            "while Services._lock is held; that lock must be re-entrant (threading.RLock)."
        )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "0:00:45"


def test_bootstrap_hooks_share_the_process_engine(tmp_path):
    settings = load_settings({"PQRBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    running = bootstrap.Services(settings)
    hooks = running.hooks
    assert hooks.store.engine is running.engine is running.store.engine
    hooks.data_requested(TG, "nombre")
    assert hooks.store.pending(TG.conversation_id) is not None
    assert hooks.delay == timedelta(days=1)


def commits(store):
    from sqlalchemy import event

    seen: list = []
    event.listen(store.engine, "commit", lambda *_: seen.append(1))
    return seen


def test_a_customer_turn_records_the_reply_and_the_next_request_in_one_commit(hooks, store, clock):
    hooks.data_requested(WA, "nombre")
    clock.advance(minutes=3)
    seen = commits(store)
    hooks.customer_turn(WA, "numero_documento")  # answered the name; asked for the document
    assert len(seen) == 1
    replied, pending = sorted(store.list(conversation_id=WA.conversation_id), key=lambda fu: fu.id)
    assert (replied.status, replied.reason) == (CANCELLED, "customer replied")
    assert (pending.status, pending.requested) == (SCHEDULED, "numero_documento")
    assert pending.due_at == T0 + timedelta(minutes=3, hours=23)  # the window starts at this reply
    assert store.conversation_state(WA.conversation_id).last_reply_at == T0 + timedelta(minutes=3)


def test_the_same_turn_through_the_two_hooks_leaves_the_same_rows(store, clock):
    one, two = ConversationRef("tg-1", "telegram", "Telegram"), ConversationRef("tg-2", "telegram", "Telegram")
    hooks = FollowupHooks(store, delay_seconds=86400, clock=clock, raise_errors=True)
    for ref in (one, two):
        hooks.data_requested(ref, "nombre")
    clock.advance(minutes=1)
    hooks.customer_turn(one, "contrato")
    hooks.customer_replied(two)
    hooks.data_requested(two, "contrato")

    def rows(ref):
        return [
            (fu.status, fu.reason, fu.requested, fu.due_at, fu.scheduled_at)
            for fu in sorted(store.list(conversation_id=ref.conversation_id), key=lambda fu: fu.id)
        ]

    assert rows(one) == rows(two)


def test_a_turn_that_asks_nothing_more_only_cancels_the_closing(hooks, store):
    hooks.data_requested(WA, "nombre")
    hooks.customer_turn(WA, None)
    [fu] = store.list()
    assert fu.status == CANCELLED
