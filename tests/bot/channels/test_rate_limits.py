"""With several Rasa workers the public channel's limits are counted once for all of them."""

from __future__ import annotations

import multiprocessing

from bot.channels.guard import RateLimiter, SharedRateLimiter
from bot.channels.rest import ChatRestInput
from bot.config import load_settings


def test_two_workers_share_one_count_per_sender(tmp_path):
    clock = [1000.0]
    a = SharedRateLimiter(tmp_path / "rl.db", 5, 60, clock=lambda: clock[0])
    b = SharedRateLimiter(tmp_path / "rl.db", 5, 60, clock=lambda: clock[0])
    verdicts = [(a if i % 2 else b).allow("rest:ana") for i in range(8)]
    assert verdicts == [True] * 5 + [False] * 3
    assert a.allow("rest:otro")  # another sender has its own count
    clock[0] += 61  # the window slid past them
    assert b.allow("rest:ana")


def _hammer(path: str, out) -> None:
    limiter = SharedRateLimiter(path, 20, 60)
    out.put(sum(limiter.allow("ip:10.0.0.1") for _ in range(15)))


def test_processes_at_once_never_admit_more_than_the_limit(tmp_path):
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_hammer, args=(str(tmp_path / "rl.db"), out)) for _ in range(3)]
    for p in procs:
        p.start()
    admitted = sum(out.get(timeout=30) for _ in procs)
    for p in procs:
        p.join(10)
    assert admitted == 20


def test_a_broken_counter_lets_customers_through_and_says_so(tmp_path, caplog):
    (tmp_path / "dir").mkdir()
    limiter = SharedRateLimiter(tmp_path / "dir", 1, 60)  # a folder, not a database file
    assert limiter.allow("rest:ana") and limiter.allow("rest:ana")
    assert "rate limit counter unavailable" in caplog.text


def test_the_channel_shares_its_counts_when_rasa_runs_several_workers(tmp_path, monkeypatch):
    settings = load_settings({"PQRBOT_DATA_DIR": str(tmp_path), "PQRBOT_RATE_LIMIT_SENDER": "3"})
    monkeypatch.setenv("SANIC_WORKERS", "2")
    one, two = ChatRestInput(settings=settings), ChatRestInput(settings=settings)  # as in two workers
    assert isinstance(one.limits[0], SharedRateLimiter)
    verdicts = [w.limits[0].allow("rest:ana") for w in (one, two, one, two)]
    assert verdicts == [True, True, True, False]
    assert (tmp_path / "run" / "ratelimit.db").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("SANIC_WORKERS", "1")
    assert isinstance(ChatRestInput(settings=settings).limits[0], RateLimiter)
