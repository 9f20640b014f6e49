"""Which channels start: enabled by their credentials, loadable by Rasa, at the agreed paths."""

import logging

import yaml
from sanic import Sanic

from bot import bootstrap
from bot.channels.enabled import PROVIDER_CHANNELS, enabled_channels
from bot.config import PROJECT_ROOT, load_settings
from tests.bot.channels.conftest import channel_env


def test_no_credentials_no_provider_channel():
    assert enabled_channels(load_settings({})) == {}


def test_each_channel_needs_all_its_variables(caplog):
    env = {
        "TWILIO_ACCOUNT_SID": "AC1",
        "TWILIO_AUTH_TOKEN": "t",
        "TWILIO_WHATSAPP_NUMBER": "+1",
        "TELEGRAM_BOT_TOKEN": "1:x",
    }  # Telegram without its secret token
    with caplog.at_level(logging.WARNING):
        channels = enabled_channels(load_settings(env))
    assert channels == {
        "bot.channels.whatsapp.WhatsAppInput": {
            "account_sid": "${TWILIO_ACCOUNT_SID}",
            "auth_token": "${TWILIO_AUTH_TOKEN}",
            "whatsapp_number": "${TWILIO_WHATSAPP_NUMBER}",
        }
    }
    assert "TELEGRAM_SECRET_TOKEN" in caplog.text and "1:x" not in caplog.text


def test_rasa_loads_the_written_credentials_file(tmp_path, monkeypatch):
    """What the supervisor writes: no secret on disk, Rasa expands the variables."""
    from rasa.shared.utils.common import class_from_module_path
    from rasa.shared.utils.io import read_config_file

    env = channel_env("http://127.0.0.1:9", PQRBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'rt.db'}")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    mapping = enabled_channels(load_settings(env))
    assert set(mapping) == set(PROVIDER_CHANNELS)
    path = tmp_path / "credentials.yml"
    path.write_text(yaml.safe_dump({"rest": None, **mapping}))
    assert "twilio-auth-token" not in path.read_text() and "meta-app-secret" not in path.read_text()

    bootstrap.reset()
    try:
        loaded = read_config_file(str(path))
        channels = [
            class_from_module_path(name).from_credentials(kwargs) for name, kwargs in loaded.items() if name != "rest"
        ]
        names = {c.name() for c in channels}
        assert names == {"whatsapp", "meta", "twitter", "telegram"}
        by_name = {c.name(): c for c in channels}
        assert by_name["whatsapp"].auth_token == "twilio-auth-token"
        assert by_name["meta"].app_secret == "meta-app-secret" and by_name["meta"].verify_token == "meta-verify-token"
        assert by_name["telegram"].secret_token == "telegram-secret"
        assert by_name["twitter"].consumer_secret == "twitter-consumer-secret"

        from rasa.core.channels.channel import register

        test_mode, Sanic.test_mode = Sanic.test_mode, True
        app = Sanic("t_routes", configure_logging=False)
        register(channels, app, "/webhooks/")
        paths = {route.path for route in app.router.routes}
    finally:
        Sanic.test_mode = test_mode
        bootstrap.reset()
    for name in ("whatsapp", "meta", "twitter", "telegram"):
        assert f"webhooks/{name}/webhook" in paths
    assert (tmp_path / "rt.db").exists()  # the runtime was built at start, on the configured database


def test_credentials_yml_keeps_its_channels_and_documents_the_others():
    text = (PROJECT_ROOT / "credentials.yml").read_text()
    assert yaml.safe_load(text) == {"bot.channels.rest.ChatRestInput": None, "bot.channels.rest.WebChatInput": None}
    for module_path, needs in PROVIDER_CHANNELS.items():
        assert f"# {module_path}:" in text
        for kwarg, var in needs:
            assert f"#   {kwarg}: ${{{var}}}" in text
