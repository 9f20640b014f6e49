"""What the actions need from the outside world, handed over by the composition root (bot.bootstrap)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, List, Optional

from bot.config import Settings
from bot.conversation_hooks import ConversationHooks
from crm_adapter.models import Evidencia
from crm_adapter.ports import Store


def _no_media(conversation_id: str) -> List[Evidencia]:
    return []


@dataclass
class Deps:
    store: Store
    hooks: ConversationHooks
    settings: Settings
    media_for: Callable[[str], List[Evidencia]] = field(default=_no_media)

    @classmethod
    def from_services(cls) -> "Deps":
        from bot.bootstrap import services

        running = services()
        return cls(
            store=running.store,
            hooks=running.hooks,
            settings=running.settings,
            media_for=running.media_for,
        )


class UsesDeps:
    """Actions get their dependencies injected (tests) or from the composition root (runtime)."""

    def __init__(self, deps: Optional[Deps] = None) -> None:
        self._deps = deps

    @property
    def deps(self) -> Deps:
        return self._deps or Deps.from_services()
