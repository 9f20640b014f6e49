"""``PqrEventBroker``: the Rasa event broker that keeps every conversation in the pqrbot database.

Configured in the endpoints.yml that ``pqrbot run`` writes::

    event_broker:
      type: bot.events.broker.PqrEventBroker
      # url: sqlite:///...   (default: PQRBOT_DATABASE_URL)
      # sinks: [bot.workbench.capture.record_event]   (default: bot.events.sinks.SINKS)

``publish`` is called on Rasa's event loop for each new tracker event; it only queues it.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, Iterable, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

from bot.events import sinks as sinks_module
from bot.events.store import EventStore
from bot.events.writer import EventWriter


def _store_factory(url: Optional[str]):
    def build() -> EventStore:
        if url:  # a database of its own, named in endpoints.yml
            from bot.schema import upgrade_all
            from crm_adapter.db import make_engine

            engine = make_engine(url)
            upgrade_all(engine)
            return EventStore(engine)
        from bot.bootstrap import services

        return EventStore(services().engine)

    return build


class PqrEventBroker(EventBroker):
    def __init__(
        self, url: Optional[str] = None, sinks: Optional[Iterable[str]] = None, writer: Optional[EventWriter] = None
    ) -> None:
        self.writer = writer or EventWriter(
            _store_factory(url), sinks_module.load(sinks_module.SINKS if sinks is None else sinks)
        )

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: Optional[asyncio.AbstractEventLoop] = None
    ) -> "PqrEventBroker":
        kwargs = dict(broker_config.kwargs or {}) if broker_config else {}
        return cls(url=(broker_config.url if broker_config else None) or kwargs.get("url"), sinks=kwargs.get("sinks"))

    def publish(self, event: Dict[Text, Any]) -> None:
        self.writer.submit(dict(event))

    def is_ready(self) -> bool:
        return True

    async def close(self) -> None:
        await asyncio.to_thread(self.writer.close)
