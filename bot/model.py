"""Train the Rasa model only when its inputs changed (training data, domain, config, components)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Iterable, List

from bot.config import PROJECT_ROOT, load_settings

MODEL_DIR = PROJECT_ROOT / "models"
MODEL_NAME = "pqrbot"
MODEL_PATH = MODEL_DIR / f"{MODEL_NAME}.tar.gz"
FINGERPRINT_PATH = MODEL_DIR / f"{MODEL_NAME}.fingerprint"
TRAINING_DATA = ["nlu/data", "nlu/rules", "nlu/stories"]


def training_inputs(root: Path = PROJECT_ROOT) -> List[Path]:
    files: List[Path] = [root / "config.yml", root / "domain.yml"]
    for folder in TRAINING_DATA:
        files += sorted((root / folder).rglob("*.yml"))
    files += sorted((root / "nlu" / "components").rglob("*.py"))
    files += sorted((root / "textkit").rglob("*.py"))  # the text tools the NLU component uses
    return [f for f in files if f.exists()]


def fingerprint(files: Iterable[Path], root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for f in files:
        digest.update(str(f.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(f.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def is_current() -> bool:
    return (
        MODEL_PATH.exists()
        and FINGERPRINT_PATH.exists()
        and FINGERPRINT_PATH.read_text().strip() == fingerprint(training_inputs())
    )


def ensure_model(force: bool = False) -> Path:
    """Train when the model is missing or its inputs changed; return the model path."""
    if not force and is_current():
        print(f"pqrbot: model is up to date ({MODEL_PATH.relative_to(PROJECT_ROOT)})", flush=True)
        return MODEL_PATH
    print("pqrbot: training the model (training data, domain or config changed)...", flush=True)
    MODEL_DIR.mkdir(exist_ok=True)
    stamp = fingerprint(training_inputs())
    env = load_settings().child_env()
    cmd = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "--data",
        *TRAINING_DATA,
        "--domain",
        "domain.yml",
        "--config",
        "config.yml",
        "--out",
        str(MODEL_DIR),
        "--fixed-model-name",
        MODEL_NAME,
    ]
    subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, check=True)
    FINGERPRINT_PATH.write_text(stamp + "\n")
    return MODEL_PATH
