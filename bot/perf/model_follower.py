"""Every Rasa worker follows the live model file: an activated model reaches all of them.

The trainers' workbench activates a model by replacing ``models/pqrbot.tar.gz`` and calling
Rasa's ``PUT /model``, which reaches one Sanic worker. With a worker per core (issue 13) the
others would keep answering with the old model. Each worker therefore looks at the file every
``PQRBOT_MODEL_WATCH_SECONDS`` (default 2; 0 turns it off): when the file changed and holds
another model than the one this worker runs (Rasa's ``model_id`` in the archive's metadata), the
worker builds the new ``MessageProcessor`` in a thread, still answering with the old one, and
then swaps it in as ``Agent.load_model`` does (same tracker store, locks, actions, NLG).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any, Callable, Optional, Tuple

from bot.logmask import masked_logger

logger = masked_logger(__name__)

Stamp = Tuple[int, int, int]


def stamp(path: Path) -> Optional[Stamp]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def archive_model_id(path: Path) -> Optional[str]:
    """Rasa's ``model_id`` from the archive's ``metadata.json`` alone (Rasa's own
    ``metadata_from_archive`` unpacks the whole model first: ten times slower here)."""
    import json
    import tarfile

    with tarfile.open(path, mode="r:gz") as tar:
        member = tar.extractfile("metadata.json")
        if member is None:
            raise ValueError(f"{path} has no metadata.json")
        return json.load(member).get("model_id")


def build_processor(agent: Any, path: Path) -> Any:
    from rasa.core.processor import MessageProcessor

    return MessageProcessor(
        model_path=path,
        tracker_store=agent.tracker_store,
        lock_store=agent.lock_store,
        action_endpoint=agent.action_endpoint,
        generator=agent.nlg,
        http_interpreter=agent.http_interpreter,
    )


def swap_processor(agent: Any, processor: Any) -> None:
    """What ``Agent.load_model`` does once its processor is built."""
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator

    agent.processor = processor
    agent.domain = processor.domain
    agent._set_fingerprint(None)
    agent.tracker_store.domain = agent.domain
    if isinstance(agent.nlg, TemplatedNaturalLanguageGenerator):
        agent.nlg.responses = agent.domain.responses if agent.domain else {}
    from bot.perf import gc_tuning

    gc_tuning.after_model_change()


class ModelFollower:
    """Reloads this worker's model when the live file holds another one (see the module doc)."""

    def __init__(
        self,
        path: Path,
        agent_of: Callable[[], Any],
        *,
        model_id_of: Callable[[Path], Optional[str]] = archive_model_id,
        build: Callable[[Any, Path], Any] = build_processor,
    ) -> None:
        self.path = Path(path)
        self.agent_of, self.model_id_of, self.build = agent_of, model_id_of, build
        self.seen = stamp(self.path)
        self.reloads = 0

    async def check(self) -> bool:
        """One look at the file; True when this worker swapped to a new model."""
        now = stamp(self.path)
        if now is None or now == self.seen:
            return False
        await asyncio.sleep(0.5)  # a file still being written changes again: look once more
        if stamp(self.path) != now:
            return False
        self.seen = now
        agent = self.agent_of()
        if agent is None or not agent.is_ready():
            return False
        try:
            new_id = await asyncio.to_thread(self.model_id_of, self.path)
            if new_id is not None and new_id == agent.model_id:
                return False  # PUT /model reached this worker already
            processor = await asyncio.to_thread(self.build, agent, self.path)
        except Exception as exc:  # a broken file: keep the model this worker runs
            logger.error("model file %s could not be loaded (%s): the running model stays", self.path, exc)
            return False
        swap_processor(self.agent_of() or agent, processor)
        self.reloads += 1
        logger.info("this Rasa worker now runs model %s (%s)", new_id, self.path.name)
        return True

    async def run(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:  # never let the watch die
                logger.exception("model watch failed")


def started_with(argv: Optional[list] = None) -> Path:
    """The model file of ``rasa run --model X`` (``pqrbot run`` gives ``models/pqrbot.tar.gz``)."""
    import sys

    from bot.model import MODEL_PATH

    args = list(sys.argv if argv is None else argv)
    for i, arg in enumerate(args):
        if arg in ("--model", "-m") and i + 1 < len(args):
            return Path(args[i + 1])
        if arg.startswith("--model="):
            return Path(arg.split("=", 1)[1])
    return MODEL_PATH


def install(app: Any, every: float, path: Optional[Path] = None) -> None:
    """Start the follower in each worker once the server runs (``every`` 0: not at all)."""
    if every <= 0:
        return
    target = Path(path or started_with())

    async def start(app_: Any, _loop: Any = None) -> None:
        follower = ModelFollower(target, lambda: getattr(app_.ctx, "agent", None))
        app_.ctx.model_follower = follower
        app_.ctx.model_follower_task = asyncio.get_running_loop().create_task(follower.run(every))

    app.register_listener(start, "after_server_start")
