"""The motivo and the kind of reclamo (factura or alcantarillado no prestado), and detail the
customer adds to the complaint while being asked something else."""

from __future__ import annotations

import re

from actions.intake.reading import ALCANTARILLADO, CHITCHAT_INTENTS, FACTURA, Reading, Turn
from textkit import parsing as P
from textkit.motivo import clean_motivo

_RESTATED = re.compile(r"\b(el motivo|mi reclamo|la queja) es\b")
_QUESTION_START = re.compile(r"\W*(que|como|cuanto|cuando|donde|me van|van a|puedo)\b")
_MAX_MOTIVO = 600
# "y eso que...", "ah, y también...", "además...": the customer adds to what they already told.
_ADDING = re.compile(
    r"\W*(?:(?:ah|ay|ojo|oiga|oigan|vea|mire|antes\s+de\s+eso)\W+)*(?:y|e|ademas|tambien|aparte|fuera\s+de\s+eso|"
    r"otra\s+cosa|se\s+me\s+olvido|olvide\s+decir|y\s+eso\s+que|eso\s+que|agreg\w*|anot\w*|pong\w*|"
    r"sum\w*|incluy\w*|le\s+cuento)\b"
)


def read_motivo(turn: Turn) -> Reading:
    reading = Reading()
    p, text = turn.parsed, turn.text
    if p.alcantarillado_no_prestado or (
        turn.intent == "reclamo_alcantarillado" and turn.confidence >= 0.8 and re.search(r"alcantarill", P.norm(text))
    ):
        reading.set("tipo_reclamo", ALCANTARILLADO)
    motivo = p.motivo or (P.motivo_as_answer(text) if turn.requested == "motivo" else None)
    if motivo and (turn.requested == "motivo" or not turn.get("motivo") or _RESTATED.search(P.norm(text))):
        clean = clean_motivo(motivo.value)
        if clean:
            reading.set("motivo", clean)
            if not turn.get("tipo_reclamo") and "tipo_reclamo" not in reading.updates:
                reading.set("tipo_reclamo", ALCANTARILLADO if P.is_alcantarillado_no_prestado(clean) else FACTURA)
    if p.monto and (turn.requested == "motivo" or not turn.get("monto")):
        reading.set("monto", float(p.monto.value))
    if (
        turn.requested == "motivo"
        and "motivo" not in reading.updates
        and not turn.get("motivo")
        and not turn.quiet
        and not p.has_data
    ):
        reading.hint("motivo", "hint_motivo")
    return reading


def is_more_detail(turn: Turn) -> bool:
    """A message that adds to the complaint already recorded ("y eso que siempre pago 120 mil",
    "y también me cobraron la reconexión") while the assistant asked for something else."""
    p, text = turn.parsed, turn.text
    if turn.quiet or turn.requested in ("motivo", None) or not turn.get("motivo"):
        return False
    if not p.motivo or p.has_data or "?" in text or _QUESTION_START.match(P.norm(text)):
        return False
    if turn.confident(CHITCHAT_INTENTS, 0.9) and not P.has_complaint(text):
        return False
    return P.has_complaint(text) or P.is_alcantarillado_no_prestado(text) or bool(_ADDING.match(P.norm(text)))


def detail_beside_data(turn: Turn) -> bool:
    """Data typed with an addition to the complaint ("cc 43640129 y eso que siempre pago 120 mil",
    "ana@x.co. y otra cosa, estuvimos de viaje"): what is left once the data are taken out."""
    if turn.quiet or turn.requested in ("motivo", None) or not turn.get("motivo") or "?" in turn.text:
        return False
    rest = re.sub(r"^[\d\s.,;:-]+", "", P.norm(clean_motivo(turn.text)))  # the bare number that answered
    if len(P.words(rest)) < 3:
        return False
    return bool(_ADDING.match(rest) or P.has_complaint(rest) or P.is_alcantarillado_no_prestado(rest)) and bool(
        P.looks_like_motivo(rest) or _ADDING.match(rest)
    )


# Words that only announce the addition ("antes de eso agréguele que ...", "y otra cosa, ...").
_ANNOUNCING = re.compile(
    r"(?i)^\W*(?:(?:antes\s+de\s+eso|y\s+otra\s+cosa|otra\s+cosa|ah|y|ojo|le\s+cuento\s+que|"
    r"agr[eé]gue(?:le|me)?\s+que|an[oó]te(?:le)?\s+que|p[oó]ngale\s+que|se\s+me\s+olvid[oó]\s+decir(?:le)?\s+que)"
    r"[\s,.:;]*)+"
)


def read_more_detail(turn: Turn) -> Reading:
    """The detail joins the motivo; the question asked stays unanswered and is asked again."""
    reading = Reading()
    clean = clean_motivo(_ANNOUNCING.sub("", clean_motivo(turn.text)))
    current = turn.get("motivo") or ""
    if clean and P.norm(clean) not in P.norm(current) and len(current) < _MAX_MOTIVO:
        reading.set("motivo", f"{current.rstrip('.')}. {clean}")
    return reading
