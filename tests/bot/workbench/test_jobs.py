"""The training job's steps, with Rasa's commands and the model loading replaced by fakes."""

import io

import pytest

from bot.workbench import evaluation, jobs


def _fake_eval(macro):
    def evaluate(model, root):
        return {
            "intents": {"saludo": {"precision": macro, "recall": macro, "f1": macro, "support": 10}},
            "accuracy": macro,
            "macro_f1": macro,
            "total": 10,
            "confusions": [],
            "other_predictions": {},
            "predictions": [{"text": "hola", "intent": "saludo", "predicted": "saludo", "confidence": 0.9}],
            "model": str(model),
            "test_set_sha": evaluation.file_sha(root / evaluation.TEST_SET),
        }

    return evaluate


@pytest.fixture
def fake_rasa(monkeypatch, wb):
    calls = []
    outcome = {"validate": 0, "train": 0, "test": 0}

    def run(cmd, root, log, on_progress=None):
        step = cmd[3]
        calls.append(step)
        if step == "train":
            if on_progress:
                on_progress(0.5)
            out = cmd[cmd.index("--out") + 1]
            name = cmd[cmd.index("--fixed-model-name") + 1]
            if outcome["train"] == 0:
                (root / "models" / "candidates").mkdir(parents=True, exist_ok=True)
                open(f"{out}/{name}.tar.gz", "wb").write(b"candidate")
        if step == "data":
            return outcome["validate"], "validation output"
        return outcome[step], f"{step} output"

    monkeypatch.setattr(jobs, "_run", run)
    monkeypatch.setattr(evaluation, "evaluate", _fake_eval(0.8))
    (wb.root / "models" / "pqrbot.tar.gz").write_bytes(b"live")
    return calls, outcome


def test_a_good_candidate_is_ready_with_the_comparison(wb, fake_rasa):
    calls, _ = fake_rasa
    job = wb.store.create_job("train")
    jobs.run_train(wb, job, io.StringIO())
    row = wb.store.job(job)
    assert calls == ["data", "train", "test"]
    assert row["status"] == "ready" and row["progress"] == 1.0
    assert row["model_path"].endswith("models/candidates/candidate-%d.tar.gz" % job)
    assert row["fingerprint"] and row["result"]["stories"]["passed"] is True
    assert row["result"]["candidate"]["macro_f1"] == 0.8 and row["result"]["live"]["macro_f1"] == 0.8
    assert row["result"]["regressions"] == []
    assert (wb.work_dir / "jobs" / f"job-{job}" / "candidate" / "confusion_matrix.png").exists()


def test_a_failing_story_blocks_the_candidate(wb, fake_rasa):
    _, outcome = fake_rasa
    outcome["test"] = 1
    job = wb.store.create_job("train")
    jobs.run_train(wb, job, io.StringIO())
    row = wb.store.job(job)
    assert row["status"] == "blocked" and "tests/stories" in row["error"]


def test_invalid_training_data_stops_before_training(wb, fake_rasa):
    calls, outcome = fake_rasa
    outcome["validate"] = 1
    job = wb.store.create_job("train")
    jobs.run_train(wb, job, io.StringIO())
    row = wb.store.job(job)
    assert calls == ["data"] and row["status"] == "failed" and "validate" in row["error"]


def test_evaluate_job_stores_the_live_evaluation(wb, fake_rasa):
    job = wb.store.create_job("evaluate")
    jobs.run_evaluate(wb, job)
    row = wb.store.job(job)
    assert row["status"] == "done" and row["result"]["live"]["macro_f1"] == 0.8
    from bot.workbench import service

    assert service.live_evaluation(wb)["macro_f1"] == 0.8  # what the page and activation compare with
