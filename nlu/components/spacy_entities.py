"""``SpacyNerExtractor``: spaCy's PER/LOC entities from one NER pass, not a second full pipeline.

Rasa's ``SpacyEntityExtractor`` runs the whole spaCy pipeline (tok2vec, morphologizer,
lemmatizer, attribute ruler, NER) a second time on the original text, because ``SpacyNLP``'s doc
is lower-cased, which is bad for names. That second pass was a tenth of the Rasa process's time
per message (issue 13). This extractor runs only the ``ner`` component (which has its own
tok2vec in ``es_core_news_sm``) on the original, cased text, and switches ``ner`` off in the
shared pipeline that ``SpacyNLP`` runs for the featurizers, which never read entities. Same
entities, same features: about 2.6 ms of spaCy per message instead of 7.4 ms.

The shared pass skips the dependency ``parser`` too: Rasa's spaCy tokenizer and featurizers read
the tokens, lemmas, tags and tok2vec tensors, which the parser does not set (the same for each of
the 723 training examples with and without it), and it was a third of that pass (0.6 ms of 1.8 ms).

Most of a customer's messages are answers made of numbers and plain words ("si", "cc 1017234567",
"contrato 12345678", "no tengo correo"): no person or place can be named there, and the NER pass
(its own tok2vec and parser, about 3 ms) is skipped for them (``may_name_someone``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

NER = "ner"
PARSER = "parser"
NOT_READ_BY_THE_FEATURIZERS = (NER, PARSER)

# Words that are never (part of) a person's or a place's name in an answer to the intake.
PLAIN_WORDS = frozenset(
    """si no ok oki okey okay vale listo dale claro bueno buena gracias hola buenas buenos dias tardes
    noches cc ce ti nit pp pasaporte cedula documento contrato numero nro num no correo celular cel
    telefono tel movil tengo tiene mi mis es son el la los las de del y o a en por favor autorizo
    acepto confirmo correcto correcta exacto eso asi ya nada ninguno ninguna tambien mil pesos
    whatsapp email mail sin con""".split()
)
_WORD = re.compile(r"[^\W\d_]+")


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn")


def may_name_someone(text: Text) -> bool:
    """False when every word of ``text`` is a number or a plain word (PLAIN_WORDS)."""
    return any(_plain(word) not in PLAIN_WORDS for word in _WORD.findall(text or ""))


def ner_only(nlp: Any, text: Text) -> Any:
    """The doc of ``text`` with only the named entities annotated."""
    doc = nlp.make_doc(text)
    return nlp.get_pipe(NER)(doc)


def keep_unread_pipes_out_of_the_shared_pass(nlp: Any) -> None:
    for name in NOT_READ_BY_THE_FEATURIZERS:
        if name in nlp.pipe_names:
            nlp.disable_pipe(name)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False, model_from="SpacyNLP")
class SpacyNerExtractor(SpacyEntityExtractor):
    """``SpacyEntityExtractor`` with one NER-only pass on the cased text."""

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        nlp = model.model
        keep_unread_pipes_out_of_the_shared_pass(nlp)
        for message in messages:
            if not may_name_someone(message.get(TEXT)):
                continue
            doc = ner_only(nlp, message.get(TEXT))
            extracted = self.filter_irrelevant_entities(
                self.add_extractor_name(self._extract_entities(doc)), self._config["dimensions"]
            )
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
        return messages
