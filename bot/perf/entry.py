"""One process per container: ``python -m bot.perf.entry <rasa|actions|ingress|worker>``.

What ``pqrbot run`` starts as children, started alone (Kubernetes, systemd, several hosts). Settings
come from the environment as everywhere (bot/config.py); the Rasa API token stays in the
environment (``PQRBOT_RASA_API_TOKEN``), never on a command line: Rasa's arguments are given to its
``main`` inside this process.

- ``rasa``: writes the run-time files (endpoints: tracker store, lock store, action endpoint;
  credentials of the enabled channels) and runs Rasa (``SANIC_WORKERS`` workers) with the
  patches of ``bot.perf.rasa_patches``, listening on ``PQRBOT_HOST:PQRBOT_RASA_PORT``;
- ``actions``: the action server on ``PQRBOT_ACTIONS_PORT`` (``ACTION_SERVER_SANIC_WORKERS``);
- ``ingress``: ``bot.ingress`` on ``PQRBOT_INGRESS_PORT``;
- ``worker``: the follow-up worker, with ``/metrics`` (and ``/healthz``) on ``PQRBOT_METRICS_PORT``
  (default 9100).
"""

from __future__ import annotations

import sys
from typing import List, Optional


def rasa_args(settings, endpoints, credentials) -> List[str]:
    """``rasa run`` options for ``bot.rasa_server`` (which adds the token from the environment)."""
    from bot.model import MODEL_PATH

    args = [
        "--model",
        str(MODEL_PATH),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(credentials),
        "-i",
        settings.host,
        "--port",
        str(settings.rasa_port),
        "--cors",
        "*",
    ]
    if settings.rasa_api_token:
        args.append("--enable-api")
    return args


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    role = argv[0] if argv else ""
    from bot import bootstrap

    settings = bootstrap.settings()
    if role == "rasa":
        from bot import rasa_server
        from bot.supervisor import write_runtime_files

        endpoints, credentials = write_runtime_files(settings)
        sys.argv = ["bot.rasa_server", *rasa_args(settings, endpoints, credentials)]
        rasa_server.main()
    elif role == "actions":
        from bot.action_server import main as actions_main

        return actions_main(["--actions", "actions"])
    elif role == "ingress":
        from bot.ingress.app import main as ingress_main

        ingress_main()
    elif role == "worker":
        from prometheus_client import start_http_server

        from bot.cli import main as cli_main

        start_http_server(int(settings.get("PQRBOT_METRICS_PORT", "9100")), addr=settings.host)
        return cli_main(["worker"])
    else:
        print("usage: python -m bot.perf.entry <rasa|actions|ingress|worker>", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
