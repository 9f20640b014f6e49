"""Small, tested patches applied to Rasa 3.6 at start-up (``apply()``), one place for all of them.

1. Action-server responses are validated with a validator built once.

   ``rasa.core.actions.action.RemoteAction._validate_action_result`` calls
   ``jsonschema.validate(result, schema)`` for every custom action. ``jsonschema.validate``
   first checks the *schema* against its meta-schema (``check_schema``) and then builds a new
   validator, every call; with jsonschema 4.x that made it about 40 % of the Rasa process's CPU
   per message here (py-spy, 10 customers). Upstream: RasaHQ/rasa#11717 ("Significantly longer
   response times from rasa server on versions 3.2.x and 3.3.0", workaround: jsonschema 3.2).
   The patch validates the same instance against the same schema with one cached
   ``Draft…Validator`` instance and raises the same ``ValidationError`` (best match, Rasa's
   message appended), so malformed responses are still rejected exactly as before.

2. Operations endpoints on Rasa's own server (and each worker following the live model file,
   ``bot/perf/model_follower.py``): ``/healthz`` (alive), ``/readyz`` (model loaded)
   and ``/metrics`` (``bot/perf/metrics.py``), added by wrapping ``rasa.core.run.configure_app``;
   each turn's duration goes to ``pqrbot_reply_seconds`` (wrapping ``Agent.handle_message``),
   and turns are admitted a few at a time, in arrival order (``bot/perf/turn_gate.py``).

3. ``action_endpoint: {url: "in-process:actions"}`` runs the actions in the Rasa process
   (``bot/perf/inprocess_actions.py``), by wrapping ``AvailableEndpoints.read_endpoints``.

4. ``bot/perf/rasa_speedups.py``: event types resolved from a table, and the graph runs without
   dask's per-run scheduling (same nodes, same order, same arguments).

5. ``bot/perf/gc_tuning.py``: each loaded model frozen out of the garbage collector's walks.

``apply()`` is idempotent; ``bot.rasa_server`` calls it before Rasa's own ``main``.
"""

from __future__ import annotations

import logging
from typing import Any, Dict

logger = logging.getLogger(__name__)

_applied = False
_validator = None


def action_response_validator():
    """The one validator of Rasa's action-server response schema (schema checked once)."""
    global _validator
    if _validator is None:
        from jsonschema.validators import validator_for
        from rasa.core.actions.action import RemoteAction

        schema = RemoteAction.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    return _validator


def _validate_action_result(self, result: Dict[str, Any]) -> bool:  # noqa: ANN001
    from bot.perf.inprocess_actions import ActionResponse

    if isinstance(result, ActionResponse):
        return True  # made in this process by rasa-sdk's executor from its own event types
    from jsonschema.exceptions import best_match
    from rasa.core.actions.action import DOCS_BASE_URL

    error = best_match(action_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def _agent_ready(app) -> bool:  # noqa: ANN001
    agent = getattr(app.ctx, "agent", None)
    return bool(agent is not None and agent.is_ready())


def _with_operations_endpoints(configure_app):
    def configure(*args: Any, **kwargs: Any):
        app = configure_app(*args, **kwargs)
        from bot import bootstrap
        from bot.perf import metrics

        metrics.install_sanic_metrics(
            app, process="rasa", settings=bootstrap.settings(), ready=_agent_ready, health=True
        )
        from bot.perf import model_follower

        model_follower.install(app, float(bootstrap.settings().model_watch_seconds))
        return app

    configure.__wrapped__ = configure_app
    return configure


def _timed(handle_message, turns_per_worker: int = 0):
    """``Agent.handle_message`` timed into ``pqrbot_reply_seconds`` (from the message's arrival,
    its wait for a place included) and admitted through the worker's turn gate."""

    async def handle(self, message):  # noqa: ANN001
        import time

        from bot.perf import turn_gate
        from bot.perf.metrics import REPLY_SECONDS, TURNS_WAITING

        t0 = time.perf_counter()
        try:
            if turns_per_worker <= 0:
                return await handle_message(self, message)
            admitted = False
            TURNS_WAITING.inc()
            try:
                async with turn_gate.gate_for_this_loop(turns_per_worker).turn():
                    TURNS_WAITING.dec()
                    admitted = True
                    return await handle_message(self, message)
            finally:
                if not admitted:
                    TURNS_WAITING.dec()
        finally:
            REPLY_SECONDS.labels(getattr(message, "input_channel", None) or "unknown").observe(time.perf_counter() - t0)

    handle.__wrapped__ = handle_message  # type: ignore[attr-defined]
    return handle


def apply() -> None:
    global _applied
    if _applied:
        return
    import rasa.core.run
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.utils import AvailableEndpoints

    from bot.perf import rasa_speedups
    from bot.perf.inprocess_actions import with_in_process_actions

    RemoteAction._validate_action_result = _validate_action_result
    rasa.core.run.configure_app = _with_operations_endpoints(rasa.core.run.configure_app)
    from bot.config import load_settings

    settings = load_settings()
    Agent.handle_message = _timed(Agent.handle_message, settings.turns_per_worker)
    if settings.gc_freeze:
        from bot.perf import gc_tuning

        gc_tuning.enable()
    if settings.states_cache:
        from bot.perf import tracker_states

        tracker_states.apply()
    if settings.parse_cache:
        from bot.perf import parse_cache

        parse_cache.apply()
    AvailableEndpoints.read_endpoints = with_in_process_actions(AvailableEndpoints.read_endpoints)
    rasa_speedups.apply()
    _applied = True
    logger.debug("pqrbot: Rasa patches applied (cached action-response validator)")
