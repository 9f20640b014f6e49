"""Python's cyclic garbage collector kept off the model (``gc.freeze``) in each Rasa worker.

A Rasa worker holds millions of long-lived objects once its model is loaded (TensorFlow, spaCy,
Rasa's domain and graph). Python's collector walks all of them in every full (generation 2)
collection: about 400 ms measured on this machine, during which the worker's event loop, and so
every turn it serves, stands still; its younger collections also go through the survivors of
the load. ``gc.freeze()`` once the model is loaded moves everything alive to a permanent
generation that collections skip: they then look only at what the turns allocate (issue 13).
Memory is not held longer than before: frozen objects were alive anyway, and what a turn
leaves behind is collected as before.

A new model (``PUT /model``, the model follower) unfreezes first, so the replaced one is
collected, then freezes again. ``PQRBOT_GC_FREEZE=0`` turns it off.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

logger = logging.getLogger(__name__)


_enabled = False


def refreeze() -> int:
    """Unfreeze (a replaced model becomes collectable), collect, freeze what is alive; the
    number of objects frozen."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def after_model_change() -> None:
    """Called once a worker holds a new model (start-up, ``PUT /model``, the model follower)."""
    if _enabled:
        logger.info("garbage collector: %.1f million objects of the loaded model frozen", refreeze() / 1e6)


def _refreezing(load_model):
    def load(self, *args: Any, **kwargs: Any):  # noqa: ANN001, ANN202
        try:
            return load_model(self, *args, **kwargs)
        finally:
            after_model_change()

    load.__wrapped__ = load_model  # type: ignore[attr-defined]
    return load


def enable() -> None:
    """Freeze after every model load of ``Agent`` in this process (and its forked workers)."""
    global _enabled
    if _enabled:
        return
    from rasa.core.agent import Agent

    Agent.load_model = _refreezing(Agent.load_model)
    _enabled = True
