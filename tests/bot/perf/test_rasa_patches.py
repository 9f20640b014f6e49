"""The cached action-response validator accepts what Rasa accepts and rejects what Rasa rejects."""

from __future__ import annotations

import gc
import time

import pytest
from jsonschema import ValidationError

from bot.perf import rasa_patches

GOOD = {
    "events": [
        {"event": "slot", "name": "nombre", "value": "Ana López", "timestamp": None},
        {"event": "active_loop", "name": "pqr_form", "timestamp": None},
        {"event": "slot", "name": "requested_slot", "value": "documento", "timestamp": None},
    ],
    "responses": [{"text": "¿Cuál es tu número de cédula?"}],
}


@pytest.fixture()
def remote_action():
    import rasa.core.run
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    from bot.perf import gc_tuning

    originals = (RemoteAction._validate_action_result, rasa.core.run.configure_app, Agent.handle_message)
    load_model = Agent.__dict__["load_model"]
    read_endpoints = AvailableEndpoints.__dict__["read_endpoints"]
    rasa_patches._applied = False
    rasa_patches.apply()
    yield RemoteAction("action_x", EndpointConfig("http://127.0.0.1:1/webhook"))
    RemoteAction._validate_action_result, rasa.core.run.configure_app, Agent.handle_message = originals
    AvailableEndpoints.read_endpoints = read_endpoints
    Agent.load_model = load_model
    gc_tuning._enabled = False
    if gc.get_freeze_count():
        gc.unfreeze()
    rasa_patches._applied = False


def test_patch_replaces_rasas_method(remote_action):
    assert type(remote_action)._validate_action_result is rasa_patches._validate_action_result


def test_valid_response_passes(remote_action):
    assert remote_action._validate_action_result(GOOD) is True


@pytest.mark.parametrize(
    "bad",
    [
        {"events": [{"event": "no_such_event"}], "responses": []},  # unknown event type
        {"events": "slot", "responses": []},  # events not a list
        {"events": [], "responses": ["hola"]},  # a response that is not an object
        {"events": [{"event": "slot", "name": 3}], "responses": []},  # slot name not a string
    ],
)
def test_malformed_response_is_still_rejected_with_rasas_hint(remote_action, bad):
    with pytest.raises(ValidationError) as info:
        remote_action._validate_action_result(bad)
    assert "Failed to validate Action server response" in info.value.message


def test_same_verdicts_as_jsonschema_validate(remote_action):
    from jsonschema import validate

    schema = type(remote_action).action_response_format_spec()
    for instance in (GOOD, {"events": [{"event": "bot"}]}, {"events": [{"event": "x"}]}, {"responses": [1]}):
        try:
            validate(instance, schema)
            expected = True
        except ValidationError:
            expected = False
        try:
            got = remote_action._validate_action_result(instance)
        except ValidationError:
            got = False
        assert got == expected, instance


def test_cached_validator_is_much_cheaper_than_validate(remote_action):
    from jsonschema import validate

    schema = type(remote_action).action_response_format_spec()
    n = 30
    t0 = time.perf_counter()
    for _ in range(n):
        validate(GOOD, schema)
    plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(n):
        remote_action._validate_action_result(GOOD)
    cached = time.perf_counter() - t0
    assert cached * 5 < plain, (plain, cached)
