"""``python -m bot.rasa_server <rasa run options>``: ``rasa run`` with the API token from the
environment (``PQRBOT_RASA_API_TOKEN``), never from the command line.

A token on the command line is visible to every local user (``ps``), and
``--auth-token <token>`` breaks when the token starts with "-" (argparse reads it as an
option). The token is given to Rasa's own parser inside this process as ``--auth-token=<token>``.
"""

from __future__ import annotations

import sys
from typing import List, Optional


def rasa_argv(args: List[str], token: Optional[str]) -> List[str]:
    argv = ["rasa", "run", *args]
    if token:
        argv.append(f"--auth-token={token}")
    return argv


def _in_forked_worker() -> None:
    """In each Sanic worker Rasa forks. A worker inherits the main process's SIGTERM handler,
    which only forwards the signal to the workers forked before it, until its own start-up (the
    model load, seconds) is over; a stop arriving meanwhile was swallowed and the worker then ran
    on, orphaned, with the main process waiting for it forever. Until Sanic installs the graceful
    stop, SIGTERM simply ends the worker (it serves nothing yet). And the worker stops with the
    main process, however that one ends (the supervisor gives the main process the same
    guarantee)."""
    import signal

    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except ValueError:  # forked from another thread than the main one: not a Sanic worker
        return
    if sys.platform.startswith("linux"):
        from bot.supervisor import die_with_parent

        die_with_parent()


def main() -> None:
    from bot.config import load_settings
    from bot.logmask import install_record_masking

    install_record_masking()  # customers' names, addresses, ids never in Rasa's logs
    from bot.perf import rasa_patches

    rasa_patches.apply()  # cached action-response validator, /healthz /readyz /metrics (Sanic workers inherit)
    import os

    os.register_at_fork(after_in_child=_in_forked_worker)
    settings = load_settings()
    # The event loop thread is busy with NLU and dialogue; the threads it hands the CRM's writes
    # to (filing, evidence) waited up to Python's default 5 ms for the GIL after each database
    # call. 1 ms: the filing turn 15 % faster under load, the same CPU (issue 13).
    if settings.gil_switch_ms > 0:
        sys.setswitchinterval(settings.gil_switch_ms / 1000)
    sys.argv = rasa_argv(sys.argv[1:], settings.rasa_api_token)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
