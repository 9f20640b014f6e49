"""Background jobs of the workbench, run as ``python -m bot.workbench.jobs JOB_ID --root DIR``.

Started by ``training.start_job``; each writes its step and progress into ``nlu_jobs``.
This module loads Rasa (evaluation) and runs ``rasa`` subprocesses; it never runs in the console.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from bot.workbench import evaluation
from bot.workbench.context import Workbench
from bot.workbench.store import WorkbenchStore

DATA = ["nlu/data", "nlu/rules", "nlu/stories"]
_EPOCHS = re.compile(r"Epochs:\s*(\d+)%")


def _run(cmd: List[str], root: Path, log, on_progress: Optional[Callable[[float], None]] = None) -> Tuple[int, str]:
    """Runs a command, copying its output to the job log; returns (code, last 3000 characters)."""
    log.write(f"$ {' '.join(cmd)}\n")
    log.flush()
    proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    tail = ""
    last = -1
    stream: Any = proc.stdout
    for chunk in iter(lambda: stream.read1(4096), b""):
        text = chunk.decode(errors="replace")
        log.write(text)
        tail = (tail + text)[-3000:]
        if on_progress:
            found = _EPOCHS.findall(text)
            if found and int(found[-1]) != last:
                last = int(found[-1])
                on_progress(last / 100)
    log.flush()
    return proc.wait(), tail


def _evaluate_and_store(wb: Workbench, model: Path, out: Path) -> Dict[str, Any]:
    with contextlib.redirect_stdout(sys.stderr):
        result = evaluation.evaluate(model, wb.root)
    evaluation.write_report(result, out)
    wb.store.save_evaluation(evaluation.file_sha(model), str(model), str(result.get("test_set_sha")), result)
    return result


def run_evaluate(wb: Workbench, job_id: int) -> None:
    model = wb.root / "models" / "pqrbot.tar.gz"
    wb.store.update_job(
        job_id, status="running", step="evaluando el modelo activo", progress=0.1, model_path=str(model)
    )
    out = wb.work_dir / "jobs" / f"job-{job_id}"
    result = _evaluate_and_store(wb, model, out)
    wb.store.update_job(
        job_id,
        status="done",
        step="listo",
        progress=1.0,
        result={"live": evaluation.summary(result), "report": str(out / "report.html")},
    )


def run_train(wb: Workbench, job_id: int, log) -> None:
    from bot.model import fingerprint, training_inputs
    from bot.workbench import metrics
    from bot.workbench.service import live_evaluation

    py = sys.executable
    update = wb.store.update_job
    update(job_id, status="running", step="validando los datos de entrenamiento", progress=0.02)
    code, tail = _run(
        [
            py,
            "-m",
            "rasa",
            "data",
            "validate",
            "--data",
            *DATA,
            "--domain",
            "domain.yml",
            "--config",
            "config.yml",
            "--fail-on-warnings",
        ],
        wb.root,
        log,
    )
    if code:
        update(job_id, status="failed", step="datos inválidos", error="rasa data validate failed:\n" + tail[-1500:])
        return
    stamp = fingerprint(training_inputs(wb.root), wb.root)
    out_dir = wb.root / "models" / "candidates"
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"candidate-{job_id}"
    update(job_id, step="entrenando el modelo candidato", progress=0.05, fingerprint=stamp)
    code, tail = _run(
        [
            py,
            "-m",
            "rasa",
            "train",
            "--data",
            *DATA,
            "--domain",
            "domain.yml",
            "--config",
            "config.yml",
            "--out",
            str(out_dir),
            "--fixed-model-name",
            name,
        ],
        wb.root,
        log,
        lambda p: update(job_id, progress=round(0.05 + 0.6 * p, 3)),
    )
    model = out_dir / f"{name}.tar.gz"
    if code or not model.exists():
        update(job_id, status="failed", step="el entrenamiento falló", error="rasa train failed:\n" + tail[-1500:])
        return
    update(job_id, step="probando las conversaciones de tests/stories", progress=0.7, model_path=str(model))
    reports = wb.work_dir / "jobs" / f"job-{job_id}"
    code, tail = _run(
        [
            py,
            "-m",
            "rasa",
            "test",
            "core",
            "--stories",
            "tests/stories",
            "--model",
            str(model),
            "--fail-on-prediction-errors",
            "--out",
            str(reports / "stories"),
        ],
        wb.root,
        log,
    )
    stories = {"passed": code == 0, "output": tail[-1500:]}
    update(job_id, step="evaluando el candidato en el conjunto de prueba", progress=0.8)
    candidate = _evaluate_and_store(wb, model, reports / "candidate")
    live = live_evaluation(wb)
    live_model = wb.root / "models" / "pqrbot.tar.gz"
    if live is None and live_model.exists():
        update(job_id, step="evaluando el modelo activo", progress=0.9)
        live = _evaluate_and_store(wb, live_model, reports / "live")
    result = {
        "candidate": evaluation.summary(candidate),
        "live": evaluation.summary(live) if live else None,
        "stories": stories,
        "report": str(reports / "candidate" / "report.html"),
        "regressions": metrics.regressions(live, candidate) if live else None,
    }
    if stories["passed"]:
        update(job_id, status="ready", step="candidato listo", progress=1.0, result=result)
    else:
        update(
            job_id,
            status="blocked",
            step="bloqueado: falló una historia de tests/stories",
            progress=1.0,
            result=result,
            error="a conversation test of tests/stories failed against the candidate",
        )


def main(argv: Optional[List[str]] = None) -> int:
    from bot.config import load_settings
    from crm_adapter.db import make_engine

    parser = argparse.ArgumentParser(prog="python -m bot.workbench.jobs")
    parser.add_argument("job", type=int)
    parser.add_argument("--root", type=Path, required=True)
    args = parser.parse_args(argv)
    settings = load_settings()
    wb = Workbench(
        store=WorkbenchStore(make_engine(settings.database_url)), root=args.root.resolve(), settings=settings
    )
    job = wb.store.job(args.job)
    if job is None:
        print(f"no job {args.job}", file=sys.stderr)
        return 2
    try:
        if job["kind"] == "train":
            run_train(wb, args.job, sys.stdout)
        else:
            run_evaluate(wb, args.job)
    except Exception as exc:  # the job row must say what happened
        traceback.print_exc()
        wb.store.update_job(args.job, status="failed", step="error", error=f"{type(exc).__name__}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
