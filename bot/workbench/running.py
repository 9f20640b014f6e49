"""This process's workbench, from the composition root (``bot.bootstrap``)."""

from __future__ import annotations

from bot.workbench.context import Workbench


def default() -> Workbench:
    from bot.bootstrap import services

    return services().workbench
