from bot.config import load_settings
from bot.supervisor import TRACKER_STORE_TYPE, channel_credentials, tracker_store_config


def test_tracker_store_follows_the_database(tmp_path):
    sqlite = load_settings({"PQRBOT_DATA_DIR": str(tmp_path)})
    assert tracker_store_config(sqlite) == {
        "type": TRACKER_STORE_TYPE,
        "dialect": "sqlite",
        "db": str(tmp_path / "tracker.db"),
    }
    pg = load_settings({"PQRBOT_DATABASE_URL": "postgresql://bot:s3cret@db.internal:6543/pqr"})
    assert tracker_store_config(pg) == {
        "type": TRACKER_STORE_TYPE,
        "dialect": "postgresql",
        "url": "db.internal",
        "db": "pqr",
        "port": 6543,
        "username": "bot",
        "password": "s3cret",
    }


def test_without_channel_credentials_only_the_chat_channels_run(tmp_path):
    creds = channel_credentials(load_settings({"PQRBOT_DATA_DIR": str(tmp_path)}))
    assert set(creds) == {"bot.channels.rest.ChatRestInput", "bot.channels.rest.WebChatInput"}


def test_lock_store_on_redis_when_configured(tmp_path):
    import yaml

    from bot.supervisor import lock_store_config, write_runtime_files

    assert lock_store_config(load_settings({})) is None
    s = load_settings({"PQRBOT_DATA_DIR": str(tmp_path), "PQRBOT_LOCK_STORE_URL": "redis://:pw@cache:6380/2"})
    assert lock_store_config(s) == {
        "type": "redis",
        "url": "cache",
        "port": 6380,
        "db": 2,
        "key_prefix": "pqrbot",
        "password": "pw",
    }
    endpoints, credentials = write_runtime_files(s)
    assert yaml.safe_load(endpoints.read_text())["lock_store"]["url"] == "cache"
    assert (credentials.stat().st_mode & 0o777) == 0o600


def test_rasa_telemetry_is_off_unless_asked_for():
    assert load_settings({}).child_env()["RASA_TELEMETRY_ENABLED"] == "false"
    assert load_settings({"RASA_TELEMETRY_ENABLED": "true"}).child_env()["RASA_TELEMETRY_ENABLED"] == "true"
