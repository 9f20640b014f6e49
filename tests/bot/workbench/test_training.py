"""Candidates: refusal when worse, activation with a kept previous model, rollback, the Rasa call."""

import json
import os
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.workbench import training
from bot.workbench.evaluation import TEST_SET, file_sha
from tests.bot.workbench.conftest import build_app

GOOD = {
    "macro_f1": 0.9,
    "accuracy": 0.9,
    "intents": {
        "saludo": {"f1": 0.9, "support": 10, "precision": 0.9, "recall": 0.9},
        "negar": {"f1": 0.9, "support": 4, "precision": 0.9, "recall": 0.9},
    },
}


def _eval(macro, saludo, negar=0.9):
    return {
        "macro_f1": macro,
        "accuracy": macro,
        "intents": {
            "saludo": {"f1": saludo, "support": 10, "precision": saludo, "recall": saludo},
            "negar": {"f1": negar, "support": 4, "precision": negar, "recall": negar},
        },
    }


@pytest.fixture
def models(wb):
    root = wb.root
    (root / "models" / "pqrbot.tar.gz").write_bytes(b"live model")
    (root / "models" / "pqrbot.fingerprint").write_text("fp-live\n")
    (root / "models" / "candidates").mkdir()
    wb.store.save_evaluation(file_sha(root / "models" / "pqrbot.tar.gz"), "live", file_sha(root / TEST_SET), GOOD)
    return root / "models"


def _candidate(wb, models, evaluation, status="ready", name="candidate-1"):
    path = models / "candidates" / f"{name}.tar.gz"
    path.write_bytes(b"candidate " + name.encode())
    job_id = wb.store.create_job("train", "t@example.com")
    wb.store.update_job(
        job_id,
        status=status,
        model_path=str(path),
        fingerprint=f"fp-{name}",
        result={"candidate": evaluation, "stories": {"passed": status != "blocked"}},
        error="a conversation test failed" if status == "blocked" else None,
    )
    return job_id


class FakeLoader:
    def __init__(self):
        self.calls = []

    def __call__(self, wb, model: Path):
        self.calls.append(model.read_bytes())
        return {"loaded": True, "detail": "Rasa answered 204"}


def test_better_candidate_goes_live_and_the_previous_is_kept(wb, models, audit_log):
    job = _candidate(wb, models, _eval(0.95, 0.95))
    loader = FakeLoader()
    result = training.activate(wb, job, actor="t@example.com", loader=loader)
    assert (models / "pqrbot.tar.gz").read_bytes() == b"candidate candidate-1"
    assert loader.calls == [b"candidate candidate-1"]  # the running server was told
    assert result["loaded"] and not result["forced"]
    assert Path(result["previous"]).read_bytes() == b"live model"
    assert (models / "pqrbot.fingerprint").read_text().strip() == "fp-candidate-1"
    assert wb.store.job(job)["status"] == "activated"
    assert audit_log[-1][1] == "nlu.activate"


def test_worse_candidate_is_refused_unless_forced(wb, models):
    job = _candidate(wb, models, _eval(0.95, 0.85))  # macro better, saludo (support 10) worse
    loader = FakeLoader()
    with pytest.raises(training.WorkbenchError) as err:
        training.activate(wb, job, loader=loader)
    assert err.value.status == 409 and err.value.detail["regressions"][0].startswith("saludo")
    assert (models / "pqrbot.tar.gz").read_bytes() == b"live model" and loader.calls == []
    result = training.activate(wb, job, force=True, loader=loader)
    assert result["forced"] and (models / "pqrbot.tar.gz").read_bytes() == b"candidate candidate-1"


def test_lower_macro_f1_is_worse_but_low_support_intents_do_not_block(wb, models):
    with pytest.raises(training.WorkbenchError):
        training.activate(wb, _candidate(wb, models, _eval(0.89, 0.9)), loader=FakeLoader())
    job = _candidate(wb, models, _eval(0.9, 0.9, negar=0.1), name="candidate-2")  # negar: support 4
    assert training.activate(wb, job, loader=FakeLoader())["forced"] is False


def test_a_candidate_failing_a_story_is_blocked_even_when_forced(wb, models):
    job = _candidate(wb, models, _eval(0.99, 0.99), status="blocked")
    with pytest.raises(training.WorkbenchError) as err:
        training.activate(wb, job, force=True, loader=FakeLoader())
    assert "blocked" in err.value.message


def test_rollback_restores_the_previous_model_once(wb, models):
    training.activate(wb, _candidate(wb, models, _eval(0.95, 0.95)), loader=FakeLoader())
    loader = FakeLoader()
    result = training.rollback(wb, loader=loader)
    assert (models / "pqrbot.tar.gz").read_bytes() == b"live model" and loader.calls == [b"live model"]
    assert (models / "pqrbot.fingerprint").read_text().strip() == "fp-live"
    assert result["loaded"]
    with pytest.raises(training.WorkbenchError):
        training.rollback(wb, loader=loader)


def test_no_candidate_and_no_live_evaluation(wb, models):
    with pytest.raises(training.WorkbenchError) as err:
        training.activate(wb, loader=FakeLoader())
    assert err.value.status == 404
    (models / "pqrbot.tar.gz").write_bytes(b"a model never evaluated")
    with pytest.raises(training.WorkbenchError) as err:
        training.activate(wb, _candidate(wb, models, _eval(0.99, 0.99)), loader=FakeLoader())
    assert "no evaluation" in err.value.detail["regressions"][0]


def test_one_job_at_a_time_and_dead_jobs_are_marked_failed(wb):
    alive = wb.store.create_job("train")
    wb.store.update_job(alive, status="running", pid=os.getpid())
    with pytest.raises(training.WorkbenchError) as err:
        training.start_job(wb, "train")
    assert err.value.status == 409
    wb.store.update_job(alive, pid=2**22 + 12345)  # no such process
    assert training.running_job(wb) is None
    assert wb.store.job(alive)["status"] == "failed"


def test_start_job_runs_the_job_module_in_the_background(wb, tmp_path):
    fake = tmp_path / "fake-python"
    fake.write_text(f'#!/bin/sh\necho "$@" > {tmp_path / "args"}\necho "$PQRBOT_DATABASE_URL" >> {tmp_path / "args"}\n')
    fake.chmod(0o755)
    wb.python = str(fake)
    job = training.start_job(wb, "evaluate", actor="t@example.com")
    for _ in range(100):
        if (tmp_path / "args").exists() and (tmp_path / "args").read_text().count("\n") == 2:
            break
        threading.Event().wait(0.05)
    args, url = (tmp_path / "args").read_text().splitlines()
    assert args == f"-m bot.workbench.jobs {job['id']} --root {wb.root}"
    assert url == str(wb.store.engine.url)


def test_api_activation_refusal_and_confirmation(wb, models):
    job = _candidate(wb, models, _eval(0.8, 0.8))
    client = TestClient(build_app(wb, loader=FakeLoader()))
    headers = {"X-Test-Role": "entrenador"}
    refused = client.post("/api/nlu/activate", headers=headers, json={})
    assert refused.status_code == 409 and refused.json()["regressions"] and refused.json()["job"] == job
    view = client.get("/api/nlu/evaluation", headers=headers).json()
    assert view["live"]["macro_f1"] == 0.9 and view["candidate"]["evaluation"]["macro_f1"] == 0.8
    assert view["candidate"]["regressions"]
    confirmed = client.post("/api/nlu/activate", headers=headers, json={"job": job, "force": True})
    assert confirmed.status_code == 200 and confirmed.json()["forced"] is True
    back = client.post("/api/nlu/rollback", headers={"X-Test-Role": "admin"}, json={})
    assert back.status_code == 200 and (models / "pqrbot.tar.gz").read_bytes() == b"live model"


class _RasaModelEndpoint(BaseHTTPRequestHandler):
    seen: list = []

    def do_PUT(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append((self.path, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_load_into_server_puts_the_model_with_the_token(wb, models):
    server = HTTPServer(("127.0.0.1", 0), _RasaModelEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        wb.settings = replace(wb.settings, rasa_port=server.server_port, rasa_api_token="s3cr3t")
        outcome = training.load_into_server(wb, models / "pqrbot.tar.gz")
    finally:
        server.shutdown()
        server.server_close()
    assert outcome["loaded"] is True
    path, body = _RasaModelEndpoint.seen[-1]
    assert path == "/model?token=s3cr3t"
    assert body == {"model_file": str((models / "pqrbot.tar.gz").resolve())}


def test_load_into_server_reports_an_unreachable_server(wb, models):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    wb.settings = replace(wb.settings, rasa_port=port)
    outcome = training.load_into_server(wb, models / "pqrbot.tar.gz")
    assert outcome["loaded"] is False and "next start" in outcome["detail"]
