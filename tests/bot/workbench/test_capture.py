"""What reaches the review inbox from the conversation events."""

import json
import os
from pathlib import Path

from bot.workbench import capture
from bot.workbench.masking import mask_text
from tests.bot.workbench.conftest import user_event

EVENTS = Path(__file__).parent / "data" / "tracker_events.json"


def test_threshold_is_read_from_config(project: Path):
    assert capture.fallback_threshold(project / "config.yml") == 0.45
    (project / "config.yml").write_text("pipeline:\n  - name: FallbackClassifier\n    threshold: 0.6\n")
    os.utime(project / "config.yml", (1, 1))
    assert capture.fallback_threshold(project / "config.yml") == 0.6


def test_fallback_and_low_confidence_are_kept_confident_messages_are_not(wb):
    assert capture.record_event(user_event("hola", "saludo", 0.99), workbench=wb) is None
    assert capture.record_event(user_event("ujum", "nlu_fallback", 0.45), workbench=wb)
    assert capture.record_event(user_event("y entonces", "afirmar", 0.40), workbench=wb)
    assert capture.record_event(user_event("y entonces?", "afirmar", 0.46), workbench=wb) is None
    reasons = sorted(i["reason"] for i in wb.store.open_items())
    assert reasons == ["fallback", "low_confidence"]


def test_other_events_and_buttons_are_ignored(wb):
    assert capture.record_event({"event": "bot", "text": "hola"}, workbench=wb) is None
    assert capture.record_event(user_event("/saludo", "nlu_fallback", 0.0), workbench=wb) is None
    assert capture.record_event({"event": "user"}, workbench=wb) is None
    assert wb.store.open_items() == []


def test_a_broken_store_never_breaks_the_conversation(wb):
    wb.store.engine.dispose()
    wb.store.engine = None  # type: ignore[assignment]
    assert capture.record_event(user_event("ujum", "nlu_fallback", 0.45), workbench=wb) is None


def test_events_captured_from_a_rasa_tracker(wb):
    """Event dicts as a real Rasa 3.6 tracker holds them (tests/workbench/data/tracker_events.json, from
    Agent.handle_text with the trained model), with the sender_id Rasa adds when it streams them to
    the event broker (rasa.core.processor: {"sender_id": ..., **event.as_dict()})."""
    fixture = json.loads(EVENTS.read_text())
    events = [dict(e, sender_id=fixture["sender_id"]) for e in fixture["events"]]
    kept = [capture.record_event(e, workbench=wb) for e in events]
    user = [e for e in events if e["event"] == "user"]
    misunderstood = [
        e
        for e in user
        if e["parse_data"]["intent"]["name"] == "nlu_fallback" or e["parse_data"]["intent"]["confidence"] < 0.45
    ]
    assert misunderstood, "the fixture must hold at least one misunderstood message"
    assert len([k for k in kept if k]) == len(misunderstood)
    items = wb.store.open_items()
    texts = {i["text"] for i in items}
    # spaCy's NER called "zzzzzz" a person (PER): what the assistant took for a name is masked
    persons = {
        e["text"]: [x["value"] for x in e["parse_data"]["entities"] if x["entity"] == "PER"] for e in misunderstood
    }
    assert texts == {mask_text(text, names) for text, names in persons.items()}
    assert "jajaja" in texts
    for item in items:
        assert item["channel"] == "rest" and item["conversation_id"] == user[0]["sender_id"]
    for e in user:
        if e not in misunderstood:
            assert e["text"] not in texts
