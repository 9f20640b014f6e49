"""The dialogue states replayed once per event (bot/perf/tracker_states.py) are the states Rasa
works out from scratch, for growing, diverging and older histories, and on the model's
conversations."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import PROJECT_ROOT
from bot.perf import tracker_states

RULE_ONLY = {"rule_only_slots": ["requested_slot"], "rule_only_loops": []}
ARGS = [(False, False, None), (True, False, None), (False, True, RULE_ONLY), (True, True, RULE_ONLY)]


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture(autouse=True)
def installed():
    tracker_states.apply()
    tracker_states.replays.clear()
    yield
    tracker_states.replays.clear()


def user(text, intent="informar"):
    return UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=time.time())


def form_turn(n, slot="nombre", value="Ana López"):
    return [
        ActionExecuted("action_listen"),
        user(f"mensaje {n}"),
        ActionExecuted("pqr_form"),
        SlotSet(slot, value),
        SlotSet("requested_slot", "numero_documento"),
        BotUttered("¿Cuál es tu número de cédula?"),
    ]


def start():
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        user("me llegó cara la factura", "reclamo_factura"),
        ActionExecuted("pqr_form"),
        ActiveLoop("pqr_form"),
        SlotSet("requested_slot", "nombre"),
    ]


def same_as_rasa(domain, tracker):
    for args in ARGS:
        cached = domain.states_for_tracker_history(tracker, *args)
        assert cached == tracker_states.original_states(domain, tracker, *args), args


def test_a_growing_conversation_gives_rasas_states_at_every_event(domain):
    sender = "grow-" + uuid.uuid4().hex
    tracker = DialogueStateTracker.from_events(sender, [], domain.slots)
    events = start() + [e for n in range(4) for e in form_turn(n)] + [ActionExecuted("action_listen")]
    for event in events:
        tracker.update(event)
        same_as_rasa(domain, tracker)
    key_entries = [k for k in tracker_states.replays.keys() if k[0] == sender]
    assert len(key_entries) == len(ARGS)  # one replay per set of arguments, kept across the calls


def test_the_replay_goes_on_from_where_it_stopped(domain, monkeypatch):
    sender = "resume-" + uuid.uuid4().hex
    tracker = DialogueStateTracker.from_events(sender, start() + form_turn(0), domain.slots)
    same_as_rasa(domain, tracker)
    replayed = []
    real_update = DialogueStateTracker.update

    def counting(self, event, domain=None):
        if self.sender_id == sender and self is not tracker:
            replayed.append(event)
        return real_update(self, event, domain)

    monkeypatch.setattr(DialogueStateTracker, "update", counting)
    known = len(tracker.applied_events())
    for event in form_turn(1):
        tracker.update(event)
    replayed.clear()
    domain.states_for_tracker_history(tracker, False, True, RULE_ONLY)
    applied = tracker.applied_events()
    assert replayed == applied[known:] and 0 < len(replayed) < len(applied) / 3  # the new events only


def test_a_diverging_history_and_an_older_one_are_worked_out_afresh(domain):
    sender = "diverge-" + uuid.uuid4().hex
    tracker = DialogueStateTracker.from_events(sender, start() + form_turn(0) + form_turn(1), domain.slots)
    same_as_rasa(domain, tracker)
    # the customer's last message taken back: the applied history is no longer an extension
    tracker.update(UserUtteranceReverted())
    same_as_rasa(domain, tracker)
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(user("otra cosa", "fuera_de_alcance"))
    same_as_rasa(domain, tracker)
    # a copy back in time (an older history of the same conversation)
    older = DialogueStateTracker.from_events(sender, start(), domain.slots)
    same_as_rasa(domain, older)
    # the form interrupted and run again: Rasa undoes the events of the unhappy path
    tracker.update(ActionExecuted("utter_fuera_de_alcance"))
    tracker.update(ActionExecuted("pqr_form"))
    same_as_rasa(domain, tracker)
    tracker.update(ActiveLoop(None))
    same_as_rasa(domain, tracker)


def test_a_caller_editing_the_states_does_not_change_the_next_answer(domain):
    sender = "edit-" + uuid.uuid4().hex
    tracker = DialogueStateTracker.from_events(sender, start() + form_turn(0), domain.slots)
    first = domain.states_for_tracker_history(tracker, False, False, None)
    for state in first:  # as Rasa's featurizer does to the last user input, and more
        for sub in state.values():
            sub.clear()
    assert domain.states_for_tracker_history(tracker, False, False, None) == tracker_states.original_states(
        domain, tracker, False, False, None
    )


def test_applied_events_go_on_from_the_conversations_last_ones_as_rasa_works_them_out(domain, monkeypatch):
    """A new tracker object at every event (as each turn gets from the tracker store): the
    conversation's new events are worked out alone, through reverts, a restart of the session
    and a loop of a new name, with Rasa's result every time."""
    original = tracker_states._original_applied_events
    worked_out_in_full = []
    monkeypatch.setattr(
        tracker_states, "_original_applied_events", lambda t: worked_out_in_full.append(len(t.events)) or original(t)
    )
    # (building a tracker replays it at a reverted message: those calls see an older history)
    sender = "applied-" + uuid.uuid4().hex
    events = (
        start()
        + form_turn(0)
        + form_turn(1)
        + [UserUtteranceReverted(), ActionExecuted("action_listen"), user("perdón, otra cosa", "fuera_de_alcance")]
        + [ActionExecuted("utter_fuera_de_alcance"), ActionExecuted("pqr_form")]
        + form_turn(2)
        + [ActionExecuted("derechos_form"), ActiveLoop("derechos_form"), ActiveLoop(None)]  # a new loop name
        + [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
        + form_turn(3)
    )
    in_full = []
    for n in range(1, len(events) + 1):
        tracker = DialogueStateTracker.from_events(sender, events[:n], domain.slots)
        worked_out_in_full.clear()
        assert tracker.applied_events() == original(tracker), n
        if worked_out_in_full[:1] == [n]:
            in_full.append(n)
    assert len(in_full) <= 3, in_full  # the first one, and where a loop of a new name starts


def test_applied_events_are_rasas_and_follow_new_events(domain):
    tracker = DialogueStateTracker.from_events("applied", start() + form_turn(0), domain.slots)
    original = tracker_states._original_applied_events
    assert tracker.applied_events() == original(tracker)
    listed = tracker.applied_events()
    listed.clear()  # a caller's list is its own
    assert tracker.applied_events() == original(tracker)
    tracker.update(ActionExecuted("action_listen"))
    assert tracker.applied_events() == original(tracker) and len(tracker.applied_events()) == len(original(tracker))


CONVERSATIONS = [
    [
        "hola, me llego muy cara la factura de la luz, como 350 mil",
        "si",
        "Carlos Andres Restrepo",
        "cc 1017234567",
        "contrato 12345678",
        "no tengo correo",
        "3001234567",
        "si",
        "gracias",
    ],
    ["me cobraron el alcantarillado y no lo tengo", "si", "mejor no, cancela", "hola", "asdfgh qwerty"],
    ["buenas", "quiero poner un reclamo", "no autorizo", "bueno si autorizo", "Ana Maria Lopez", "cuanto se demoran"],
]


def test_the_models_conversations_get_rasas_states_at_every_prediction(agent, monkeypatch):
    """Every call during real turns (forms, rules, interruptions) compared with Rasa's method."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    calls = []

    def checking(self, tracker, omit_unset_slots=False, ignore_rule_only_turns=False, rule_only_data=None):
        args = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        cached = tracker_states.states_for_tracker_history(self, tracker, *args)
        calls.append(cached == tracker_states.original_states(self, tracker, *args))
        return cached

    monkeypatch.setattr(Domain, "states_for_tracker_history", checking)

    async def play():
        for lines in CONVERSATIONS:
            sender = "model-" + uuid.uuid4().hex
            for text in lines:
                await agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender))

    asyncio.run(play())
    assert len(calls) > 40 and all(calls), f"{calls.count(False)} of {len(calls)} calls differ"
