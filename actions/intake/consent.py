"""The authorisation to process personal data (Ley 1581 de 2012), asked before anything else."""

from __future__ import annotations

import re
from typing import Optional

from actions.intake.reading import CHITCHAT_INTENTS, CONTROL_INTENTS, Reading, Turn
from textkit import parsing as P

_QUESTION = re.compile(r"\b(para que|por que|porque|que es|que hacen|quien)\b")
_YES_PREFIX = re.compile(r"^\W*(s[ií]+|claro|dale|ok|listo|acepto|autorizo|de acuerdo)\b[\s,.!]*", re.I)


def consent_answer(turn: Turn) -> Optional[bool]:
    """True (authorised), False (refused) or None (not an answer) to "¿autorizas ...?"."""
    text = turn.text
    answer = P.yes_no(text)
    if answer is None and turn.confident({"afirmar", "negar"}, 0.85) and len(P.words(text)) <= 4:
        answer = turn.intent == "afirmar"
    if answer is False and not explicit_refusal(text):
        # "no tengo correo", "no, el celular es ...": a no to something else, not to consent.
        p = turn.parsed
        if p.has_data or p.sin_correo or p.sin_celular or len(P.words(text)) > 4:
            answer = None
    if answer is None and (explicit_refusal(text) or P.says_cancel(text) or turn.confident({"cancelar"}, 0.6)):
        answer = False  # "mejor no", "no quiero dar mis datos", "cancelar": a refusal, recorded as such
    return answer


def read_unanswered_consent(turn: Turn) -> Reading:
    """A message that neither gives nor refuses consent: keep its data for later, or explain."""
    reading = Reading()
    is_question = "?" in turn.text or _QUESTION.search(P.norm(turn.text))
    if turn.confident(CONTROL_INTENTS | CHITCHAT_INTENTS, 0.6) and not (
        is_question and turn.intent == "fuera_de_alcance"
    ):
        return reading  # the rules answer it; the form asks again
    bare_name = P.name_as_answer(turn.text)
    if turn.parsed.has_data or turn.parsed.motivo or (bare_name and len(bare_name.value.split()) >= 2):
        reading.set("pendientes", list(turn.get("pendientes") or []) + [turn.text])
        reading.say("datos_en_espera")
    else:
        reading.hint("consentimiento", "consentimiento_explicar", offer_help=False)
    return reading


def after_yes(text: str) -> str:
    """What follows the yes in "sí, mi cédula es ...", to be read as data."""
    rest = _YES_PREFIX.sub("", text)
    return rest if rest != text else ""


def explicit_refusal(text: str) -> bool:
    t = re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]", " ", P.norm(text))).strip()
    return bool(
        re.fullmatch(r"\W*(no+|nop|nel|negativo|para nada|no gracias|no senor|no senora)\W*", t)
        or re.search(r"\bno\s+(acepto|autorizo|doy|quiero|lo autorizo|estoy de acuerdo|gracias)\b", t)
        or re.search(
            r"\b(prefiero no|mejor no|no me gusta dar|no voy a dar|no les doy|no te doy|prefiero ir|"
            r"voy a la oficina)\b",
            t,
        )
    )
