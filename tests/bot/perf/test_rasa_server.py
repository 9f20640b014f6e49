"""What ``python -m bot.rasa_server`` sets up in the Rasa process before Rasa's own main runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import os, signal, sys
import rasa.__main__

def fake_rasa_main():
    print("switch", sys.getswitchinterval())
    pid = os.fork()  # as Sanic forks its workers
    if pid == 0:
        default = signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
        print("worker SIGTERM", "default" if default else "handled", flush=True)
        os._exit(0)
    os.waitpid(pid, 0)

rasa.__main__.main = fake_rasa_main
signal.signal(signal.SIGTERM, lambda *a: None)  # Sanic's main process forwards SIGTERM to its workers
import bot.rasa_server
bot.rasa_server.main()
"""


def run_probe(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PQRBOT_")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_the_gil_is_handed_over_every_millisecond_unless_configured():
    assert "switch 0.001" in run_probe()
    assert "switch 0.003" in run_probe(PQRBOT_GIL_SWITCH_MS="3")


def test_a_forked_worker_starts_with_sigterm_ending_it():
    """Until Sanic installs its graceful stop, a stop request ends the worker (not swallowed)."""
    assert "worker SIGTERM default" in run_probe()
