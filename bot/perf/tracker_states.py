"""The dialogue states of a conversation, worked out once per event instead of once per prediction.

Every prediction of Rasa's policies (RulePolicy, MemoizationPolicy: three to four per message)
asks ``Domain.states_for_tracker_history`` for the states of the whole conversation: it copies the
tracker empty, replays every event of the session into it and builds a state at each action
(``DialogueStateTracker.generate_all_prior_trackers``), and it first works out the applied events
(``applied_events``: a pass over the session that looks back over it at each run of a form). The
cost grows with the conversation: the turn that files a reclamo, the last and longest, spent about
a third of its time there (cProfile of the filing turn, issue 13), and that turn was the slowest
of the 50-customer benchmark.

Here, for each conversation (sender id) and each set of arguments, the process keeps the replay
where it stopped: the events already replayed, the replay tracker and the states built so far. A
later call whose applied events start with exactly those events (the same ``Event`` objects: the
windowed tracker store and ``tracker.copy()`` hand the same objects on) replays only the new ones.
Any other call (an older or a diverging history: a form's unhappy path undone, a reverted user
message, a temporary tracker) is answered by Rasa's own method and starts the replay afresh. The
states are returned as copies (callers edit the last state's user input).

``applied_events`` (about an eighth of the filing turn once the states were kept) is kept per
tracker object for the events it holds, and per conversation: new events that extend the ones
worked out before, and start no loop of a new name, are worked out alone.

Equivalence with Rasa's method on the model's conversations: ``tests/bot/perf/test_tracker_states.py``.
``PQRBOT_STATES_CACHE=0`` turns it off.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)

from core.lru import LruTable

_applied = False
_original_states = None
_original_applied_events = None
MAX_CONVERSATIONS = 2000  # replays kept per process (least recently used dropped)


@dataclass
class _Replay:
    domain: Any  # the domain it was worked out with (held: its id stays its own)
    replay: Any  # DialogueStateTracker, replayed up to ``events``
    events: List[Event] = field(default_factory=list)
    states: List[Dict[str, Any]] = field(default_factory=list)  # one per action, as Rasa builds them
    last_ml_action_sub_state: Optional[Dict[str, Any]] = None
    turn_was_hidden: bool = False


replays = LruTable(MAX_CONVERSATIONS)


def _copy_state(state: Dict[str, Any]) -> Dict[str, Any]:
    return {k: (dict(v) if isinstance(v, dict) else v) for k, v in state.items()}


def _step(domain: Any, entry: _Replay, tr: Any, hide_rule_turn: bool, args: Tuple, states: List) -> None:
    """The body of Rasa's ``states_for_tracker_history`` loop (rasa/shared/core/domain.py, 3.6),
    for the replay tracker ``tr`` before an action (or after the last event)."""
    from rasa.shared.core.constants import PREVIOUS_ACTION

    omit_unset_slots, ignore_rule_only_turns, rule_only_data = args
    if ignore_rule_only_turns:
        if not entry.turn_was_hidden:
            entry.last_ml_action_sub_state = domain._get_prev_action_sub_state(tr)
        if not tr.followup_action and not tr.latest_action_name == tr.active_loop_name:
            entry.turn_was_hidden = hide_rule_turn
        if entry.turn_was_hidden:
            return
    state = domain.get_active_state(tr, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if states:
            domain._substitute_rule_only_user_input(state, states[-1])
        if entry.last_ml_action_sub_state:
            state[PREVIOUS_ACTION] = entry.last_ml_action_sub_state
    states.append(domain._clean_state(state))


def _rule_only_key(rule_only_data: Optional[Dict[str, Any]]) -> Tuple:
    """The rule-only slots and loops by content (a new dict each prediction run)."""
    if not rule_only_data:
        return ()
    return tuple(sorted((k, tuple(v) if isinstance(v, (list, tuple)) else v) for k, v in rule_only_data.items()))


def _is_prefix(done: List[Event], applied: List[Event]) -> bool:
    if len(done) > len(applied):
        return False
    for a, b in zip(done, applied, strict=False):  # applied may be longer
        if a is not b:
            return False
    return True


def states_for_tracker_history(
    self: Any,
    tracker: Any,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[str, Any]] = None,
) -> List[Dict[str, Any]]:
    """``Domain.states_for_tracker_history``, replaying only the events not replayed before."""
    if not tracker.sender_id:
        return _original_states(self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data)  # type: ignore[misc]
    args = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    key = (
        tracker.sender_id,
        id(self),
        omit_unset_slots,
        ignore_rule_only_turns,
        _rule_only_key(rule_only_data) if ignore_rule_only_turns else None,  # read only then
        tracker.is_rule_tracker,
        tuple(tracker.slots),
    )
    applied = tracker.applied_events()
    entry = replays.get(key)
    if entry is not None and entry.domain is not self:
        entry = None  # another model's domain
    if entry is not None and not _is_prefix(entry.events, applied):
        if len(entry.events) > len(applied) and _is_prefix(applied, entry.events):
            # an older history of the conversation (a copy back in time): Rasa's own method
            return _original_states(self, tracker, *args)  # type: ignore[misc]
        entry = None  # the history diverged: replay it afresh
    if entry is None:
        entry = _Replay(domain=self, replay=tracker.init_copy())
        replays.put(key, entry)
    for event in applied[len(entry.events) :]:
        if isinstance(event, ActionExecuted):
            _step(self, entry, entry.replay, event.hide_rule_turn, args, entry.states)
        entry.replay.update(event)
        entry.events.append(event)
    # The state after the last event: worked out for this call only, on copies of the loop's state.
    states = [_copy_state(s) for s in entry.states]
    final = dataclasses.replace(entry)  # the loop's two variables, without changing the entry's
    _step(self, final, entry.replay, False, args, states)
    if len(states) > len(entry.states):
        states[-1] = _copy_state(states[-1])
    return states


@dataclass
class _Applied:
    events: List[Event]  # the tracker's events these were worked out from
    loop_names: frozenset
    applied: List[Event]


applied_by_conversation = LruTable(MAX_CONVERSATIONS)


def _go_on(tracker: Any, new_events: Iterable[Event], loop_names: frozenset, applied: List[Event]) -> None:
    """The loop of Rasa's ``DialogueStateTracker.applied_events`` (rasa/shared/core/trackers.py,
    3.6) over ``new_events``, going on from ``applied`` (edited in place)."""
    for event in new_events:
        if isinstance(event, (Restarted, SessionStarted)):
            applied.clear()
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)


def _loop_names(events: Iterable[Event]) -> frozenset:
    return frozenset(e.name for e in events if isinstance(e, ActiveLoop) and e.name)


def applied_events(self: Any) -> List[Event]:
    """``DialogueStateTracker.applied_events``, worked out once for the events a tracker holds, and
    for a conversation's new events only when they extend the ones worked out before (same
    ``Event`` objects) and start no loop of a new name (Rasa's pass treats a loop's earlier runs
    by the names of all the loops of the conversation)."""
    events = self.events
    mark = (id(events), len(events), id(events[-1]) if events else None)
    cached = getattr(self, "_pqrbot_applied", None)
    if cached is not None and cached[0] == mark:
        return list(cached[1])
    result: Optional[List[Event]] = None
    key = (self.sender_id,)
    known = applied_by_conversation.get(key) if self.sender_id else None
    if known is not None and _is_prefix(known.events, events):  # type: ignore[arg-type]
        new_events = list(itertools.islice(events, len(known.events), None))
        if _loop_names(new_events) <= known.loop_names:
            result = list(known.applied)
            _go_on(self, new_events, known.loop_names, result)
            loop_names = known.loop_names
    if result is None:
        result = _original_applied_events(self)  # type: ignore[misc]
        loop_names = _loop_names(events)
    older = known is not None and len(events) < len(known.events) and _is_prefix(events, known.events)  # type: ignore[arg-type]
    if self.sender_id and not older:  # (an older history, e.g. replayed while a tracker is built)
        applied_by_conversation.put(key, _Applied(list(events), loop_names, list(result)))
    self._pqrbot_applied = (mark, list(result))
    return result


def apply() -> None:
    """Install both (idempotent)."""
    global _applied, _original_states, _original_applied_events
    if _applied:
        return
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    _original_states = Domain.states_for_tracker_history
    _original_applied_events = DialogueStateTracker.applied_events
    Domain.states_for_tracker_history = states_for_tracker_history  # type: ignore[method-assign]
    DialogueStateTracker.applied_events = applied_events  # type: ignore[method-assign]
    _applied = True


def original_states(domain: Any, tracker: Any, *args: Any) -> List[Dict[str, Any]]:
    """Rasa's own method (tests compare with it)."""
    from rasa.shared.core.domain import Domain

    method = _original_states or Domain.states_for_tracker_history
    return method(domain, tracker, *args)
