"""Who files: the name and the identification document."""

from __future__ import annotations

import re
from typing import Optional

from actions.intake.reading import CHITCHAT_INTENTS, CONTROL_INTENTS, Reading, Turn
from actions.messages import razon
from textkit import parsing as P
from textkit.validators import validate_documento

_UNLABELLED_NUMBER = re.compile(r"[A-Za-z]{0,2}\d[\d.\s]*\d(?:\s*-\s*\d\b)?|[A-Za-z]{0,2}\d")
_COMPANY_NIT = re.compile(r"[89]\d{2}\.?\d{3}\.?\d{3}\s*-\s*\d")


def read_name(turn: Turn) -> Reading:
    reading = Reading()
    correction = P.find_self_correction(turn.text, "nombre", asked=turn.requested == "nombre")
    if turn.requested == "nombre":
        # The customer's own words beat spaCy's PER entity, which often drops a first name.
        found = correction or P.find_name(turn.text) or P.name_as_answer(turn.text) or turn.parsed.nombre
        if not found and turn.parsed.has_data:
            found = P.leftover_name(turn.text)  # "johana patricia velez cc 1036640177 ..."
    elif turn.get("nombre"):
        # "mi nombre es ..." corrects; "soy ..." does not
        found = correction or P.find_name(turn.text, strong_only=True)
    else:
        found = correction or turn.parsed.nombre
    if found:
        reading.set("nombre", found.value)
    elif (
        turn.requested == "nombre"
        and not turn.parsed.has_data
        and not turn.quiet
        and not turn.confident(CHITCHAT_INTENTS, 0.7)
    ):
        reading.hint("nombre", "hint_nombre")
    return reading


def read_document(turn: Turn) -> Reading:
    reading = Reading()
    p = turn.parsed
    correction = P.find_self_correction(turn.text, "documento", asked=turn.requested == "numero_documento")
    if correction:
        turn.bare.clear()  # the numbers typed were the wrong one and its correction
    doc = correction or p.documento
    tipo: Optional[str] = doc.kind if doc else None
    numero: Optional[str] = doc.value if doc else None
    named_type = p.tipo_documento_solo.value if p.tipo_documento_solo else None
    if not doc and turn.requested == "numero_documento":
        numero, tipo = _unlabelled_number(turn), named_type or turn.get("tipo_documento")
        if (
            not numero
            and not turn.quiet
            and not p.has_data
            and not named_type
            and not turn.confident(CHITCHAT_INTENTS | CONTROL_INTENTS, 0.6)
        ):
            reading.hint("numero_documento", "hint_documento", razon=razon("tipo_y_numero"))
    if numero:
        if not tipo:
            tipo = "NIT" if _COMPANY_NIT.fullmatch(numero.strip()) else "CC"
        check = validate_documento(tipo, numero)
        if check.ok:
            reading.set("tipo_documento", tipo).set("numero_documento", check.value)
        elif not turn.quiet:
            if tipo != (turn.get("tipo_documento") or "CC"):
                reading.set("tipo_documento", tipo)  # remembered for the corrected number
            reading.hint("numero_documento", "hint_documento", razon=razon(check.problem or "documento_digitos"))
    elif named_type and turn.requested == "numero_documento" and not turn.quiet:
        reading.set("tipo_documento", named_type)
    return reading


def _unlabelled_number(turn: Turn) -> Optional[str]:
    """The number typed alone as the answer to "¿cuál es tu documento?" (it is not a contract then)."""
    m = _UNLABELLED_NUMBER.search(turn.text)
    numero = m.group(0).strip() if m else None
    if numero and turn.bare and re.sub(r"\D", "", turn.bare[0].value) in re.sub(r"\D", "", numero):
        turn.bare.pop(0)
    return numero
