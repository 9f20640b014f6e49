"""SQL stores of the channels (registry, delivery ids, media) and their in-memory twins."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect

from bot.bootstrap import Services
from bot.channels.deliveries import InMemoryDeliveryLog, SqlDeliveryLog
from bot.channels.media import (
    InMemoryMediaStore,
    MediaItem,
    SqlMediaStore,
    as_evidencias,
)
from bot.config import load_settings
from bot.outbound import build_registry
from bot.outbound.registry import InMemoryConversationRegistry
from bot.schema import upgrade_all
from crm_adapter.db import make_engine

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["sql", "memory"])
def registry(request, engine):
    return build_registry(load_settings({}), engine) if request.param == "sql" else InMemoryConversationRegistry()


def test_migration_creates_the_tables_once(engine):
    names = set(inspect(engine).get_table_names())
    assert {
        "channel_conversations",
        "channel_conversation_aliases",
        "channel_inbound_deliveries",
        "channel_media",
        "outbound_messages",
    } <= names
    assert upgrade_all(engine) == []  # already up to date


def test_touch_creates_then_updates_the_conversation(registry):
    assert registry.get("whatsapp:+573001234567") is None
    registry.touch("whatsapp:+573001234567", "whatsapp", "WhatsApp", "whatsapp:+573001234567", T0)
    conv = registry.get("whatsapp:+573001234567")
    assert (conv.input_channel, conv.canal, conv.address) == ("whatsapp", "WhatsApp", "whatsapp:+573001234567")
    assert conv.last_inbound_at == T0 and conv.private_ok and conv.public_ref is None

    registry.touch("whatsapp:+573001234567", "whatsapp", "WhatsApp", "whatsapp:+573001234567", T0 + timedelta(hours=2))
    assert registry.get("whatsapp:+573001234567").last_inbound_at == T0 + timedelta(hours=2)
    # a late, out-of-order delivery never moves the last inbound time backwards
    registry.touch("whatsapp:+573001234567", "whatsapp", "WhatsApp", "whatsapp:+573001234567", T0)
    assert registry.get("whatsapp:+573001234567").last_inbound_at == T0 + timedelta(hours=2)


def test_public_comment_then_private_message(registry):
    registry.touch(
        "facebook:42",
        "meta",
        "Facebook",
        "c_1",
        T0,
        public_ref="c_1",
        extra={"recipient": "comment_id", "network": "facebook"},
    )
    conv = registry.get("facebook:42")
    assert conv.public_ref == "c_1" and conv.address == "c_1" and conv.extra["recipient"] == "comment_id"

    registry.mark_private_undeliverable("facebook:42", "Meta error 551")
    assert registry.get("facebook:42").private_ok is False

    # the customer writes privately: we can answer privately again; the public ref stays
    registry.touch("facebook:42", "meta", "Facebook", "psid-9", T0 + timedelta(minutes=5), extra={"recipient": "id"})
    conv = registry.get("facebook:42")
    assert conv.private_ok is True and conv.public_ref == "c_1"
    assert conv.address == "psid-9" and conv.extra == {"recipient": "id", "network": "facebook"}


def test_address_change_and_aliases(registry):
    registry.touch("facebook:42", "meta", "Facebook", "c_1", T0, public_ref="c_1", extra={"recipient": "comment_id"})
    registry.set_address("facebook:42", "psid-9", {"recipient": "id"})
    registry.link_alias("facebook:psid-9", "facebook:42")
    assert registry.get("facebook:42").address == "psid-9"
    assert registry.get("facebook:42").extra["recipient"] == "id"
    assert registry.resolve("facebook:psid-9") == "facebook:42"
    assert registry.resolve("facebook:other") == "facebook:other"
    registry.link_alias("facebook:psid-9", "facebook:77")  # latest link wins
    assert registry.resolve("facebook:psid-9") == "facebook:77"


@pytest.mark.parametrize("kind", ["sql", "memory"])
def test_a_delivery_id_is_new_only_once(kind, engine):
    log = SqlDeliveryLog(engine) if kind == "sql" else InMemoryDeliveryLog()
    assert log.first_time("twilio", "SM1") is True
    assert log.first_time("twilio", "SM1") is False
    assert log.first_time("meta", "SM1") is True  # ids are per provider


def test_delivery_ids_survive_a_restart(engine):
    assert SqlDeliveryLog(engine).first_time("telegram", "update:7") is True
    assert SqlDeliveryLog(engine).first_time("telegram", "update:7") is False


def test_old_delivery_ids_can_be_pruned(engine):
    log = SqlDeliveryLog(engine)
    log.first_time("twilio", "old", at=datetime.now(timezone.utc) - timedelta(days=10))
    log.first_time("twilio", "new")
    assert log.prune(timedelta(days=3)) == 1
    assert log.first_time("twilio", "old") is True and log.first_time("twilio", "new") is False


@pytest.mark.parametrize("kind", ["sql", "memory"])
def test_media_are_listed_per_conversation_without_duplicates(kind, engine):
    store = SqlMediaStore(engine) if kind == "sql" else InMemoryMediaStore()
    items = [
        MediaItem("https://api.twilio.com/m/1", "image/jpeg", "SM1", 0),
        MediaItem("https://api.twilio.com/m/2", "audio/ogg", "SM1", 1),
    ]
    assert store.add("whatsapp:+573001234567", "whatsapp", items) == 2
    assert store.add("whatsapp:+573001234567", "whatsapp", items) == 0  # retried delivery
    store.add("whatsapp:+573009999999", "whatsapp", [MediaItem("https://x/3", "image/png", "SM2", 0)])
    listed = store.list_media("whatsapp:+573001234567")
    assert [(m.url, m.content_type) for m in listed] == [
        ("https://api.twilio.com/m/1", "image/jpeg"),
        ("https://api.twilio.com/m/2", "audio/ogg"),
    ]
    assert listed[0].is_image and listed[1].is_audio


def test_media_become_crm_evidence(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(url)
    upgrade_all(engine)
    SqlMediaStore(engine).add(
        "whatsapp:+573001234567", "whatsapp", [MediaItem("https://api.twilio.com/m/1", "image/jpeg", "SM1", 0)]
    )
    lookup = Services(load_settings({"PQRBOT_DATABASE_URL": url})).media_for
    evidence = lookup("whatsapp:+573001234567")
    assert len(evidence) == 1
    assert (evidence[0].tipo, evidence[0].nombre, evidence[0].url) == (
        "adjunto",
        "imagen-1.jpg",
        "https://api.twilio.com/m/1",
    )
    assert lookup("whatsapp:+570000000000") == []
    assert as_evidencias([MediaItem("u", "audio/ogg")])[0].nombre == "audio-1.ogg"


def test_media_lookup_on_a_database_without_channel_tables(tmp_path):
    lookup = Services(load_settings({"PQRBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})).media_for
    assert lookup("whatsapp:+573001234567") == []
