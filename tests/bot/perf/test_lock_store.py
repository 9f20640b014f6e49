"""The SQLite lock store serialises one conversation's messages across Rasa workers (processes)."""

from __future__ import annotations

import asyncio
import multiprocessing

from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.perf.lock_store import SqliteLockStore


def test_rasa_builds_it_from_endpoints_yml(tmp_path):
    store = LockStore.create(EndpointConfig(type="bot.perf.lock_store.SqliteLockStore", path=str(tmp_path / "l.db")))
    assert isinstance(store, SqliteLockStore) and store.path == str(tmp_path / "l.db")


def test_tickets_are_served_in_order_and_the_lock_goes_away(tmp_path):
    a, b = SqliteLockStore(str(tmp_path / "l.db")), SqliteLockStore(str(tmp_path / "l.db"))  # two workers
    t1, t2 = a.issue_ticket("conv"), b.issue_ticket("conv")
    assert (t1, t2) == (0, 1)
    assert not a.get_lock("conv").is_locked(t1) and b.get_lock("conv").is_locked(t2)
    a.cleanup("conv", t1)
    assert not b.get_lock("conv").is_locked(t2)
    b.cleanup("conv", t2)
    assert a.get_lock("conv") is None


def _worker(path, results, n):
    store = SqliteLockStore(path)

    async def one(i):
        async with store.lock("shared", lock_lifetime=30, wait_time_in_seconds=0.01):
            results.append(("start", i))
            await asyncio.sleep(0.005)
            results.append(("end", i))

    async def main():
        for i in range(n):
            await one(i)

    asyncio.run(main())


def test_two_processes_never_hold_the_lock_of_a_conversation_together(tmp_path):
    path = str(tmp_path / "l.db")
    SqliteLockStore(path)
    with multiprocessing.Manager() as manager:
        results = manager.list()
        procs = [multiprocessing.Process(target=_worker, args=(path, results, 15)) for _ in range(2)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        events = list(results)
    assert len(events) == 60
    for k in range(0, 60, 2):  # strictly start/end pairs: no interleaving
        assert events[k][0] == "start" and events[k + 1] == ("end", events[k][1])
