"""The two speed-ups of bot/perf/rasa_speedups.py answer exactly what Rasa answers (issue 13)."""

from __future__ import annotations

import gc

import pytest
import rasa.shared.utils.common
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import Event

from bot.perf import rasa_speedups

ORIGINAL_RUN = DaskGraphRunner.__dict__["run"]


def rasas_resolve(type_name, default=None):
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        if cls.type_name == type_name:
            return cls
    if type_name == "topic":
        return None
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def test_every_event_type_resolves_to_the_class_rasa_finds():
    names = {cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)}
    assert {"user", "bot", "slot", "action", "active_loop", "session_started"} <= names
    for name in names:
        assert rasa_speedups.resolve_event_type(name) is rasas_resolve(name)


def test_unknown_names_behave_as_in_rasa():
    from rasa.shared.core.events import UserUttered

    assert rasa_speedups.resolve_event_type("topic") is None
    assert rasa_speedups.resolve_event_type("no-such-event", UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name 'no-such-event'"):
        rasa_speedups.resolve_event_type("no-such-event")


def test_an_event_class_defined_later_is_found():
    class PqrbotTestEvent(Event):
        type_name = "pqrbot_test_event"

        def __eq__(self, other):
            return type(other) is type(self)

        def as_story_string(self):
            return None

    assert rasa_speedups.resolve_event_type("pqrbot_test_event") is PqrbotTestEvent
    del PqrbotTestEvent  # not left among Rasa's event types for the other tests
    rasa_speedups._event_types.clear()
    gc.collect()


TEXTS = [
    "hola, me llego muy cara la factura de la luz, como 350 mil",
    "si",
    "Carlos Andres Restrepo",
    "cc 1017234567",
    "contrato 12345678",
    "no me han instalado el alcantarillado y me lo cobran",
    "asdfgh qwerty",
]


def test_the_sequential_runner_gives_the_graphs_results_dask_gives(agent, monkeypatch):
    import asyncio

    from rasa.core.channels import UserMessage
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    processor = agent.processor

    async def run_all():
        parsed, predicted = [], []
        tracker = DialogueStateTracker.from_events("speedups", [], processor.domain.slots)
        for text in TEXTS:
            parse = await processor.parse_message(UserMessage(text, sender_id="speedups"))
            parsed.append((parse["intent"]["name"], round(parse["intent"]["confidence"], 6), parse["entities"]))
            tracker.update(UserUttered(text, parse["intent"], parse["entities"], parse))
            prediction = processor._predict_next_with_tracker(tracker)
            predicted.append(
                (prediction.max_confidence_index, round(prediction.max_confidence, 6), prediction.policy_name)
            )
            tracker.update(ActionExecuted("action_listen"))
        return parsed, predicted

    monkeypatch.setattr(DaskGraphRunner, "run", ORIGINAL_RUN)
    with_dask = asyncio.run(run_all())
    monkeypatch.setattr(DaskGraphRunner, "run", rasa_speedups.sequential_run)
    sequential = asyncio.run(run_all())
    assert sequential == with_dask
    assert len({intent for intent, _, _ in with_dask[0]}) > 2  # the texts do reach several intents
    assert len({action for action, _, _ in with_dask[1]}) > 1  # and several next actions


def test_a_failing_node_fails_the_run_as_in_rasa(agent, monkeypatch):
    from rasa.engine.exceptions import GraphRunError

    runner = agent.processor.graph_runner
    name = next(iter(runner._instantiated_nodes))

    def boom(*args):
        raise RuntimeError("boom")

    monkeypatch.setitem(runner._instantiated_nodes, name, boom)
    for run in (ORIGINAL_RUN, rasa_speedups.sequential_run):
        with pytest.raises(GraphRunError):
            run(runner, targets=[name])
