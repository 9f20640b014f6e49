"""/metrics shows what operations watch: messages per channel, fallbacks, the inbound queue, PQRs."""

from __future__ import annotations

from rasa.shared.core.events import BotUttered, UserUttered

from bot.channels.inbound import InboundMessage
from bot.ingress.queue import SqlInboundQueue
from bot.perf import metrics
from bot.schema import upgrade_all
from crm_adapter.db import make_engine


def value(text: str, line_start: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(line_start))


def test_metrics_count_messages_fallbacks_and_show_the_queue(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pqrbot.db'}")
    upgrade_all(engine)
    q = SqlInboundQueue(engine)
    q.admit("twilio", "whatsapp", "c1", InboundMessage("SM1", "c1", "c1", "WhatsApp", "hola"))
    before = metrics.exposition(engine).decode()
    metrics.count_events(
        [
            UserUttered("hola", {"name": "saludar", "confidence": 0.9}, input_channel="whatsapp"),
            BotUttered("¡Hola!"),
            UserUttered("zzz", {"name": "nlu_fallback", "confidence": 0.3}, input_channel="whatsapp"),
            BotUttered("No te entendí"),
        ]
    )
    after = metrics.exposition(engine).decode()
    key = 'pqrbot_messages_in_total{channel="whatsapp"}'
    assert value(after, key) - value(before, key) == 2
    fb = 'pqrbot_fallback_messages_total{channel="whatsapp"}'
    assert value(after, fb) - value(before, fb) == 1
    assert (
        value(after, 'pqrbot_messages_out_total{channel="whatsapp"}')
        - value(before, 'pqrbot_messages_out_total{channel="whatsapp"}')
        == 2
    )
    assert value(after, 'pqrbot_inbound_queue{state="pending"}') == 1
    assert value(after, "pqrbot_pqrs_filed ") == 0
    assert "pqrbot_reply_seconds" in after and "pqrbot_followups_due" in after


def test_pqrs_waiting_for_their_chat_image_are_shown(tmp_path):
    from datetime import datetime, timedelta, timezone

    from crm_adapter.models import Evidencia
    from crm_adapter.sql import SqlStore
    from tests.pqrs import file_pqr

    engine = make_engine(f"sqlite:///{tmp_path / 'pqrbot.db'}")
    upgrade_all(engine)
    store = SqlStore(engine)
    now = datetime.now(timezone.utc)
    file_pqr(store, now - timedelta(minutes=5))  # waiting for its image
    drawn = file_pqr(store, now - timedelta(minutes=5))
    file_pqr(store, now)  # just filed: the worker has not had its turn yet
    file_pqr(store, now - timedelta(days=3))  # older than the worker looks
    store.add_evidencia(drawn.numero, Evidencia("imagen_chat", "conversacion.png", "iVBO", None, "image/png"))
    assert value(metrics.exposition(engine).decode(), "pqrbot_chat_images_pending ") == 1
    engine.dispose()
