"""``python -m bot.perf.actions_main --actions actions --port N``: rasa-sdk's action server with
``/healthz``, ``/readyz`` and ``/metrics`` added (same arguments as ``python -m rasa_sdk``).
``ACTION_SERVER_SANIC_WORKERS`` runs several Sanic workers on the one port (rasa-sdk 3.6)."""
from __future__ import annotations


def _with_operations_endpoints(create_app):
    def create(*args, **kwargs):
        app = create_app(*args, **kwargs)
        from bot import composition
        from bot.perf import metrics

        metrics.install_sanic_metrics(app, process="actions", settings=composition.settings(), health=True)
        return app

    create.__wrapped__ = create_app
    return create


def main() -> None:
    import rasa_sdk.endpoint
    from rasa_sdk.__main__ import main as sdk_main

    rasa_sdk.endpoint.create_app = _with_operations_endpoints(rasa_sdk.endpoint.create_app)
    sdk_main()


if __name__ == "__main__":
    main()
