"""Two workers on the same database: every closing goes out exactly once."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from datetime import timedelta

import pytest

from bot.conversation_hooks import ConversationRef
from bot.followups.hooks import FollowupHooks
from bot.followups.schema import SENT
from bot.followups.store import FollowupStore
from bot.followups.worker import FollowupWorker
from core.clock import utcnow
from tests.fakes.outbound import FakeOutbound

N = 30


def test_two_workers_send_each_closing_exactly_once(db_url):
    setup = FollowupStore.from_url(db_url)
    past = utcnow() - timedelta(minutes=2)
    hooks = FollowupHooks(setup, delay_seconds=60, clock=lambda: past, raise_errors=True)
    for i in range(N):
        hooks.data_requested(ConversationRef(f"tg-{i}", "telegram", "Telegram"), "nombre")

    outbound = FakeOutbound(delay=0.005)  # sending takes a moment: the workers interleave
    stores = [FollowupStore.from_url(db_url, migrate=False) for _ in range(2)]  # own connections
    workers = [FollowupWorker(s, outbound, None, worker_id=f"w{i}") for i, s in enumerate(stores)]
    handled = [0, 0]
    start = threading.Barrier(2)

    def run(i: int) -> None:
        start.wait()
        handled[i] = asyncio.run(workers[i].process_due())

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    per_conversation = Counter(m.conversation_id for m in outbound.sent)
    assert len(outbound.attempts) == N
    assert set(per_conversation.values()) == {1} and len(per_conversation) == N
    assert sum(handled) == N
    rows = setup.list()
    assert {r.status for r in rows} == {SENT}
    assert {r.attempts for r in rows} == {1}
    for s in stores + [setup]:
        s.dispose()


def test_concurrent_claims_never_return_the_same_row(db_url):
    store = FollowupStore.from_url(db_url)
    past = utcnow() - timedelta(minutes=2)
    hooks = FollowupHooks(store, delay_seconds=60, clock=lambda: past, raise_errors=True)
    for i in range(N):
        hooks.data_requested(ConversationRef(f"wa-{i}", "whatsapp", "WhatsApp"), "nombre")
    claimed = []
    lock = threading.Lock()

    def claimer(name: str) -> None:
        s = FollowupStore.from_url(db_url, migrate=False)
        while True:
            fu = s.claim_next(name)
            if fu is None:
                break
            with lock:
                claimed.append(fu.id)
        s.dispose()

    threads = [threading.Thread(target=claimer, args=(f"c{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(claimed) == sorted(r.id for r in store.list())
    store.dispose()


@pytest.mark.postgres
def test_postgres_claim_skips_a_row_locked_by_another_worker(pg_url):
    store = FollowupStore.from_url(pg_url)
    past = utcnow() - timedelta(minutes=2)
    hooks = FollowupHooks(store, delay_seconds=60, clock=lambda: past, raise_errors=True)
    for i in range(2):
        hooks.data_requested(ConversationRef(f"wa-{i}", "whatsapp", "WhatsApp"), "nombre")
    first, second = store.list()
    from sqlalchemy import select

    from bot.followups.schema import followups

    with store.engine.connect() as holder:  # another worker in the middle of its claim
        holder.execute(select(followups).where(followups.c.id == first.id).with_for_update())
        got = []
        t = threading.Thread(target=lambda: got.append(store.claim_next("w2")))
        t.start()
        t.join(timeout=10)
        assert not t.is_alive(), "claim_next waited for the locked row instead of skipping it"
        holder.rollback()
    assert got[0].id == second.id
    store.dispose()
