"""The ingress process: provider webhooks answered without waiting behind the assistant.

    python -m bot.ingress            # listens on PQRBOT_HOST:PQRBOT_INGRESS_PORT (default 5006)

Serves ``/webhooks/<whatsapp|meta|twitter|telegram>/webhook`` with the very blueprints the Rasa
server registers (same authentication, parsing, body limits, CRC/verification answers), but its
channel runtime only *admits* deliveries: registry, media, de-duplication and the durable inbound
queue (``bot/ingress/queue.py``), then the HTTP answer. The Rasa process's queue consumer feeds
them to the assistant and marks them done after processing. No model is loaded here, so the
acknowledgement does not wait for NLU or dialogue work on a busy machine.

Also ``/healthz`` (alive), ``/readyz`` (database reachable) and ``/metrics`` (Prometheus).
Route the providers' webhooks here (the production profile's nginx does; see README).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
from typing import Any, List, Optional
from urllib.parse import urljoin

logger = logging.getLogger(__name__)


def load_channels(settings: Any, runtime: Optional[Any] = None) -> List[Any]:
    """The enabled provider channels (those whose credentials are set), built like Rasa builds them."""
    from bot.channels.enabled import enabled_channels

    channels = []
    for path, credentials in enabled_channels(settings).items():
        module_name, class_name = path.rsplit(".", 1)
        cls = getattr(importlib.import_module(module_name), class_name)
        # as from_credentials does, with this process's runtime and settings
        channels.append(
            cls(**(credentials or {}), runtime=runtime, settings=settings)
            if runtime is not None
            else cls.from_credentials(credentials)
        )
    return channels


def build_app(settings: Optional[Any] = None, runtime: Optional[Any] = None):
    from sanic import Sanic, response

    from bot.bootstrap import services
    from bot.perf import metrics

    settings = settings or services().settings
    if runtime is None:
        runtime = services().channel_runtime
    runtime.consume = False  # admit only: the Rasa process handles the messages
    channels = load_channels(settings, runtime)

    app = Sanic("pqrbot_ingress", configure_logging=False)

    async def not_here(message: Any) -> None:  # pragma: no cover - consume is False
        raise RuntimeError("the ingress process does not run the assistant")

    for channel in channels:
        app.blueprint(channel.blueprint(not_here), url_prefix=urljoin("/webhooks/", channel.url_prefix()))
    app.ctx.input_channels = channels

    @app.get("/healthz")
    async def healthz(_request):  # noqa: ANN001
        return response.json({"status": "ok", "process": "ingress"})

    @app.get("/readyz")
    async def readyz(_request):  # noqa: ANN001
        try:
            depth = await asyncio.to_thread(runtime.inbound_queue.depth)
        except Exception as exc:
            return response.json({"status": "unavailable", "error": type(exc).__name__}, status=503)
        return response.json({"status": "ready", "channels": [c.name() for c in channels], "queue": depth})

    metrics.install_sanic_metrics(app, process="ingress", settings=settings, queue=runtime.inbound_queue)
    return app


def main() -> None:
    from bot.bootstrap import settings as current_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = current_settings()
    try:  # on a shared host, acknowledgements go before NLU work (allowed when running as root)
        os.nice(-5)
    except OSError:
        pass
    app = build_app(settings)
    app.run(host=settings.host, port=settings.ingress_port, workers=1, access_log=False, debug=False)


if __name__ == "__main__":
    main()
