"""Smoke run of the side-by-side benchmark (bench/side_by_side.py --smoke): it starts the real
assistant, plays complete reclamos with 1 and 3 customers, times signed WhatsApp acknowledgements at
the ingress and the stored-conversations curve, and prints the table. The figures are not judged
here (the machine is shared); that the benchmark works and every conversation filed its PQR is."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.model import MODEL_PATH

pytestmark = pytest.mark.server
ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_smoke_run(tmp_path):
    if not MODEL_PATH.exists():
        pytest.skip("no trained model")
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "side_by_side.py"),
            "--smoke",
            "--no-moodbot",
            "--logs",
            str(tmp_path / "logs"),
            "--json",
            str(tmp_path / "figures.json"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "| 1 | pqrbot |" in out.stdout and "| 3 | pqrbot |" in out.stdout
    figures = json.loads((tmp_path / "figures.json").read_text())["pqrbot"]
    for level in ("1", "3"):
        r = figures["levels"][level]
        assert r["errors"] == 0 and r["filed"] == r["conversations"] > 0, r
    ack = figures["ack"]
    assert ack["acked"] == ack["sent"] == 6 and ack["ingress"] is True, ack
    assert figures["stored"]["10"]["messages"] == 8
