"""Short repeated answers are parsed once per model (bot/perf/parse_cache.py), with the result the
pipeline gives; numbers and long texts always go through it."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from bot.perf import parse_cache


@pytest.mark.parametrize("text", ["si", "Sí", "no", "gracias", "no tengo correo", "ok dale"])
def test_short_answers_without_digits_are_kept(text):
    assert parse_cache.ParseCache.keeps(text)


@pytest.mark.parametrize(
    "text",
    ["cc 1017234567", "contrato 12345678", "3001234567", "/affirm", "", None, "me llegó muy cara la factura de la luz"],
)
def test_numbers_intents_typed_by_hand_and_long_texts_are_not(text):
    assert not parse_cache.ParseCache.keeps(text)


class FakeProcessor:
    def __init__(self, model_id):
        self.model_metadata = SimpleNamespace(model_id=model_id)
        self.graph_runner = object()


def test_one_parse_per_text_and_model_and_copies_handed_out(monkeypatch):
    calls = []

    def pipeline(self, message, tracker, only_output_properties=True):
        calls.append((self.model_metadata.model_id, message.text))
        return {"text": message.text, "intent": {"name": "affirm", "confidence": 0.99}, "entities": []}

    monkeypatch.setattr(parse_cache, "_original", pipeline)
    monkeypatch.setattr(parse_cache, "cache", parse_cache.ParseCache(size=2))
    old, new = FakeProcessor("model-a"), FakeProcessor("model-b")
    si = SimpleNamespace(text="si")

    first = parse_cache._parse_message_with_graph(old, si, None)
    first["intent"]["name"] = "edited by a caller"
    again = parse_cache._parse_message_with_graph(old, si, None)
    assert again["intent"]["name"] == "affirm" and calls == [("model-a", "si")]
    parse_cache._parse_message_with_graph(new, si, None)  # another model: its own parse
    parse_cache._parse_message_with_graph(old, SimpleNamespace(text="cc 1017234567"), None)
    parse_cache._parse_message_with_graph(old, SimpleNamespace(text="cc 1017234567"), None)
    assert calls == [("model-a", "si"), ("model-b", "si"), ("model-a", "cc 1017234567"), ("model-a", "cc 1017234567")]
    for text in ("no", "ok"):  # the table keeps the most recent (size 2 here)
        parse_cache._parse_message_with_graph(old, SimpleNamespace(text=text), None)
    parse_cache._parse_message_with_graph(old, si, None)
    assert calls[-1] == ("model-a", "si")


def test_the_model_gives_the_same_result_from_the_table(agent, monkeypatch):
    from rasa.core.channels.channel import UserMessage

    parse_cache.apply()
    monkeypatch.setattr(parse_cache, "cache", parse_cache.ParseCache())
    processor = agent.processor
    texts = ["si", "no", "gracias", "hola", "no tengo correo", "sí, autorizo", "mejor no"]

    def parse(text):
        return asyncio.run(processor.parse_message(UserMessage(text, sender_id="parse-cache")))

    through_pipeline = {}
    for text in texts:
        through_pipeline[text] = parse_cache._original(processor, UserMessage(text), None)
    for _ in range(2):
        for text in texts:
            parsed = parse(text)
            assert parsed["intent"] == through_pipeline[text]["intent"], text
            assert parsed["entities"] == through_pipeline[text]["entities"], text
            assert parsed.get("intent_ranking") == through_pipeline[text].get("intent_ranking"), text
    assert parse_cache.cache.hits == len(texts) and parse_cache.cache.misses == len(texts)
