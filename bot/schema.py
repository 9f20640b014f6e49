"""Every component's migration history, in one list, and the call that applies them all.

The CRM adapter, the outbound side and the follow-up scheduler each own their tables and keep
their Alembic revisions in a ``versions`` folder of their own; this module (in the runtime
layer, which knows every component) puts the histories together. The CRM adapter never names
another component.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

from sqlalchemy.engine import Engine

from crm_adapter.migrations import CRM_HISTORY, History, upgrade

_BOT = Path(__file__).resolve().parent

HISTORIES: List[History] = [
    CRM_HISTORY,
    History("outbound", _BOT / "outbound" / "versions"),
    History("followups", _BOT / "followups" / "versions"),
    History("workbench", _BOT / "workbench" / "versions"),
    History("exports", _BOT / "exports" / "versions"),
    History("datarights", _BOT / "datarights" / "versions"),
    History("events", _BOT / "events" / "versions"),
    History("handoff", _BOT / "handoff" / "versions"),
    History("console", _BOT / "console" / "versions"),
    History("ingress", _BOT / "ingress" / "versions"),
]


def history(name: str) -> History:
    return next(h for h in HISTORIES if h.name == name)


def upgrade_all(engine: Engine) -> List[str]:
    """Apply every pending revision of every component; returns the revisions applied."""
    return upgrade(engine, HISTORIES)
