"""An NLU component that corrects the intent with what the message plainly contains.

DIET, trained on a few hundred examples, can call "cc 1036654321 contrato 123" nonsense or read
"hola, me llegó carísima la factura" as a greeting. This component runs after the classifiers:
a message that states a complaint becomes ``reclamo_factura`` / ``reclamo_alcantarillado`` and a
message that carries petition data (an ID, a contract, an e-mail, an address) becomes ``informar``,
unless the classifier was already confident of a control intent (cancel, ask for an agent), and
keyboard mashing becomes ``nlu_fallback`` ("no te entendí") rather than an out-of-scope answer.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from actions import parsing as P
from actions.procedure_signals import asks_about_personal_data, asks_for_deadline

_KEEP = {"cancelar", "pedir_asesor", "afirmar", "negar"}


def _demoted(text: str) -> str:
    """Where a control intent without its words goes: data or a name are 'informar'."""
    parsed = P.parse_message(text)
    if parsed.motivo:
        return "reclamo_factura"
    if any([parsed.documento, parsed.contrato, parsed.email, parsed.direccion, parsed.celular, parsed.nombre]) \
            or P.name_as_answer(text) or re.search(r"\d", text):
        return "informar"
    return "nlu_fallback"


def corrected_intent(text: str, intent: Optional[str], confidence: float) -> Optional[str]:
    """The intent the message's content calls for, or None to keep the classifier's."""
    if not text:
        return None
    # Control intents need their words: "rubiela cano" is a name, not a cancellation.
    if intent == "cancelar" and not P.says_cancel(text):
        return _demoted(text)
    if intent == "pedir_asesor" and not P.asks_for_agent(text):
        return _demoted(text)
    if intent in ("afirmar", "negar") and P.yes_no(text) is None and not P.words_free(text):
        return _demoted(text)
    if intent in _KEEP and confidence >= 0.5:
        return None
    if P.is_alcantarillado_no_prestado(text):
        return "reclamo_alcantarillado" if intent != "reclamo_alcantarillado" else None
    if P.asks_for_number(text):
        return "consultar_numero" if intent != "consultar_numero" else None
    if asks_for_deadline(text):
        return "consultar_plazo" if intent != "consultar_plazo" else None
    if asks_about_personal_data(text):
        return "derechos_datos" if intent != "derechos_datos" else None
    parsed = P.parse_message(text)
    if intent in ("agradecer", "despedida") and confidence >= 0.7 and not P.has_complaint(text) \
            and not P.asks_to_file(text):
        return None  # "mil gracias, que Dios le pague" is thanks, not a new reclamo
    if (parsed.motivo or P.asks_to_file(text)) and intent not in ("reclamo_factura", "reclamo_alcantarillado"):
        return "reclamo_factura"
    has_data = any([parsed.documento, parsed.contrato, parsed.email, parsed.direccion, parsed.celular, parsed.nombre])
    if has_data and intent in (None, "nlu_fallback", "fuera_de_alcance", "saludo", "despedida", "agradecer", "bot_challenge"):
        return "informar"
    if not has_data and P.looks_like_gibberish(text) and intent != "nlu_fallback":
        return "nlu_fallback"  # "no te entendí", not an out-of-scope answer
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DataSignalsClassifier(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "DataSignalsClassifier":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            current = message.get(INTENT) or {}
            new = corrected_intent(message.get(TEXT) or "", current.get("name"), float(current.get("confidence") or 0.0))
            if new:
                intent = {"name": new, "confidence": 1.0}
                ranking = [intent] + [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get("name") != new]
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
