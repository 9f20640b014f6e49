"""The composition root: builds every service of a pqrbot process, once, from ``Settings``.

Each entry point (the action server's actions, the Rasa channels, the worker, the CLI) asks
``services()`` for what it needs; nothing is built at import time and each service is built on
first use, so a process pays only for what it uses (the Rasa process never builds the follow-up
store, the CLI never builds the senders). One database engine per process serves every store.

Tests build their own ``Services(settings, store=..., outbound=...)`` and install it with
``override(...)``; ``reset()`` forgets the process's services.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional

from bot.config import Settings, load_settings

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Engine

    from bot.channels.deliveries import DeliveryLog
    from bot.channels.media import MediaStore
    from bot.channels.runtime import ChannelRuntime
    from bot.conversation_hooks import ConversationHooks
    from bot.followups.store import FollowupStore
    from bot.handoff.store import HandoffStore
    from bot.ingress.queue import SqlInboundQueue
    from bot.outbound.ports import Outbound
    from bot.outbound.registry import AliasedConversationRegistry
    from bot.workbench.context import Workbench
    from crm_adapter.models import Evidencia
    from crm_adapter.ports import Store

_SERVICE_NAMES = (
    "engine",
    "store",
    "followups",
    "registry",
    "outbound",
    "deliveries",
    "media",
    "hooks",
    "channel_runtime",
    "workbench",
    "handoff",
    "inbound_queue",
)


class Services:
    """The services of one process. Pass any of them to replace the default (tests)."""

    def __init__(self, settings: Settings, **given: Any) -> None:
        unknown = set(given) - set(_SERVICE_NAMES)
        if unknown:
            raise TypeError(f"unknown services: {sorted(unknown)}")
        self.settings = settings
        self._built: Dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        self._lock = threading.RLock()  # re-entrant: builders ask for the services they need

    def _get(self, name: str, build: Callable[[], Any]) -> Any:
        with self._lock:
            if name not in self._built:
                self._built[name] = build()
            return self._built[name]

    # ------------------------------------------------------------------ database
    @property
    def engine(self) -> "Engine":
        """The process's engine on ``PQRBOT_DATABASE_URL``, every component's schema up to date."""

        def build() -> "Engine":
            from bot.schema import upgrade_all
            from crm_adapter.db import make_engine

            engine = make_engine(self.settings.database_url)
            upgrade_all(engine)
            return engine

        return self._get("engine", build)

    @property
    def store(self) -> "Store":
        """CRM and billing."""
        from crm_adapter.sql import SqlStore

        return self._get("store", lambda: SqlStore(self.engine))

    @property
    def followups(self) -> "FollowupStore":
        from bot.followups.store import FollowupStore

        return self._get("followups", lambda: FollowupStore(self.engine))

    # ------------------------------------------------------------------ channels
    @property
    def registry(self) -> "AliasedConversationRegistry":
        """Where each conversation lives (channel, address, window)."""
        from bot.outbound import build_registry

        return self._get("registry", lambda: build_registry(self.settings, self.engine))

    @property
    def outbound(self) -> "Outbound":
        from bot.outbound import build_outbound

        return self._get("outbound", lambda: build_outbound(self.settings, self.engine, registry=self.registry))

    @property
    def deliveries(self) -> "DeliveryLog":
        from bot.channels.deliveries import SqlDeliveryLog

        return self._get("deliveries", lambda: SqlDeliveryLog(self.engine))

    @property
    def inbound_queue(self) -> "SqlInboundQueue":
        """Deliveries admitted and not yet handled by the assistant (at least once)."""
        from bot.ingress.queue import SqlInboundQueue

        return self._get("inbound_queue", lambda: SqlInboundQueue(self.engine))

    @property
    def media(self) -> "MediaStore":
        from bot.channels.media import SqlMediaStore

        return self._get("media", lambda: SqlMediaStore(self.engine))

    @property
    def channel_runtime(self) -> "ChannelRuntime":
        """What the provider channels of the Rasa process work with."""
        from bot.channels.runtime import ChannelRuntime

        return self._get(
            "channel_runtime",
            lambda: ChannelRuntime(
                settings=self.settings,
                registry=self.registry,
                outbound=self.outbound,
                deliveries=self.deliveries,
                media=self.media,
                queue=self.inbound_queue,
            ),
        )

    # ------------------------------------------------------------------ dialogue
    @property
    def hooks(self) -> "ConversationHooks":
        """Listeners told when the assistant asks for data, hears back, or ends an intake."""
        from bot.followups.hooks import build_hooks

        return self._get("hooks", lambda: build_hooks(self.settings, lambda: self.followups))

    @property
    def handoff(self) -> "HandoffStore":
        """Who holds each conversation: the assistant, a waiting customer, an agent (console)."""
        from bot.handoff.store import HandoffStore

        return self._get("handoff", lambda: HandoffStore(self.engine))

    @property
    def workbench(self) -> "Workbench":
        """The trainers' review inbox, evaluations and model activations."""
        from bot.workbench.context import Workbench
        from bot.workbench.store import WorkbenchStore

        return self._get(
            "workbench",
            lambda: Workbench(store=WorkbenchStore(self.engine), settings=self.settings, validate_after_label=True),
        )

    def media_for(self, conversation_id: str) -> List["Evidencia"]:
        """Media the customer sent in a conversation (photos of the bill...), as PQR evidence."""
        from bot.channels.media import as_evidencias

        return as_evidencias(self.media.list_media(conversation_id))

    def dispose(self) -> None:
        engine = self._built.get("engine")
        if engine is not None:
            engine.dispose()


_lock = threading.Lock()
_services: Optional[Services] = None


def services() -> Services:
    """This process's services, built from the environment on first use."""
    global _services
    with _lock:
        if _services is None:
            _services = Services(load_settings())
        return _services


def settings() -> Settings:
    return services().settings


def override(replacement: Optional[Services] = None, *, settings_: Optional[Settings] = None, **given: Any) -> Services:
    """Install ``replacement`` (or new services from ``settings_`` and the given ones) for this
    process; returns what is installed. Tests call it and ``reset()`` afterwards."""
    global _services
    with _lock:
        if replacement is None:
            base = settings_ or (_services.settings if _services is not None else load_settings())
            replacement = Services(base, **given)
        _services = replacement
        return replacement


def reset() -> None:
    """Forget this process's services (their engine is disposed)."""
    global _services
    with _lock:
        if _services is not None:
            _services.dispose()
        _services = None
