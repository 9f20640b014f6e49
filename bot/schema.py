"""Every component's database migrations, in one list, and the call that applies them.

The CRM adapter, the outbound side and the follow-up scheduler each own their tables and list
their migrations in their own ``migrations`` module; this module (in the runtime layer, which
knows every component) puts them together. The CRM adapter never names another component.
"""
from __future__ import annotations

from typing import List

from sqlalchemy.engine import Engine

from crm_adapter import migrations_crm
from crm_adapter.migrations import Migration, upgrade


def all_migrations() -> List[Migration]:
    from bot.followups import migrations as followups
    from bot.outbound import migrations as outbound

    return [*migrations_crm.MIGRATIONS, *outbound.MIGRATIONS, *followups.MIGRATIONS]


def upgrade_all(engine: Engine) -> List[str]:
    """Apply every pending migration of every component; returns the names applied."""
    return upgrade(engine, all_migrations())
