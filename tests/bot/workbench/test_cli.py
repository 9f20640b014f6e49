"""`pqrbot nlu ...` as an operator runs it (its own process, the database of PQRBOT_DATABASE_URL)."""

import json
import os
import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT
from bot.schema import upgrade_all
from bot.workbench import capture
from bot.workbench.context import Workbench
from bot.workbench.store import WorkbenchStore
from crm_adapter.db import make_engine
from tests.bot.workbench.conftest import user_event


@pytest.fixture
def env(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    upgrade_all(engine)
    wb = Workbench(store=WorkbenchStore(engine), audit=lambda *a: None)
    capture.record_event(
        user_event("me llamo Ana Mejia y la factura pues", "saludo", 0.2, sender="s-1", channel="whatsapp"),
        workbench=wb,
    )
    engine.dispose()
    return dict(
        os.environ,
        PQRBOT_DATABASE_URL=url,
        PQRBOT_DATA_DIR=str(tmp_path / "var"),
        PYTHONPATH=str(PROJECT_ROOT),
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )


def _pqrbot(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "nlu", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_inbox_json(env):
    out = _pqrbot(env, "inbox", "--json")
    assert out.returncode == 0, out.stderr
    [item] = json.loads(out.stdout)["items"]
    assert item["text"] == "me llamo A*** M*** y la factura pues"
    assert (item["predicted_intent"], item["confidence"], item["count"]) == ("saludo", 0.2, 1)
    assert (item["channel"], item["conversation_id"]) == ("whatsapp", "s-1")


def test_activate_and_rollback_without_anything_say_why(env):
    out = _pqrbot(env, "activate")
    assert out.returncode == 1 and "pqrbot nlu train" in out.stderr
    out = _pqrbot(env, "rollback")
    assert out.returncode == 1 and "nothing to roll back" in out.stderr


def test_discard_unknown_item(env):
    out = _pqrbot(env, "discard", "42")
    assert out.returncode == 1 and "no inbox item 42" in out.stderr
