"""The garbage collector skips the loaded model: frozen after each model load, unfrozen first so a
replaced model is collected, and off when PQRBOT_GC_FREEZE=0."""

from __future__ import annotations

import gc
import weakref

import pytest

from bot.config import load_settings
from bot.perf import gc_tuning


@pytest.fixture()
def frozen_state():
    yield
    gc.unfreeze()
    gc_tuning._enabled = False


class Model:
    def __init__(self):
        self.me = self  # a cycle: only the collector frees it


def test_after_a_model_change_what_is_alive_is_frozen_and_a_replaced_model_is_collected(frozen_state):
    gc_tuning._enabled = True
    old = Model()
    ref = weakref.ref(old)
    gc_tuning.after_model_change()
    assert gc.get_freeze_count() > 0
    assert gc.is_tracked(old) and ref() is old
    del old  # the model is replaced: while frozen, its cycle would stay forever
    gc_tuning.after_model_change()
    assert ref() is None


def test_agent_load_model_refreezes_once_enabled(frozen_state, monkeypatch):
    from rasa.core.agent import Agent

    original = Agent.__dict__["load_model"]
    calls = []
    monkeypatch.setattr(Agent, "load_model", lambda self, *a, **k: calls.append(a))
    try:
        gc_tuning.enable()
        assert gc.get_freeze_count() == 0
        Agent.load_model(object(), "models/x.tar.gz")
        assert calls == [("models/x.tar.gz",)] and gc.get_freeze_count() > 0
    finally:
        Agent.load_model = original


def test_disabled_nothing_is_frozen(frozen_state):
    gc_tuning.after_model_change()
    assert gc.get_freeze_count() == 0
    assert load_settings({"PQRBOT_GC_FREEZE": "0"}).gc_freeze is False
    assert load_settings({}).gc_freeze is True
