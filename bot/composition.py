"""Composition root: the one place that builds the adapters the running assistant uses.

Nothing is built at import time. Processes call ``get_store()`` (and friends) when they first
need them; tests pass their own fakes to the actions' constructors or call ``override``.
"""
from __future__ import annotations

import threading
from typing import Optional

from bot.config import Settings, load_settings
from bot.conversation_hooks import ConversationHooks, NoopHooks
from crm_adapter.ports import Store

_lock = threading.RLock()  # re-entrant: builders call settings() while holding it
_settings: Optional[Settings] = None
_store: Optional[Store] = None
_hooks: Optional[ConversationHooks] = None


def settings() -> Settings:
    global _settings
    with _lock:
        if _settings is None:
            _settings = load_settings()
        return _settings


def get_store() -> Store:
    """The CRM/billing store of this process (SQL, schema brought up to date on first use)."""
    global _store
    if _store is None:
        from crm_adapter.sql import SqlStore

        s = settings()
        with _lock:
            if _store is None:
                _store = SqlStore.from_url(s.database_url)
    return _store


def get_hooks() -> ConversationHooks:
    """Listeners told when the assistant asks for data, hears back, or finishes an intake."""
    global _hooks
    if _hooks is None:
        with _lock:
            if _hooks is None:
                _hooks = _build_hooks()
    return _hooks


def _build_hooks() -> ConversationHooks:
    try:
        from bot.followups.hooks import build_hooks  # provided by the follow-up scheduler
    except ImportError:
        return NoopHooks()
    return build_hooks(settings(), get_store)


def get_media_lookup():
    """Media the customer sent in a conversation (photos of the bill...), as PQR evidence."""
    try:
        from bot.channels.media import media_evidence_lookup  # provided by the channels
    except ImportError:
        return lambda conversation_id: []
    return media_evidence_lookup(settings())


_handoff = None


def get_handoff_store():
    """The hand-over states (bot / waiting / agent / closed) on the pqrbot database."""
    global _handoff
    if _handoff is None:
        from bot.handoff.store import HandoffStore
        from crm_adapter.db import make_engine
        from crm_adapter.migrations import upgrade

        with _lock:
            if _handoff is None:
                engine = make_engine(settings().database_url)
                upgrade(engine)
                _handoff = HandoffStore(engine)
    return _handoff


def override(
    *, store: Optional[Store] = None, hooks: Optional[ConversationHooks] = None,
    settings_: Optional[Settings] = None,
) -> None:
    """Replace adapters (tests, scripts). ``None`` leaves that adapter as it is."""
    global _store, _hooks, _settings
    with _lock:
        if store is not None:
            _store = store
        if hooks is not None:
            _hooks = hooks
        if settings_ is not None:
            _settings = settings_


def reset() -> None:
    global _store, _hooks, _settings, _handoff
    with _lock:
        _store = _hooks = _settings = _handoff = None
