"""The customer's answer to the read-back: file, or correct something first."""

from __future__ import annotations

from actions.intake.reading import Reading, Turn
from textkit import parsing as P


def read_confirmation(turn: Turn, changed: bool) -> Reading:
    """Runs after the other readers: a message that ``changed`` any datum is read back again."""
    reading = Reading()
    if turn.requested == "confirmacion":
        answer = P.yes_no(turn.text)
        if answer is None and turn.confident({"afirmar", "negar"}, 0.85) and len(P.words(turn.text)) <= 4:
            answer = turn.intent == "afirmar"
        if changed:
            reading.set("confirmacion", None)  # corrected: read back again
        elif answer is True:
            reading.set("confirmacion", "si")
        elif answer is False:
            reading.set("confirmacion", None).say("que_corregir")
    elif changed and turn.get("confirmacion"):
        reading.set("confirmacion", None)
    return reading
