"""Who else gets every event the broker receives.

``SINKS`` lists dotted paths of callables taking one Rasa event dict (the shape Rasa's event
brokers publish: ``{"event": "user", "sender_id", "text", "timestamp", "input_channel",
"parse_data": {...}, "metadata": {...}}``). They run on the broker's background thread, after the
event is stored; a sink that raises is logged and the others still run. The endpoint
configuration may replace the list (``event_broker: {type: ..., sinks: [...]}``).
"""

from __future__ import annotations

import importlib
import logging
from typing import Callable, Iterable, List

log = logging.getLogger(__name__)

Sink = Callable[[dict], None]

# the trainers' review inbox: messages the assistant misunderstood
SINKS: List[str] = ["bot.workbench.capture.record_event"]


def load(paths: Iterable[str]) -> List[Sink]:
    """The callables named by ``paths`` ("package.module.function")."""
    found: List[Sink] = []
    for path in paths:
        module_name, _, attr = path.rpartition(".")
        found.append(getattr(importlib.import_module(module_name), attr))
    return found


def call_all(sinks: Iterable[Sink], event: dict) -> None:
    for sink in sinks:
        try:
            sink(event)
        except Exception:
            log.exception("event sink %s failed", getattr(sink, "__qualname__", sink))
