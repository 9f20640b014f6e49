"""Everything the console works with, built once per process (tests pass their own parts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, List, Optional

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.console.accounts import Accounts
from bot.events.store import EventStore
from bot.handoff.service import HandoffService
from bot.handoff.store import HandoffStore
from crm_adapter.ports import Store


@dataclass
class Console:
    settings: Settings
    engine: Engine
    accounts: Accounts
    events: EventStore
    handoffs: HandoffStore
    service: HandoffService
    store: Store  # CRM and billing
    registry: Any = None  # bot.outbound.registry.AliasedConversationRegistry
    media_for: Callable[[str], List[Any]] = field(default=lambda conversation_id: [])
    rasa: Any = None


def build(
    settings: Settings,
    *,
    engine: Optional[Engine] = None,
    outbound: Any = "default",
    rasa: Any = None,
    store: Optional[Store] = None,
) -> Console:
    """The console's parts on the pqrbot database (schema brought up to date)."""
    from bot.bootstrap import Services
    from bot.handoff.rasa_api import RasaControl

    running = Services(settings, engine=engine)  # the console process's services (schema up to date)
    engine = running.engine
    registry = running.registry
    if outbound == "default":
        outbound = running.outbound
    rasa = rasa or RasaControl(f"http://{settings.host}:{settings.rasa_port}", settings.rasa_api_token)
    handoffs = running.handoff
    followups = running.followups
    events = EventStore(engine)

    def cancel_followups(conversation_id: str) -> None:
        followups.cancel_pending(conversation_id, "a person of the console took the conversation")

    return Console(
        settings=settings,
        engine=engine,
        accounts=Accounts(engine),
        events=events,
        handoffs=handoffs,
        service=HandoffService(
            handoffs,
            outbound,
            rasa,
            registry=registry,
            cancel_followups=cancel_followups,
            channel_of=events.input_channel_of,
        ),
        store=store or running.store,
        registry=registry,
        media_for=running.media_for,
        rasa=rasa,
    )
