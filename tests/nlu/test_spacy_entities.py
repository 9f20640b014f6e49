"""The NER-only pass finds the very entities of Rasa's SpacyEntityExtractor (issue 13)."""

from __future__ import annotations

import pytest
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.training_data.message import Message

from nlu.components.spacy_entities import NER, PARSER, SpacyNerExtractor

TEXTS = [
    "me llamo Ana María López y vivo en la Calle 10 # 43-12 de Medellín",
    "Carlos Andres Restrepo",
    "soy luz dary montoya, cc 43512876",
    "hola, me llego muy cara la factura de la luz, como 350 mil",
    "Vivo en Envigado, barrio La Paz, a nombre de Jorge Iván Gómez",
]
CONFIG = {"dimensions": ["PER", "LOC"]}


@pytest.fixture(scope="module")
def spacy_model():
    try:
        return SpacyNLP.load_model("es_core_news_sm")
    except Exception as exc:  # pragma: no cover - the model comes with `make install`
        pytest.skip(f"es_core_news_sm not installed: {exc}")


def entities(extractor, model, text):
    [message] = extractor.process([Message(data={"text": text})], model)
    return [(e["entity"], e["value"], e["start"], e["end"]) for e in message.get("entities", [])]


def test_same_entities_as_rasas_extractor_with_one_ner_pass(spacy_model):
    ours = SpacyNerExtractor(CONFIG)
    fresh = SpacyModel(model=SpacyNLP.load_model("es_core_news_sm").model, model_name="es_core_news_sm")
    theirs = SpacyEntityExtractor(CONFIG)
    expected = [entities(theirs, fresh, t) for t in TEXTS]
    assert any(expected)  # the texts do hold names and places
    assert [entities(ours, spacy_model, t) for t in TEXTS] == expected


def read_by_the_featurizers(doc):
    return [(t.text, t.lemma_, t.tag_, t.pos_) for t in doc], doc.tensor.copy()


def test_the_shared_pass_no_longer_runs_ner_nor_the_parser_and_the_features_do_not_change(spacy_model):
    nlp = spacy_model.model
    texts = [t.lower() for t in TEXTS] + ["la factura llegó muy cara", "no me han instalado el alcantarillado"]
    before = [read_by_the_featurizers(nlp(t)) for t in texts]
    SpacyNerExtractor(CONFIG).process([Message(data={"text": "Ana López"})], spacy_model)
    assert NER not in nlp.pipe_names and PARSER not in nlp.pipe_names  # skipped from now on
    after = [read_by_the_featurizers(nlp(t)) for t in texts]
    for (tokens_before, tensor_before), (tokens_after, tensor_after) in zip(before, after, strict=True):
        assert tokens_after == tokens_before and (tensor_after == tensor_before).all()
    doc = nlp("la factura llegó muy cara")
    assert not doc.ents and not doc.has_annotation("DEP")
    assert "tok2vec" in nlp.pipe_names and "morphologizer" in nlp.pipe_names


ANSWERS = [
    "si",
    "Sí",
    "no",
    "cc 1017234567",
    "CC: 43.512.876",
    "contrato 12345678",
    "no tengo correo",
    "3001234567",
    "mi celular es 300 123 4567",
    "ok, autorizo",
    "nit 900123456-7",
]


def test_answers_without_a_name_skip_the_ner_pass_and_lose_nothing(spacy_model, monkeypatch):
    import nlu.components.spacy_entities as module

    fresh = SpacyModel(model=SpacyNLP.load_model("es_core_news_sm").model, model_name="es_core_news_sm")
    theirs = SpacyEntityExtractor(CONFIG)
    assert all(entities(theirs, fresh, text) == [] for text in ANSWERS)  # nothing to lose
    passes, ner_only = [], module.ner_only
    monkeypatch.setattr(module, "ner_only", lambda nlp, text: passes.append(text) or ner_only(nlp, text))
    ours = SpacyNerExtractor(CONFIG)
    assert all(entities(ours, spacy_model, text) == [] for text in ANSWERS)
    assert passes == []
    assert [entities(ours, spacy_model, t) for t in TEXTS] == [entities(theirs, fresh, t) for t in TEXTS]
    assert len(passes) == len(TEXTS)  # a name or a place may be there: NER runs
