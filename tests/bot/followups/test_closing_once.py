"""Issue 8: the next-day closing is sent once even if a worker dies between the provider's
acceptance and its own bookkeeping; REST conversations are not retried as failures."""

from __future__ import annotations

import pytest

from bot.conversation_hooks import ConversationRef
from bot.followups.hooks import FollowupHooks
from bot.followups.schema import SENT, UNSENDABLE
from bot.followups.worker import FollowupWorker
from bot.outbound.log import InMemoryOutboundLog
from bot.outbound.registry import InMemoryConversationRegistry
from bot.outbound.senders.base import ProviderAck, Sender
from bot.outbound.service import OutboundService
from tests.fakes.outbound import Clock

WA = ConversationRef("whatsapp:+573001112233", "whatsapp", "WhatsApp")
REST = ConversationRef("rest:ana", "rest", "Chat EPM")


class CountingSender(Sender):
    def __init__(self):
        self.texts = []

    async def send_text(self, conv, text):
        self.texts.append(text)
        return ProviderAck(provider_message_id=f"SM{len(self.texts)}")

    async def send_template(self, conv, template, variables):
        self.texts.append(template)
        return ProviderAck(provider_message_id=f"SM{len(self.texts)}")


class WorkerDied(BaseException):
    pass


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def world(store, clock):
    registry = InMemoryConversationRegistry()
    sender = CountingSender()
    outbound = OutboundService(registry, InMemoryOutboundLog(), {"whatsapp": sender}, jitter=0)
    hooks = FollowupHooks(store, delay_seconds=30, clock=clock, raise_errors=True)
    return registry, sender, outbound, hooks


async def test_a_worker_dying_after_the_provider_accepted_does_not_cause_a_second_closing(store, clock, world):
    registry, sender, outbound, hooks = world
    registry.touch(WA.conversation_id, "whatsapp", "WhatsApp", "whatsapp:+573001112233", clock.now)
    hooks.data_requested(WA, "numero_documento")
    clock.advance(seconds=31)
    first = FollowupWorker(store, outbound, registry, clock=clock, worker_id="w1", lease_seconds=60)

    def die(*args, **kwargs):
        raise WorkerDied()

    first._finish = die  # the process dies right after the provider's acceptance
    with pytest.raises(WorkerDied):
        await first.process_due()
    assert len(sender.texts) == 1
    clock.advance(seconds=61)  # the lease runs out: another worker takes the follow-up over
    second = FollowupWorker(store, outbound, registry, clock=clock, worker_id="w2")
    assert await second.process_due() == 1
    assert len(sender.texts) == 1  # not sent again
    [fu] = store.list()
    assert fu.status == SENT and "not resent" in fu.reason


async def test_rest_conversations_are_not_retried_as_failures(store, clock, world):
    registry, _sender, outbound, hooks = world
    hooks.data_requested(REST, "nombre")
    clock.advance(seconds=31)
    worker = FollowupWorker(store, outbound, registry, clock=clock, worker_id="w1")
    assert await worker.process_due() == 1
    [fu] = store.list()
    assert fu.status == UNSENDABLE and fu.attempts == 1
    assert outbound.log.list(conversation_id=REST.conversation_id) == []  # no failed send recorded
