"""The reference: Rasa's own ``rasa init`` moodbot on Rasa 3.6.21, in a venv of its own.

    .venv/bin/python bench/moodbot.py      # build (once) and print where it is

Builds ``bench/.moodbot/venv`` (``pip install -c constraints.txt rasa==3.6.21``) and
``bench/.moodbot/project`` (``rasa init --no-prompt``, which trains the model). Both are cached:
a second call does nothing. About 3 minutes to install and 2-3 to train on 2 cores.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / "bench" / ".moodbot"
VENV = HOME / "venv"
PROJECT = HOME / "project"
RASA = VENV / "bin" / "rasa"


def _python310() -> str:
    if sys.version_info[:2] == (3, 10):
        return getattr(sys, "_base_executable", sys.executable)
    for cand in (*sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.10*/bin/python3.10"))), "python3.10"):
        path = shutil.which(cand) or (cand if os.path.exists(cand) else None)
        if path:
            return path
    raise SystemExit("moodbot needs Python 3.10 (Rasa 3.6)")


def env() -> dict:
    e = dict(
        os.environ,
        RASA_TELEMETRY_ENABLED="false",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    e.pop("PYTHONPATH", None)
    return e


def model() -> Path:
    models = sorted((PROJECT / "models").glob("*.tar.gz"))
    return models[-1] if models else None


def build(log=sys.stdout) -> Path:
    """Install and train once; returns the model path."""
    HOME.mkdir(parents=True, exist_ok=True)
    if not RASA.exists():
        if not (VENV / "bin" / "python").exists():
            subprocess.run([_python310(), "-m", "venv", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "pip"), "install", "-q"]
        subprocess.run(pip + ["pip<24.1", "wheel"], check=True, env=env(), stdout=log, stderr=log)
        subprocess.run(
            pip + ["-c", str(ROOT / "constraints.txt"), "rasa==3.6.21"], check=True, env=env(), stdout=log, stderr=log
        )
    if model() is None:
        if PROJECT.exists():
            shutil.rmtree(PROJECT)
        PROJECT.mkdir(parents=True)
        subprocess.run(
            [str(RASA), "init", "--no-prompt", "--init-dir", str(PROJECT)],
            cwd=PROJECT,
            check=True,
            env=env(),
            stdout=log,
            stderr=log,
        )
    if model() is None:
        raise SystemExit("moodbot: rasa init produced no model")
    return model()


if __name__ == "__main__":
    print(build())
