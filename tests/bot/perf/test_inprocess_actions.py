"""Actions run inside the Rasa process answer as the action server would (issue 13)."""

from __future__ import annotations

import logging

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa_sdk import Action
from rasa_sdk.events import SlotSet as SdkSlotSet
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection as SdkRejection

from bot.config import load_settings
from bot.perf import profiles, rasa_patches
from bot.perf.inprocess_actions import ActionResponse, InProcessActions, with_in_process_actions

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
slots:
  nombre:
    type: text
    mappings: [{type: custom}]
actions: [action_hola, action_rechaza, action_falla]
"""
)


class Hola(Action):
    def name(self) -> str:
        return "action_hola"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text=f"Hola, {tracker.get_slot('nombre')}")
        return [SdkSlotSet("nombre", "Ana")]


class Rechaza(Action):
    def name(self) -> str:
        return "action_rechaza"

    def run(self, dispatcher, tracker, domain):
        raise SdkRejection("action_rechaza", "no aplica")


class Falla(Action):
    def name(self) -> str:
        return "action_falla"

    def run(self, dispatcher, tracker, domain):
        raise RuntimeError("cédula 43512876 de " + str(tracker.get_slot("nombre")))


@pytest.fixture()
def endpoint(monkeypatch):
    from rasa.core.actions import action as rasa_action

    monkeypatch.setattr(rasa_action.RemoteAction, "_validate_action_result", rasa_patches._validate_action_result)
    ep = InProcessActions()
    executor = ActionExecutor()
    for cls in (Hola, Rechaza, Falla):
        executor.register_action(cls)
    ep._executor = executor
    return ep


async def run(endpoint, name, slots=None):
    tracker = DialogueStateTracker.from_events("c-1", [SlotSet(k, v) for k, v in (slots or {}).items()])
    out = CollectingOutputChannel()
    events = await RemoteAction(name, endpoint).run(out, TemplatedNaturalLanguageGenerator({}), tracker, DOMAIN)
    return events


async def test_an_action_runs_in_this_process_and_its_events_and_messages_come_back(endpoint):
    events = await run(endpoint, "action_hola", {"nombre": "Luz"})
    assert [e.text for e in events if e.type_name == "bot"] == ["Hola, Luz"]
    assert SlotSet("nombre", "Ana") in events


async def test_the_response_is_marked_as_made_here_and_skips_the_network_schema_check(endpoint):
    tracker = DialogueStateTracker.from_events("c-1", [])
    call = RemoteAction("action_hola", endpoint)._action_call_format(tracker, DOMAIN)
    response = await endpoint.request(json=call, method="post")
    assert isinstance(response, ActionResponse)
    assert rasa_patches._validate_action_result(None, response) is True
    with pytest.raises(Exception, match="Failed to validate"):  # the same content from the network
        rasa_patches._validate_action_result(None, {"events": "x", "responses": []})


async def test_a_rejection_lets_other_policies_answer_as_with_the_action_server(endpoint):
    with pytest.raises(ActionExecutionRejection) as info:
        await run(endpoint, "action_rechaza")
    assert info.value.action_name == "action_rechaza"


async def test_an_unknown_action_fails_like_a_404(endpoint):
    with pytest.raises(RasaException, match="action_nadie"):
        await run(endpoint, "action_nadie")


async def test_a_failing_action_fails_the_turn_and_logs_no_customer_data(endpoint, caplog):
    caplog.set_level(logging.ERROR)
    with pytest.raises(RasaException):
        await run(endpoint, "action_falla", {"nombre": "Luz Dary"})
    logged = caplog.text
    assert "action_falla" in logged and "RuntimeError" in logged
    assert "43512876" not in logged and "Luz Dary" not in logged


def test_endpoints_yml_chooses_in_process_or_the_action_server(tmp_path):
    from rasa.core.utils import AvailableEndpoints

    read = with_in_process_actions(AvailableEndpoints.__dict__["read_endpoints"])
    inproc = tmp_path / "in.yml"
    inproc.write_text('action_endpoint:\n  url: "in-process:actions"\n')
    server = tmp_path / "server.yml"
    server.write_text('action_endpoint:\n  url: "http://127.0.0.1:5055/webhook"\n')
    assert isinstance(read.__get__(None, AvailableEndpoints)(str(inproc)).action, InProcessActions)
    action = read.__get__(None, AvailableEndpoints)(str(server)).action
    assert not isinstance(action, InProcessActions) and action.url.endswith("/webhook")


def test_the_real_actions_package_registers_every_custom_action_of_the_domain():
    from pathlib import Path

    from bot.config import PROJECT_ROOT

    domain = Domain.load(str(Path(PROJECT_ROOT) / "domain.yml"))
    registered = set(InProcessActions().executor.actions)
    custom = {a for a in domain.user_actions if a.startswith(("action_", "validate_"))}
    assert custom <= registered, custom - registered


@pytest.mark.parametrize(
    "env, in_process",
    [
        ({}, True),
        ({"PQRBOT_ACTIONS": "server"}, False),
        ({"PQRBOT_PROFILE": "production"}, False),
        ({"PQRBOT_PROFILE": "production", "PQRBOT_ACTIONS": "in-process"}, True),
    ],
)
def test_which_profile_runs_the_actions_where(env, in_process):
    assert profiles.actions_in_process(load_settings(env)) is in_process


def test_an_unknown_actions_mode_is_refused_with_the_variable():
    with pytest.raises(profiles.ProfileError, match="PQRBOT_ACTIONS"):
        profiles.check(load_settings({"PQRBOT_ACTIONS": "remote"}))


def test_the_embedded_profile_uses_a_rasa_worker_per_core_up_to_two(monkeypatch):
    monkeypatch.setattr(profiles.os, "cpu_count", lambda: 1)
    assert profiles.rasa_workers(load_settings({})) == 1
    monkeypatch.setattr(profiles.os, "cpu_count", lambda: 8)
    assert profiles.rasa_workers(load_settings({})) == 2
    assert profiles.rasa_workers(load_settings({"PQRBOT_RASA_WORKERS": "3"})) == 3
    settings = load_settings({})
    assert profiles.local_lock_store_config(settings)["type"] == "bot.perf.lock_store.SqliteLockStore"
