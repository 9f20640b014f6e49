"""Each Rasa worker swaps to an activated model; the one PUT /model reached does not load it twice."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from bot.perf.model_follower import ModelFollower


class FakeAgent:
    def __init__(self, model_id: str) -> None:
        self.processor = SimpleNamespace(domain=None, model_id=model_id)
        self.tracker_store = SimpleNamespace(domain=None)
        self.nlg = None
        self.domain = None

    def is_ready(self) -> bool:
        return True

    @property
    def model_id(self) -> str:
        return self.processor.model_id

    def _set_fingerprint(self, fingerprint=None) -> None:
        pass


def write_model(path, model_id: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(model_id)
    os.replace(tmp, path)  # as the workbench's activation does


def follower(path, agent):
    built = []

    def build(agent_, p):
        built.append(p.read_text())
        return SimpleNamespace(domain=None, model_id=p.read_text())

    return ModelFollower(path, lambda: agent, model_id_of=lambda p: p.read_text(), build=build), built


async def test_a_worker_swaps_to_the_activated_model(tmp_path):
    path = tmp_path / "pqrbot.tar.gz"
    write_model(path, "model-a")
    agent = FakeAgent("model-a")
    watch, built = follower(path, agent)
    assert await watch.check() is False  # nothing changed
    write_model(path, "model-b")
    assert await watch.check() is True
    assert agent.model_id == "model-b" and built == ["model-b"]
    assert await watch.check() is False  # once


async def test_the_worker_put_model_reached_does_not_load_it_again(tmp_path):
    path = tmp_path / "pqrbot.tar.gz"
    write_model(path, "model-a")
    agent = FakeAgent("model-a")
    watch, built = follower(path, agent)
    write_model(path, "model-b")
    agent.processor = SimpleNamespace(domain=None, model_id="model-b")  # PUT /model got here first
    assert await watch.check() is False and built == []


async def test_a_broken_file_keeps_the_running_model(tmp_path, caplog):
    path = tmp_path / "pqrbot.tar.gz"
    write_model(path, "model-a")
    agent = FakeAgent("model-a")

    def broken(_p):
        raise ValueError("not a model archive")

    watch = ModelFollower(path, lambda: agent, model_id_of=broken)
    write_model(path, "garbage")
    assert await watch.check() is False
    assert agent.model_id == "model-a" and "could not be loaded" in caplog.text


def test_the_watch_can_be_turned_off():
    from bot.config import load_settings
    from bot.perf import model_follower

    registered = []
    app = SimpleNamespace(register_listener=lambda fn, event: registered.append(event))
    model_follower.install(app, load_settings({"PQRBOT_MODEL_WATCH_SECONDS": "0"}).model_watch_seconds)
    assert registered == []
    model_follower.install(app, load_settings({}).model_watch_seconds)
    assert registered == ["after_server_start"]


def test_it_follows_the_file_rasa_was_started_with(tmp_path):
    from bot.model import MODEL_PATH
    from bot.perf.model_follower import started_with

    assert started_with(["rasa", "run", "--model", str(tmp_path / "m.tar.gz"), "--port", "1"]) == tmp_path / "m.tar.gz"
    assert started_with(["rasa", "run", f"--model={tmp_path / 'n.tar.gz'}"]) == tmp_path / "n.tar.gz"
    assert started_with(["rasa", "run"]) == MODEL_PATH


def test_the_model_id_is_read_as_rasa_reads_it():
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    from bot.model import MODEL_PATH
    from bot.perf.model_follower import archive_model_id

    if not MODEL_PATH.exists():
        pytest.skip("no trained model: run `make train`")
    assert archive_model_id(MODEL_PATH) == LocalModelStorage.metadata_from_archive(MODEL_PATH).model_id
