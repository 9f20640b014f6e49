"""What the workbench works on: its store, the project folder whose ``nlu/`` it edits, the audit.

Built once per process by the composition root (``bot.bootstrap.Services.workbench``, read
through ``bot.workbench.running.default()``); tests build their own ``Workbench`` and hand it to
``app.state.workbench`` or install it with ``bootstrap.override(workbench=...)``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from bot.config import PROJECT_ROOT, Settings
from bot.workbench.store import WorkbenchStore

log = logging.getLogger(__name__)

AuditFn = Callable[..., None]  # (actor_email, action, target, detail=None)


def console_audit(actor_email: str, action: str, target: str, detail=None) -> None:
    """The console's audit log (``bot.console.audit.record``), which trainers' actions share."""
    from bot.console.audit import record

    record(actor_email, action, target, detail)


@dataclass
class Workbench:
    store: WorkbenchStore
    root: Path = PROJECT_ROOT  # the project folder: nlu/, domain.yml, config.yml, tests/nlu, models/
    settings: Optional[Settings] = None
    audit: AuditFn = field(default=console_audit)
    python: Optional[str] = None  # interpreter for background jobs (default: this one)
    validate_after_label: bool = False  # run Rasa's reader in the background after each label

    @property
    def work_dir(self) -> Path:
        base = self.settings.data_dir if self.settings else self.root / "var"
        return Path(base) / "workbench"
