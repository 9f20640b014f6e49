"""The action server (rasa-sdk) as pqrbot runs it: ``python -m bot.action_server``.

rasa-sdk's own server listens on ``SANIC_HOST`` (default 0.0.0.0) without authentication, and
its error response echoes the whole request (the tracker: names, documents, addresses). Here:

- it listens on ``PQRBOT_ACTIONS_HOST`` (default 127.0.0.1);
- when ``PQRBOT_ACTION_SERVER_TOKEN`` is set (``pqrbot run`` always sets one), every call but
  ``/health`` must carry it as ``?token=`` (what Rasa sends for ``action_endpoint.token``);
  calls without it get 403. Listening beyond loopback without a token is refused at start;
- an action that fails answers ``{"error": "internal error"}`` and logs only the action's name
  and the exception's type, never the tracker.
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import json
import logging
import sys
from typing import Optional

from sanic import Sanic, response

from bot.logmask import masked_logger

logger = masked_logger("bot.action_server")
FORBIDDEN = {"error": "forbidden"}


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _action_name(request) -> str:
    try:
        body = json.loads(request.body or b"{}")
        name = body.get("next_action") if isinstance(body, dict) else None
        return str(name)[:80] if name else "?"
    except Exception:
        return "?"


OPEN_PATHS = {"/health", "/healthz", "/readyz", "/metrics"}  # probes and Prometheus: no token


def create_app(token: Optional[str], actions_package: str = "actions", settings=None) -> Sanic:
    from rasa_sdk.endpoint import create_app as sdk_create_app

    from bot.perf import metrics

    app = sdk_create_app(actions_package, cors_origins=None)
    metrics.install_sanic_metrics(app, process="actions", settings=settings, health=True)

    @app.middleware("request")
    async def require_token(request):  # noqa: ANN001
        if request.path in OPEN_PATHS or token is None:
            return None
        given = request.args.get("token") or ""
        if not hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8")):
            logger.warning("action server: call to %s without a valid token refused", request.path)
            return response.json(FORBIDDEN, status=403)
        return None

    async def quiet_errors(request, exception):  # noqa: ANN001
        status = getattr(exception, "status_code", 500) or 500
        if status >= 500:
            logger.error("action %s failed: %s", _action_name(request), type(exception).__name__)
        # Rasa reads "action_name" from a 400; nothing of the request is echoed.
        return response.json(
            {"error": "internal error" if status >= 500 else "bad request", "action_name": _action_name(request)},
            status=status,
        )

    app.error_handler.add(Exception, quiet_errors)
    return app


def main(argv: Optional[list] = None) -> int:
    from bot.bootstrap import settings as load

    parser = argparse.ArgumentParser(
        prog="python -m bot.action_server", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--actions", default="actions", help="the package of the actions")
    args = parser.parse_args(argv)
    settings = load()
    host, port, token = settings.actions_host, settings.actions_port, settings.action_server_token
    if token is None and not is_loopback(host):
        print(
            f"pqrbot: the action server would listen on {host} without authentication; "
            "set PQRBOT_ACTION_SERVER_TOKEN (Rasa sends it) or keep PQRBOT_ACTIONS_HOST=127.0.0.1",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from bot.logmask import install_record_masking

    install_record_masking()
    app = create_app(token, args.actions, settings)
    try:
        from rasa_sdk.plugin import plugin_manager

        plugin_manager().hook.attach_sanic_app_extensions(app=app)
    except Exception:  # pragma: no cover - no plugins
        pass
    logger.info("action server on http://%s:%s (%s)", host, port, "token required" if token else "loopback only")
    from rasa_sdk.utils import number_of_sanic_workers

    app.run(host, port, access_log=False, workers=number_of_sanic_workers())  # ACTION_SERVER_SANIC_WORKERS
    return 0


if __name__ == "__main__":
    sys.exit(main())
