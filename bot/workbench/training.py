"""Candidate models: background jobs, activation into the running server, rollback.

``start_job`` runs ``python -m bot.workbench.jobs JOB`` in its own session; the job writes its
step and progress into ``nlu_jobs``. A training job validates the data, trains into
``models/candidates/``, evaluates the candidate and the live model on the held-out set, runs the
conversation tests of ``tests/stories`` against the candidate (a failing story blocks it) and
stores the comparison. ``activate`` refuses a candidate worse than the live model (macro F1, or the
F1 of any intent with support >= 5) unless forced; it keeps the replaced model under
``models/previous/`` for ``rollback`` and loads the new one into Rasa with ``PUT /model``.
No Rasa import here (the console process uses this module).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from bot.config import PROJECT_ROOT
from bot.workbench import metrics
from bot.workbench.context import Workbench
from bot.workbench.evaluation import TEST_SET, file_sha

ACTIVE = ("queued", "running")
MIN_SUPPORT = 5


class WorkbenchError(Exception):
    def __init__(self, message: str, status: int = 409, detail: Optional[dict] = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail or {}


def _alive(pid: Optional[int]) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a finished child not reaped yet is a zombie: not running
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def running_job(wb: Workbench) -> Optional[Dict[str, Any]]:
    """The job still running, if any (a job whose process died is marked failed)."""
    for job in wb.store.jobs(limit=5):
        if job["status"] in ACTIVE:
            if job["pid"] and not _alive(job["pid"]):
                wb.store.update_job(job["id"], status="failed", error="the job's process ended unexpectedly")
                continue
            return job
    return None


def _job_env(wb: Workbench) -> Dict[str, str]:
    env = dict(wb.settings.child_env() if wb.settings else os.environ)
    env["PQRBOT_DATABASE_URL"] = wb.store.engine.url.render_as_string(hide_password=False)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))  # the code
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


def start_job(wb: Workbench, kind: str, actor: Optional[str] = None) -> Dict[str, Any]:
    """Starts a background ``train`` or ``evaluate`` job; refused while another one runs."""
    if kind not in ("train", "evaluate"):
        raise WorkbenchError(f"unknown job kind {kind!r}", 400)
    busy = running_job(wb)
    if busy:
        raise WorkbenchError(f"job {busy['id']} ({busy['kind']}) is still running", 409, {"job": busy})
    job_id = wb.store.create_job(kind, actor)
    logs = wb.work_dir / "jobs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"job-{job_id}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [wb.python or sys.executable, "-m", "bot.workbench.jobs", str(job_id), "--root", str(wb.root)],
            cwd=wb.root,
            env=_job_env(wb),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    wb.store.update_job(job_id, pid=proc.pid, log_path=str(log_path))
    wb.audit(actor or "", f"nlu.{kind}", f"nlu_job:{job_id}", None)
    return wb.store.job(job_id)  # type: ignore[return-value]


def latest_candidate(wb: Workbench) -> Optional[Dict[str, Any]]:
    for job in wb.store.jobs("train", limit=20):
        if job["status"] in ("ready", "blocked", "activated"):
            return job
    return None


def comparison(wb: Workbench, job: Dict[str, Any]) -> Dict[str, Any]:
    """Live vs candidate on the test set, against the model live NOW."""
    from bot.workbench.service import live_evaluation

    result = job.get("result") or {}
    candidate = result.get("candidate")
    live = live_evaluation(wb) or result.get("live")
    out: Dict[str, Any] = {"live": live, "candidate": candidate, "stories": result.get("stories")}
    if candidate and live:
        out["regressions"] = metrics.regressions(live, candidate, MIN_SUPPORT)
    else:
        out["regressions"] = None
    return out


def load_into_server(wb: Workbench, model: Path) -> Dict[str, Any]:
    """Rasa's ``PUT /model``: the running server swaps to ``model`` without a restart."""
    settings = wb.settings
    if settings is None:
        return {"loaded": False, "detail": "no settings: the server was not told"}
    url = f"http://{settings.host}:{settings.rasa_port}/model"
    if settings.rasa_api_token:
        url += "?" + urllib.parse.urlencode({"token": settings.rasa_api_token})
    request = urllib.request.Request(
        url,
        data=json.dumps({"model_file": str(model.resolve())}).encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return {"loaded": 200 <= response.status < 300, "detail": f"Rasa answered {response.status}"}
    except urllib.error.HTTPError as exc:
        return {"loaded": False, "detail": f"Rasa answered {exc.code}: {exc.read()[:300].decode(errors='replace')}"}
    except (urllib.error.URLError, OSError) as exc:
        return {
            "loaded": False,
            "detail": f"the Rasa server at {settings.host}:{settings.rasa_port} was not "
            f"reached ({exc}); it loads the model at its next start",
        }


Loader = Callable[[Workbench, Path], Dict[str, Any]]


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _replace_live(wb: Workbench, source: Path, fingerprint: Optional[str]) -> None:
    models = wb.root / "models"
    tmp = models / ".pqrbot.tar.gz.tmp"
    shutil.copyfile(source, tmp)
    os.replace(tmp, models / "pqrbot.tar.gz")
    fp = models / "pqrbot.fingerprint"
    if fingerprint:
        fp.write_text(fingerprint + "\n")
    elif fp.exists():
        fp.unlink()  # unknown inputs: `make run` retrains rather than trust a stale stamp


def activate(
    wb: Workbench,
    job_id: Optional[int] = None,
    force: bool = False,
    actor: Optional[str] = None,
    loader: Loader = load_into_server,
) -> Dict[str, Any]:
    job = wb.store.job(job_id) if job_id else latest_candidate(wb)
    if job is None or job["kind"] != "train":
        raise WorkbenchError("no candidate model: run `pqrbot nlu train` first", 404)
    if job["status"] == "activated":
        raise WorkbenchError(f"candidate {job['id']} is already live", 409)
    if job["status"] == "blocked":
        raise WorkbenchError(f"candidate {job['id']} is blocked: {job['error']}", 409)
    if job["status"] != "ready":
        raise WorkbenchError(f"candidate {job['id']} is {job['status']}, not ready", 409)
    candidate = Path(job["model_path"])
    if not candidate.exists():
        raise WorkbenchError(f"the candidate file {candidate} is gone", 409)
    compared = comparison(wb, job)
    reasons: List[str] = (
        compared["regressions"]
        if compared["regressions"] is not None
        else ["the live model has no evaluation on the test set to compare with (run `pqrbot nlu evaluate`)"]
    )
    if reasons and not force:
        raise WorkbenchError(
            "the candidate is worse than the live model; confirm to activate anyway",
            409,
            {"regressions": reasons, "job": job["id"]},
        )
    live = wb.root / "models" / "pqrbot.tar.gz"
    previous_path = previous_sha = previous_fp = None
    if live.exists():
        previous_sha = file_sha(live)
        keep = wb.root / "models" / "previous"
        keep.mkdir(parents=True, exist_ok=True)
        previous_path = keep / f"pqrbot-{_stamp()}-{previous_sha[:8]}.tar.gz"
        shutil.copyfile(live, previous_path)
        fp = wb.root / "models" / "pqrbot.fingerprint"
        previous_fp = fp.read_text().strip() if fp.exists() else None
    _replace_live(wb, candidate, job["fingerprint"])
    outcome = loader(wb, live)
    wb.store.add_activation(
        action="activate",
        job_id=job["id"],
        model_sha=file_sha(live),
        previous_path=str(previous_path) if previous_path else None,
        previous_sha=previous_sha,
        previous_fingerprint=previous_fp,
        forced=int(bool(reasons)),
        actor=actor,
        loaded=int(outcome["loaded"]),
    )
    wb.store.update_job(job["id"], status="activated")
    wb.audit(
        actor or "",
        "nlu.activate",
        f"nlu_job:{job['id']}",
        {"forced": bool(reasons), "regressions": reasons, **outcome},
    )
    return {
        "job": job["id"],
        "model": str(live),
        "forced": bool(reasons),
        "regressions": reasons,
        "previous": str(previous_path) if previous_path else None,
        **outcome,
    }


def rollback(wb: Workbench, actor: Optional[str] = None, loader: Loader = load_into_server) -> Dict[str, Any]:
    last = wb.store.last_activation()
    if last is None or not last["previous_path"]:
        raise WorkbenchError("nothing to roll back: no activation with a previous model", 409)
    previous = Path(last["previous_path"])
    if not previous.exists():
        raise WorkbenchError(f"the previous model {previous} is gone", 409)
    live = wb.root / "models" / "pqrbot.tar.gz"
    _replace_live(wb, previous, last["previous_fingerprint"])
    outcome = loader(wb, live)
    wb.store.mark_rolled_back(last["id"])
    if last["job_id"]:
        wb.store.update_job(last["job_id"], status="ready")
    wb.store.add_activation(
        action="rollback",
        job_id=last["job_id"],
        model_sha=file_sha(live),
        previous_sha=last["model_sha"],
        actor=actor,
        loaded=int(outcome["loaded"]),
    )
    wb.audit(actor or "", "nlu.rollback", f"nlu_job:{last['job_id']}", outcome)
    return {"model": str(live), "restored": str(previous), **outcome}


def test_set_sha(wb: Workbench) -> Optional[str]:
    path = wb.root / TEST_SET
    return file_sha(path) if path.exists() else None
