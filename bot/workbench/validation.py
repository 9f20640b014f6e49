"""Rasa's own reader on the training data, run after each label in a background process.

The console must not import Rasa, so ``start`` runs ``python -m bot.workbench.validation --root DIR
--out FILE``, which writes ``{"ok", "problems", "examples", "checked_at", "reviewed_sha"}``; ``last``
reads it back for the page, ``stale`` when reviewed.yml changed since it was checked.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.config import PROJECT_ROOT
from bot.workbench import dataset


def reviewed_sha(root: Path) -> Optional[str]:
    path = root / dataset.REVIEWED
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def result_path(work_dir: Path) -> Path:
    return work_dir / "validation.json"


def start(root: Path, work_dir: Path, python: Optional[str] = None) -> subprocess.Popen:
    work_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))  # the code
    return subprocess.Popen(
        [
            python or sys.executable,
            "-m",
            "bot.workbench.validation",
            "--root",
            str(root),
            "--out",
            str(result_path(work_dir)),
        ],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def last(root: Path, work_dir: Path) -> Optional[Dict[str, Any]]:
    try:
        result = json.loads(result_path(work_dir).read_text())
    except (OSError, ValueError):
        return None
    result["stale"] = result.get("reviewed_sha") != reviewed_sha(root)
    return result


def check(root: Path) -> Dict[str, Any]:
    sha = reviewed_sha(root)
    with contextlib.redirect_stdout(sys.stderr):
        report = dataset.validate_with_rasa(root)
    problems: List[str] = list(report["problems"])  # type: ignore[arg-type]
    problems += [f"test-set example {t!r} ({i}) is also a training example" for i, t in dataset.leaks(root)]
    return {
        "ok": not problems,
        "problems": problems,
        "examples": report["examples"],
        "checked_at": datetime.now(timezone.utc).isoformat(),
        "reviewed_sha": sha,
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.workbench.validation")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        result = check(args.root.resolve())
    except Exception as exc:  # what Rasa could not read is the answer
        result = {
            "ok": False,
            "problems": [f"{type(exc).__name__}: {exc}"],
            "examples": 0,
            "checked_at": datetime.now(timezone.utc).isoformat(),
            "reviewed_sha": reviewed_sha(args.root),
        }
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    os.replace(tmp, args.out)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
