"""The worker sends what is due, once, the way the customer can receive it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.conversation_hooks import ConversationRef
from bot.followups.hooks import FollowupHooks
from bot.followups.schema import (
    CANCELLED,
    FAILED,
    PUBLIC,
    SCHEDULED,
    SENT,
    TEMPLATE,
    TEXT,
    UNSENDABLE,
)
from bot.followups.worker import PURPOSE, FollowupWorker
from bot.outbound import ports
from tests.fakes.outbound import T0, Clock, FakeOutbound, FakeRegistry

WA = ConversationRef("whatsapp:+573001112233", "whatsapp", "WhatsApp")
IG = ConversationRef("instagram:998877", "meta", "Instagram", {"public": True, "public_ref": "17890"})
FB = ConversationRef("facebook:5544", "meta", "Facebook")
WEB = ConversationRef("web-abc", "webchat", "Chat EPM")

PERSONAL = ("Ana", "1037", "contrato 12", "Calle", "+57")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def registry():
    return FakeRegistry()


@pytest.fixture
def outbound():
    return FakeOutbound()


@pytest.fixture
def hooks(store, clock):
    return FollowupHooks(store, delay_seconds=30, clock=clock, raise_errors=True)


@pytest.fixture
def worker(store, outbound, registry, clock):
    return FollowupWorker(store, outbound, registry, clock=clock, worker_id="w1", template_sid="HX123")


def customer_writes(registry, ref, clock, public_ref=None):
    registry.touch(ref.conversation_id, ref.input_channel, ref.canal, "addr", clock.now, public_ref)


async def test_silent_customer_gets_exactly_one_closing(hooks, worker, outbound, registry, store, clock):
    customer_writes(registry, WA, clock)
    hooks.data_requested(WA, "numero_documento")
    clock.advance(seconds=29)
    assert await worker.process_due() == 0  # not due yet
    clock.advance(seconds=1)
    assert await worker.process_due() == 1
    clock.advance(hours=2)
    assert await worker.process_due() == 0  # never twice
    [msg] = outbound.sent
    assert (msg.kind, msg.conversation_id, msg.purpose) == (TEXT, WA.conversation_id, PURPOSE)
    assert "número de documento" in msg.body
    assert "cerramos esta solicitud" in msg.body
    [fu] = store.list()
    assert (fu.status, fu.delivery, fu.sent_at) == (SENT, TEXT, T0 + timedelta(seconds=30))
    assert fu.provider_message_id == "SM0001" and fu.outbound_message_id == 1
    assert store.is_closed_for_lack_of_info(WA.conversation_id)


async def test_customer_who_answered_gets_nothing(hooks, worker, outbound, registry, store, clock):
    customer_writes(registry, WA, clock)
    hooks.data_requested(WA, "nombre")
    clock.advance(seconds=10)
    customer_writes(registry, WA, clock)
    hooks.customer_replied(WA)
    clock.advance(hours=30)
    assert await worker.process_due() == 0
    assert outbound.attempts == []
    assert [f.status for f in store.list()] == [CANCELLED]
    assert not store.is_closed_for_lack_of_info(WA.conversation_id)


async def test_each_new_question_restarts_the_delay(hooks, worker, outbound, registry, clock):
    customer_writes(registry, WA, clock)
    hooks.data_requested(WA, "nombre")
    clock.advance(seconds=20)
    customer_writes(registry, WA, clock)
    hooks.customer_replied(WA)
    hooks.data_requested(WA, "numero_documento")
    clock.advance(seconds=20)  # 40 s after the first question, 20 s after the second
    assert await worker.process_due() == 0
    clock.advance(seconds=10)
    assert await worker.process_due() == 1
    assert [m.conversation_id for m in outbound.sent] == [WA.conversation_id]


async def test_a_later_message_starts_afresh(hooks, worker, registry, store, clock):
    customer_writes(registry, WA, clock)
    hooks.data_requested(WA, "contrato")
    clock.advance(minutes=1)
    await worker.process_due()
    assert store.is_closed_for_lack_of_info(WA.conversation_id)
    # next day the customer writes again; the dialogue starts a new intake and asks again
    clock.advance(days=1)
    customer_writes(registry, WA, clock)
    hooks.customer_replied(WA)  # nothing pending: harmless
    assert store.is_closed_for_lack_of_info(WA.conversation_id)  # the dialogue can see it
    hooks.data_requested(WA, "motivo")
    assert not store.is_closed_for_lack_of_info(WA.conversation_id)
    assert store.pending(WA.conversation_id).requested == "motivo"


async def test_private_message_refused_goes_as_public_reply_without_personal_data(
    hooks, worker, outbound, registry, store, clock
):
    customer_writes(registry, IG, clock, public_ref="17890")
    hooks.data_requested(IG, "nombre")
    outbound.results[(TEXT, IG.conversation_id)] = ports.UNDELIVERABLE  # inbox closed / blocked
    clock.advance(minutes=1)
    await worker.process_due()
    assert [m.kind for m in outbound.attempts] == [TEXT, PUBLIC]
    [public] = outbound.sent
    assert public.kind == PUBLIC and public.purpose == PURPOSE
    assert not any(p in public.body for p in PERSONAL)
    assert "mensaje privado" in public.body
    [fu] = store.list()
    assert (fu.status, fu.delivery) == (SENT, PUBLIC)
    assert "undeliverable" in fu.reason
    assert IG.conversation_id in registry.undeliverable
    assert fu.asked_publicly and fu.public_ref == "17890"


async def test_known_refusal_goes_public_directly(hooks, worker, outbound, registry, clock):
    customer_writes(registry, IG, clock, public_ref="17890")
    registry.mark_private_undeliverable(IG.conversation_id, "user blocked the page")
    hooks.data_requested(IG, "nombre")
    clock.advance(minutes=1)
    await worker.process_due()
    assert [m.kind for m in outbound.attempts] == [PUBLIC]


async def test_refused_and_no_mention_is_recorded_as_unsendable(hooks, worker, outbound, registry, store, clock):
    customer_writes(registry, FB, clock)
    hooks.data_requested(FB, "nombre")
    outbound.results[TEXT] = ports.UNDELIVERABLE
    clock.advance(minutes=1)
    await worker.process_due()
    assert outbound.sent == []
    [fu] = store.list()
    assert fu.status == UNSENDABLE and "undeliverable" in fu.reason
    assert store.is_closed_for_lack_of_info(FB.conversation_id)  # request closed all the same


async def test_whatsapp_after_the_window_uses_the_approved_template(hooks, worker, outbound, registry, store, clock):
    customer_writes(registry, WA, clock)
    hooks.data_requested(WA, "contrato")
    clock.advance(hours=25)  # the worker was down past the 24 h window
    await worker.process_due()
    [msg] = outbound.sent
    assert msg.kind == TEMPLATE and msg.body == "closing"
    assert msg.variables == {"1": "el número de contrato o la dirección del inmueble"}
    [fu] = store.list()
    assert fu.delivery == TEMPLATE and "window closed" in fu.reason


async def test_whatsapp_after_the_window_without_template_says_why(hooks, outbound, registry, store, clock):
    worker = FollowupWorker(store, outbound, registry, clock=clock, template_sid=None)
    customer_writes(registry, WA, clock)
    hooks.data_requested(WA, "contrato")
    clock.advance(hours=25)
    await worker.process_due()
    assert outbound.attempts == []
    [fu] = store.list()
    assert fu.status == UNSENDABLE and "TWILIO_CLOSING_CONTENT_SID" in fu.reason


async def test_next_day_default_is_sent_at_23h_inside_the_window(store, worker, outbound, registry, clock):
    hooks = FollowupHooks(store, delay_seconds=86400, clock=clock, raise_errors=True)
    customer_writes(registry, WA, clock)
    hooks.data_requested(WA, "nombre")
    clock.advance(hours=22, minutes=59)
    assert await worker.process_due() == 0
    clock.advance(minutes=1)
    assert await worker.process_due() == 1
    assert outbound.sent[0].kind == TEXT


async def test_web_chat_without_proactive_delivery_is_recorded_not_dropped(
    hooks, worker, outbound, registry, store, clock
):
    hooks.data_requested(WEB, "nombre")
    outbound.results[TEXT] = ports.SKIPPED
    clock.advance(minutes=1)
    await worker.process_due()
    [fu] = store.list()
    assert fu.status == UNSENDABLE
    assert "channel has no proactive delivery" in fu.reason


async def test_transient_failure_is_retried_then_given_up(hooks, store, outbound, registry, clock):
    worker = FollowupWorker(store, outbound, registry, clock=clock, retry_after=60, max_attempts=2)
    customer_writes(registry, WA, clock)
    hooks.data_requested(WA, "nombre")
    outbound.results[TEXT] = ports.FAILED
    clock.advance(seconds=30)
    await worker.process_due()
    fu = store.pending(WA.conversation_id)
    assert fu.status == SCHEDULED and fu.due_at == clock.now + timedelta(seconds=60)
    clock.advance(seconds=60)
    await worker.process_due()
    [fu] = store.list()
    assert fu.status == FAILED and fu.attempts == 2
    assert len(outbound.attempts) == 2 and outbound.sent == []


async def test_transient_failure_then_success_sends_once(hooks, worker, store, outbound, registry, clock):
    customer_writes(registry, WA, clock)
    hooks.data_requested(WA, "nombre")
    outbound.results[TEXT] = ports.FAILED
    clock.advance(seconds=30)
    await worker.process_due()
    del outbound.results[TEXT]
    clock.advance(seconds=60)
    await worker.process_due()
    clock.advance(seconds=600)
    await worker.process_due()
    assert len(outbound.sent) == 1 and store.list()[0].status == SENT


async def test_a_worker_that_died_holding_a_lease_is_taken_over(hooks, store, outbound, registry, clock):
    customer_writes(registry, WA, clock)
    hooks.data_requested(WA, "nombre")
    clock.advance(seconds=30)
    dead = store.claim_next("dead-worker", now=clock.now, lease_seconds=120)  # then crashes
    assert dead is not None
    other = FollowupWorker(store, outbound, registry, clock=clock, worker_id="w2")
    clock.advance(seconds=60)
    assert await other.process_due() == 0  # lease still held
    clock.advance(seconds=61)
    assert await other.process_due() == 1
    assert len(outbound.sent) == 1
    assert store.list()[0].attempts == 2


async def test_reply_arriving_while_sending_keeps_the_conversation_open(hooks, worker, store, registry, clock):
    customer_writes(registry, WA, clock)
    hooks.data_requested(WA, "nombre")
    clock.advance(seconds=30)

    class ReplyingOutbound(FakeOutbound):
        async def send_text(self, conversation_id, text, *, purpose="reply"):
            hooks.customer_replied(WA)  # the customer writes at that very moment
            return await super().send_text(conversation_id, text, purpose=purpose)

    worker.outbound = ReplyingOutbound()
    await worker.process_due()
    [fu] = store.list()
    assert fu.status == CANCELLED and "already been sent" in fu.reason and fu.sent_at
    assert not store.is_closed_for_lack_of_info(WA.conversation_id)


async def test_customer_wrote_but_nobody_cancelled_is_not_closed(hooks, worker, outbound, registry, store, clock):
    customer_writes(registry, WA, clock)
    hooks.data_requested(WA, "nombre")
    clock.advance(minutes=5)
    customer_writes(registry, WA, clock)  # a message the dialogue did not report
    clock.advance(hours=1)
    await worker.process_due()
    assert outbound.attempts == []
    assert store.list()[0].status == CANCELLED


async def test_works_without_a_registry_entry(hooks, store, outbound, clock):
    worker = FollowupWorker(store, outbound, None, clock=clock)
    hooks.data_requested(WA, "nombre")
    clock.advance(minutes=1)
    await worker.process_due()
    assert [m.kind for m in outbound.sent] == [TEXT]


def test_cli_lists_followups_as_json(hooks, store, clock, capsys, monkeypatch):
    import argparse

    from bot import bootstrap
    from bot.config import load_settings
    from bot.followups import cli

    hooks.data_requested(WA, "nombre")
    hooks.data_requested(FB, "nombre")
    hooks.customer_replied(FB)
    bootstrap.override(settings_=load_settings({"PQRBOT_DATABASE_URL": str(store.engine.url)}))
    try:
        parser = argparse.ArgumentParser(prog="pqrbot")
        cli.register(parser.add_subparsers(dest="command"))
        args = parser.parse_args(["followups", "--json", "--reveal"])
        assert args.func(args) == 0
        everything = json.loads(capsys.readouterr().out)
        args = parser.parse_args(["followups", "--json"])
        assert args.func(args) == 0
        masked = json.loads(capsys.readouterr().out)
        args = parser.parse_args(["followups", "--json", "--status", "cancelled"])
        assert args.func(args) == 0
        cancelled = json.loads(capsys.readouterr().out)
        args = parser.parse_args(["followups"])
        assert args.func(args) == 0
        assert "scheduled" in capsys.readouterr().out
        assert parser.parse_args(["worker", "--poll-interval", "0.2"]).poll_interval == 0.2
    finally:
        bootstrap.reset()
    assert [(f["conversation_id"], f["status"]) for f in everything] == [
        (WA.conversation_id, "scheduled"),
        (FB.conversation_id, "cancelled"),
    ]
    assert masked[0]["conversation_id"] != WA.conversation_id  # phone numbers masked by default
    assert masked[0]["conversation_id"].endswith(WA.conversation_id[-2:])
    [c] = cancelled
    assert c["channel"] == "meta" and c["canal"] == "Facebook" and c["reason"] == "customer replied"
    assert c["cancelled_at"] and c["due_at"] and c["created_at"]


async def test_no_closing_while_a_person_of_the_console_holds_the_conversation(hooks, outbound, registry, store, clock):
    held = {WA.conversation_id}
    worker = FollowupWorker(
        store,
        outbound,
        registry,
        clock=clock,
        worker_id="w1",
        template_sid="HX123",
        held_by_person=lambda conversation_id: conversation_id in held,
    )
    customer_writes(registry, WA, clock)
    hooks.data_requested(WA, "numero_documento")
    clock.advance(seconds=31)
    assert await worker.process_due() == 1
    assert outbound.to(WA.conversation_id) == []
    [fu] = store.list(conversation_id=WA.conversation_id)
    assert fu.status == CANCELLED and "person" in fu.reason
