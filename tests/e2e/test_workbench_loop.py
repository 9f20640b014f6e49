"""The trainers' loop against the real server (its own `pqrbot run`, with a known Rasa API token).

- A message the assistant does not understand, sent over REST, reaches the review inbox through the
  event broker (bot.events.broker.PqrEventBroker, whose sinks include
  bot.workbench.capture.record_event), is labelled through the workbench API and ends up in
  nlu/data/reviewed.yml (of a temporary copy of the project's NLU files, never the repository's).
- Activating a candidate loads it into the running Rasa server (PUT /model) without a restart.
"""

from __future__ import annotations

import importlib.util
import json
import secrets
import shutil
import time
import uuid

import pytest
import yaml
from starlette.testclient import TestClient

from bot.config import load_settings
from bot.model import MODEL_PATH
from bot.workbench import training
from bot.workbench.context import Workbench
from bot.workbench.evaluation import TEST_SET, file_sha
from bot.workbench.store import WorkbenchStore
from crm_adapter.db import make_engine
from tests.bot.workbench.conftest import build_app, make_project
from tests.e2e.conftest import start_server, stop_server

pytestmark = pytest.mark.server

MISUNDERSTOOD = "kkkkkkk"  # keyboard mashing: nlu_fallback by the DataSignals rule, whatever the model
HAS_BROKER = (
    importlib.util.find_spec("bot.events") is not None and importlib.util.find_spec("bot.events.broker") is not None
)


@pytest.fixture(scope="module")
def wb_server(tmp_path_factory):
    token = secrets.token_urlsafe(16)
    proc, srv = start_server(tmp_path_factory.mktemp("e2e-workbench"), {"PQRBOT_RASA_API_TOKEN": token})
    yield srv
    stop_server(proc)


@pytest.fixture
def workbench(wb_server, tmp_path):
    engine = make_engine(wb_server.env["PQRBOT_DATABASE_URL"])
    wb = Workbench(
        store=WorkbenchStore(engine),
        root=make_project(tmp_path / "project"),
        settings=load_settings(wb_server.env),
        audit=lambda *args: None,
    )
    yield wb
    engine.dispose()


def _inbox(server) -> list:
    out = server.cli("nlu", "inbox", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["items"]


@pytest.mark.skipif(
    not HAS_BROKER,
    reason="the conversation event broker (bot.events.broker.PqrEventBroker, "
    "built by the console helper) is not in this tree yet: nothing feeds "
    "the inbox",
)
def test_misunderstood_message_reaches_the_inbox_and_is_labelled(wb_server, workbench):
    sender = f"e2e-wb-{uuid.uuid4().hex[:8]}"
    wb_server.say(sender, MISUNDERSTOOD)
    deadline = time.monotonic() + 60
    item = None
    while time.monotonic() < deadline and item is None:
        # staff tools name a REST client's conversation in the public namespace (bot/conversation_ids.py)
        item = next((i for i in _inbox(wb_server) if i["conversation_id"] == f"rest:{sender}"), None)
        if item is None:
            time.sleep(2)
    assert item is not None, "the misunderstood message never reached the review inbox"
    assert item["text"] == MISUNDERSTOOD and item["channel"] == "rest"
    assert item["predicted_intent"] == "nlu_fallback" and item["count"] >= 1

    client = TestClient(build_app(workbench))
    response = client.post(
        f"/api/nlu/inbox/{item['id']}", headers={"X-Test-Role": "entrenador"}, json={"intent": "fuera_de_alcance"}
    )
    assert response.status_code == 200, response.text
    reviewed = yaml.safe_load((workbench.root / "nlu" / "data" / "reviewed.yml").read_text())
    assert {"intent": "fuera_de_alcance", "examples": f"- {MISUNDERSTOOD}\n"} in reviewed["nlu"]
    assert all(i["id"] != item["id"] for i in _inbox(wb_server))


def test_activation_loads_the_candidate_into_the_running_server(wb_server, workbench):
    models = workbench.root / "models"
    shutil.copy(MODEL_PATH, models / "pqrbot.tar.gz")
    (models / "candidates").mkdir()
    candidate = models / "candidates" / "candidate-e2e.tar.gz"
    shutil.copy(MODEL_PATH, candidate)  # the same model: equal figures, so not worse
    figures = {"macro_f1": 0.9, "accuracy": 0.9, "intents": {"saludo": {"f1": 0.9, "support": 10}}}
    workbench.store.save_evaluation(
        file_sha(models / "pqrbot.tar.gz"), "live", file_sha(workbench.root / TEST_SET), figures
    )
    job = workbench.store.create_job("train", "e2e@example.com")
    workbench.store.update_job(
        job,
        status="ready",
        model_path=str(candidate),
        fingerprint="e2e",
        result={"candidate": figures, "stories": {"passed": True}},
    )
    result = training.activate(workbench, job, actor="e2e@example.com")
    assert result["loaded"] is True, result["detail"]
    _, replies = wb_server.talk(["hola"])
    assert replies[0], "the server stopped answering after the model swap"
    result = training.rollback(workbench, actor="e2e@example.com")
    assert result["loaded"] is True, result["detail"]
